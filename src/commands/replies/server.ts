/**
 * Reply transforms of the `server` group.
 *
 * @module
 */
import type { RESPValue } from "../../protocol/values.js";
import type { StringType } from "../executor.js";
import type { RedisRecord } from "../types.js";
import { asArray, mapArray, toDouble, toRecord, toText } from "./common.js";

export { toStringRecord as configGet } from "./common.js";

/** `INFO`: section name (lower-case) → field → value, all strings. */
export type InfoSections = RedisRecord<RedisRecord<string>>;

/** `ACL GETUSER`: one selector. */
export interface AclSelector<S> {
  commands: S;
  keys: S;
  channels: S;
}

/** `ACL GETUSER`. */
export interface AclUser<S> {
  flags: S[];
  passwords: S[];
  commands: S;
  keys: S;
  channels: S;
  selectors: AclSelector<S>[];
}

/** `ACL LOG`: one entry. */
export interface AclLogEntry<S> {
  count: number;
  reason: S;
  context: S;
  object: S;
  username: S;
  "age-seconds": number;
  "client-info": S;
  /** Since Redis 7.2. */
  "entry-id"?: number;
  /** Since Redis 7.2. */
  "timestamp-created"?: number;
  /** Since Redis 7.2. */
  "timestamp-last-updated"?: number;
}

/** `MODULE LIST`: one module. */
export interface ModuleInfo<S> {
  name: S;
  ver: number;
  path: S;
  args: S[];
}

/** `LATENCY HISTOGRAM`: one command's histogram (bucket upper bound in µs → calls). */
export interface LatencyHistogram {
  calls: number;
  histogram_usec: RedisRecord<number>;
}

/** `COMMAND DOCS`: one argument. */
export interface CommandDocArgument<S> {
  name: S;
  type: S;
  display_text?: S;
  key_spec_index?: number;
  token?: S;
  summary?: S;
  since?: S;
  deprecated_since?: S;
  /** Status replies: strings under either decoding. */
  flags?: string[];
  value?: S;
  arguments?: CommandDocArgument<S>[];
}

/** `COMMAND DOCS`: one command. */
export interface CommandDoc<S> {
  summary?: S;
  since?: S;
  group?: S;
  complexity?: S;
  module?: S;
  /** Status replies: strings under either decoding. */
  doc_flags?: string[];
  deprecated_since?: S;
  replaced_by?: S;
  history?: [version: S, change: S][];
  arguments?: CommandDocArgument<S>[];
  subcommands?: RedisRecord<CommandDoc<S>>;
}

/** `COMMAND INFO`: one key specification. */
export interface CommandKeySpec<S> {
  notes?: S;
  /** Status replies: strings under either decoding. */
  flags: string[];
  begin_search: { type: S; spec: RedisRecord<number | S> };
  find_keys: { type: S; spec: RedisRecord<number> };
}

/** `COMMAND INFO`: one command. Its flags and ACL categories are status replies: strings under either decoding. */
export type CommandInfo<S> = [
  name: S,
  arity: number,
  flags: string[],
  firstKey: number,
  lastKey: number,
  step: number,
  aclCategories: string[],
  tips: S[],
  keySpecs: CommandKeySpec<S>[],
  subcommands: CommandInfo<S>[],
];

/** A replica's link state to its primary, in `ROLE`. */
export type ReplicaLinkState = "handshake" | "none" | "connect" | "connecting" | "sync" | "connected" | "unknown";

/**
 * `ROLE`: a primary (its replication offset and replicas), a replica (its primary, link state
 * and offset) or a sentinel (the primaries it monitors). The role name and the link state are
 * strings under either decoding, so that they narrow the union.
 */
export type Role<S> =
  | ["master", offset: number, replicas: [ip: S, port: S, offset: S][]]
  | ["slave", primaryIp: S, primaryPort: number, state: ReplicaLinkState, offset: number]
  | ["sentinel", primaries: S[]];

/** `ROLE`, with its role name and link state read as strings. */
export function role<S extends StringType>(reply: RESPValue): Role<S> {
  const entry = asArray(reply).slice();
  const name = toText(entry[0] ?? null);
  entry[0] = name;
  if (name === "slave" && entry[3] !== undefined) entry[3] = toText(entry[3]);
  return entry as unknown as Role<S>;
}

/**
 * `INFO`: the sections (`# Server` → `server`) with their `field:value` lines. Values stay
 * strings: their formats vary (`db0:keys=1,expires=0`).
 */
export function info(reply: RESPValue): InfoSections {
  const sections: InfoSections = Object.create(null) as InfoSections;
  let current: RedisRecord<string> | undefined;
  for (const line of toText(reply).split(/\r?\n/)) {
    if (line.startsWith("#")) {
      current = Object.create(null) as RedisRecord<string>;
      sections[line.slice(1).trim().toLowerCase()] = current;
    } else if (line !== "") {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      if (current === undefined) {
        current = Object.create(null) as RedisRecord<string>;
        sections["default"] = current;
      }
      current[line.slice(0, colon)] = line.slice(colon + 1);
    }
  }
  return sections;
}

/** `MEMORY STATS`: every value a number (doubles are strings under RESP2); `db.N` entries are records. */
export function memoryStats(reply: RESPValue): RedisRecord<number | RedisRecord<number>> {
  return toRecord(reply, (v) => (v instanceof Map || Array.isArray(v) ? toRecord(v, toDouble) : toDouble(v)));
}

/** `LATENCY HISTOGRAM`. */
export function latencyHistogram(reply: RESPValue): RedisRecord<LatencyHistogram> {
  return toRecord(
    reply,
    (command) =>
      toRecord(command, (v, key) => (key === "histogram_usec" ? toRecord(v) : v)) as unknown as LatencyHistogram,
  );
}

/** `ACL GETUSER`, or `null` for an unknown user. */
export function aclGetuser<S extends StringType>(reply: RESPValue): AclUser<S> | null {
  if (reply === null) return null;
  return toRecord(reply, (v, key) => (key === "selectors" ? mapArray(v, (s) => toRecord(s)) : v)) as unknown as AclUser<S>;
}

/** `ACL LOG`. */
export function aclLog<S extends StringType>(reply: RESPValue): AclLogEntry<S>[] {
  return mapArray(
    reply,
    (entry) => toRecord(entry, (v, key) => (key === "age-seconds" ? toDouble(v) : v)) as unknown as AclLogEntry<S>,
  );
}

/** `MODULE LIST`. */
export function moduleList<S extends StringType>(reply: RESPValue): ModuleInfo<S>[] {
  return mapArray(reply, (m) => toRecord(m) as unknown as ModuleInfo<S>);
}

function commandDocArgument<S extends StringType>(reply: RESPValue): CommandDocArgument<S> {
  return toRecord(reply, (v, key) =>
    key === "arguments" ? mapArray(v, (a) => commandDocArgument<S>(a)) : v,
  ) as unknown as CommandDocArgument<S>;
}

function commandDoc<S extends StringType>(reply: RESPValue): CommandDoc<S> {
  // Every property of CommandDoc is optional, so the record is one as far as the compiler sees.
  return toRecord<unknown>(reply, (v, key) => {
    if (key === "arguments") return mapArray(v, (a) => commandDocArgument<S>(a));
    if (key === "subcommands") return commandDocs<S>(v);
    return v;
  });
}

/** `COMMAND DOCS`: command name → its documentation. */
export function commandDocs<S extends StringType>(reply: RESPValue): RedisRecord<CommandDoc<S>> {
  return toRecord(reply, (v) => commandDoc<S>(v));
}

function keySpec<S extends StringType>(reply: RESPValue): CommandKeySpec<S> {
  return toRecord(reply, (v, key) =>
    key === "begin_search" || key === "find_keys" ? toRecord(v, (x, k) => (k === "spec" ? toRecord(x) : x)) : v,
  ) as unknown as CommandKeySpec<S>;
}

function commandInfoEntry<S extends StringType>(reply: RESPValue): CommandInfo<S> {
  const entry = asArray(reply).slice();
  const specs = entry[8];
  if (specs !== undefined) entry[8] = mapArray(specs, (k) => keySpec<S>(k)) as unknown as RESPValue;
  const subcommands = entry[9];
  if (subcommands !== undefined) entry[9] = mapArray(subcommands, (c) => commandInfoEntry<S>(c)) as unknown as RESPValue;
  return entry as unknown as CommandInfo<S>;
}

/** `COMMAND INFO`: one entry per name asked for (`null` for an unknown command). */
export function commandInfo<S extends StringType>(reply: RESPValue): (CommandInfo<S> | null)[] {
  return mapArray(reply, (c) => (c === null ? null : commandInfoEntry<S>(c)));
}

/** Bare `COMMAND`: the `COMMAND INFO` entry of every command the server has, in no set order. */
export function commandTable<S extends StringType>(reply: RESPValue): CommandInfo<S>[] {
  return mapArray(reply, (c) => commandInfoEntry<S>(c));
}
