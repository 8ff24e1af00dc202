/**
 * Guards of the generated command surface: every command of the table is a method or excluded
 * with a reason; the generated files are what the generator makes today.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { CommandFlag } from "../../../src/commands/command-spec.js";
import { EXCLUDED_COMMANDS, exclusionReason } from "../../../src/commands/excluded.js";
import { RedisCommands } from "../../../src/commands/generated/commands.js";
import { COMMANDS, CONTAINER_COMMANDS, commandSpecByName, commandSpecForArgv } from "../../../src/commands/generated/table.js";
import { generate } from "../../../scripts/generate-commands.js";

const GENERATED_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../../src/commands/generated");

/** DESIGN.md's rule, written again here so the test does not trust the generator's. */
function methodName(name: string): string {
  return name
    .split(/[ \-_]+/)
    .map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0) + w.slice(1).toLowerCase()))
    .join("");
}

const proto = RedisCommands.prototype as unknown as Record<string, unknown>;
const specs = Object.values(COMMANDS);

describe("guard: every command is a method or excluded", () => {
  it("holds for every command of the table", () => {
    const missing: string[] = [];
    const both: string[] = [];
    for (const spec of specs) {
      const method = methodName(spec.name);
      const reason = exclusionReason(spec.name, spec.group, CONTAINER_COMMANDS.has(spec.name));
      const isMethod = typeof proto[method] === "function";
      if (reason === undefined && !isMethod) missing.push(`${spec.name} (${method})`);
      if (reason !== undefined && isMethod) both.push(`${spec.name} (${method})`);
    }
    assert.deepEqual(missing, [], "commands that are neither methods nor excluded");
    assert.deepEqual(both, [], "excluded commands that are methods");
  });

  it("excludes the connection-state commands and the sentinel group", () => {
    const required = [
      "SELECT", "AUTH", "HELLO", "QUIT", "RESET", "CLIENT REPLY", "CLIENT TRACKING", "CLIENT CACHING", "READONLY",
      "READWRITE", "ASKING", "MONITOR", "SYNC", "PSYNC", "REPLCONF", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH",
      "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE", "SUNSUBSCRIBE",
    ];
    for (const name of required) assert.ok(EXCLUDED_COMMANDS[name], `${name} is not excluded`);
    const sentinel = specs.filter((s) => s.group === "sentinel");
    assert.ok(sentinel.length > 20);
    for (const s of sentinel) assert.equal(typeof proto[methodName(s.name)], "undefined", s.name);
    for (const name of CONTAINER_COMMANDS) assert.equal(typeof proto[methodName(name)], "undefined", name);
  });

  it("names only commands the table has, each with a reason", () => {
    for (const [name, reason] of Object.entries(EXCLUDED_COMMANDS)) {
      assert.ok(commandSpecByName(name), `${name} is not in the table`);
      assert.ok(reason.length > 10);
    }
  });

  it("has methods for the hash-field expiration commands added by hand", () => {
    for (const name of ["HEXPIRE", "HPEXPIRE", "HEXPIREAT", "HPEXPIREAT", "HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME", "HPERSIST"]) {
      const spec = commandSpecByName(name);
      assert.ok(spec, name);
      assert.equal(spec.group, "hash");
      assert.equal(spec.since, "7.4.0");
      assert.equal(typeof proto[methodName(name)], "function", name);
    }
  });
});

describe("guard: the table", () => {
  it("is frozen, deeply", () => {
    assert.ok(Object.isFrozen(COMMANDS));
    for (const spec of specs) {
      assert.ok(Object.isFrozen(spec) && Object.isFrozen(spec.wire) && Object.isFrozen(spec.keySpecs), spec.name);
      for (const k of spec.keySpecs) assert.ok(Object.isFrozen(k) && Object.isFrozen(k.begin) && Object.isFrozen(k.find), spec.name);
    }
  });

  it("looks commands up by name in any case, and by argv", () => {
    assert.equal(commandSpecByName("get"), COMMANDS.GET);
    assert.equal(commandSpecByName("client id"), COMMANDS.CLIENT_ID);
    assert.equal(commandSpecByName("  Client   No-Evict "), COMMANDS.CLIENT_NO_EVICT);
    assert.equal(commandSpecByName("nope"), undefined);
    assert.equal(commandSpecForArgv(["client", "id"]), COMMANDS.CLIENT_ID);
    assert.equal(commandSpecForArgv([Buffer.from("CONFIG"), Buffer.from("get"), "x"]), COMMANDS.CONFIG_GET);
    assert.equal(commandSpecForArgv(["CLIENT", "NOSUCH"]), COMMANDS.CLIENT);
    assert.equal(commandSpecForArgv(["get", "k"]), COMMANDS.GET);
    assert.equal(commandSpecForArgv([]), undefined);
  });

  it("carries the flags and key specs routing needs", () => {
    assert.ok(COMMANDS.BLPOP.flags & CommandFlag.BLOCKING);
    assert.ok(COMMANDS.GET.flags & CommandFlag.READONLY);
    assert.ok(COMMANDS.SET.flags & CommandFlag.WRITE);
    assert.ok(COMMANDS.EVAL.flags & CommandFlag.MOVABLE_KEYS);
    assert.equal(COMMANDS.GET.flags & CommandFlag.MOVABLE_KEYS, 0);
    assert.deepEqual(COMMANDS.GET.keySpecs[0]?.begin, { index: 1 });
    assert.deepEqual(COMMANDS.ZUNION.keySpecs[0]?.find, { keynum: { keyNumIndex: 0, firstKey: 1, step: 1 } });
    assert.deepEqual(COMMANDS.CLIENT_ID.wire, ["CLIENT", "ID"]);
    assert.equal(COMMANDS.DBSIZE.requestPolicy, "all_shards");
    assert.equal(COMMANDS.DBSIZE.responsePolicy, "agg_sum");
  });
});

describe("guard: generated files", () => {
  it("are what npm run generate writes today", () => {
    const files = generate();
    const onDisk = readdirSync(GENERATED_DIR).filter((f) => f.endsWith(".ts")).sort();
    assert.deepEqual(onDisk, [...files.keys()].sort());
    for (const [name, text] of files) {
      assert.ok(text.startsWith("// GENERATED by scripts/generate-commands.ts from shared/command-spec."), name);
      assert.equal(readFileSync(join(GENERATED_DIR, name), "utf8"), text, `${name} is out of date: run npm run generate`);
    }
  });
});
