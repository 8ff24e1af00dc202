/**
 * Commands that the specification snapshot in `../shared/command-spec` lacks, written by hand in
 * its format (facts from the Redis 7.4 command reference): the hash-field expiration family.
 * The generator merges them with the specification's own files.
 *
 * @module
 */
import type { SpecArg, SpecBody } from "./codegen/spec.js";

const KEY: SpecArg = { name: "key", type: "key", key_spec_index: 0 };

const CONDITION: SpecArg = {
  name: "condition",
  type: "oneof",
  optional: true,
  arguments: [
    { name: "nx", type: "pure-token", token: "NX" },
    { name: "xx", type: "pure-token", token: "XX" },
    { name: "gt", type: "pure-token", token: "GT" },
    { name: "lt", type: "pure-token", token: "LT" },
  ],
};

const FIELDS: SpecArg = {
  name: "fields",
  type: "block",
  token: "FIELDS",
  arguments: [
    { name: "numfields", type: "integer" },
    { name: "field", type: "string", multiple: true },
  ],
};

const COMPLEXITY = "O(N) where N is the number of specified fields";

/** Per-field integer results, one per field given. */
const INTEGER_ARRAY = { type: "array", items: { type: "integer" } } as const;

function setExpiry(value: SpecArg): SpecBody {
  return {
    complexity: COMPLEXITY,
    group: "hash",
    since: "7.4.0",
    arity: -6,
    command_flags: ["WRITE", "DENYOOM", "FAST"],
    key_specs: [
      {
        flags: ["RW", "UPDATE"],
        begin_search: { index: { pos: 1 } },
        find_keys: { range: { lastkey: 0, step: 1, limit: 0 } },
      },
    ],
    reply_schema: INTEGER_ARRAY,
    arguments: [KEY, value, CONDITION, FIELDS],
  };
}

function readExpiry(flags: readonly string[], keyFlags: readonly string[]): SpecBody {
  return {
    complexity: COMPLEXITY,
    group: "hash",
    since: "7.4.0",
    arity: -5,
    command_flags: flags,
    key_specs: [
      {
        flags: keyFlags,
        begin_search: { index: { pos: 1 } },
        find_keys: { range: { lastkey: 0, step: 1, limit: 0 } },
      },
    ],
    reply_schema: INTEGER_ARRAY,
    arguments: [KEY, FIELDS],
  };
}

/** The extra commands, keyed by name as in the specification's files. */
export const EXTRA_COMMANDS: Readonly<Record<string, SpecBody>> = {
  HEXPIRE: setExpiry({ name: "seconds", type: "integer" }),
  HPEXPIRE: setExpiry({ name: "milliseconds", type: "integer" }),
  HEXPIREAT: setExpiry({ name: "unix-time-seconds", type: "unix-time" }),
  HPEXPIREAT: setExpiry({ name: "unix-time-milliseconds", type: "unix-time" }),
  HTTL: readExpiry(["READONLY", "FAST"], ["RO", "ACCESS"]),
  HPTTL: readExpiry(["READONLY", "FAST"], ["RO", "ACCESS"]),
  HEXPIRETIME: readExpiry(["READONLY", "FAST"], ["RO", "ACCESS"]),
  HPEXPIRETIME: readExpiry(["READONLY", "FAST"], ["RO", "ACCESS"]),
  HPERSIST: readExpiry(["WRITE", "FAST"], ["RW", "UPDATE"]),
};
