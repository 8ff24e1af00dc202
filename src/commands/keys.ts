/**
 * Which keys a command names, read from the command table's key specs (`begin_search` /
 * `find_keys` of the specification). One pure function that everything keyed by a command's keys
 * shares: the bulk lane's memory of large keys, program order per key, and later cluster slots
 * and client-side caching.
 *
 * Positions follow the specification: `argv[0]` is the command (or container) name, so a
 * subcommand's keys are found from index 2 on (`OBJECT ENCODING key`).
 *
 * @module
 */
import type { RedisArgument } from "../protocol/values.js";
import { CommandFlag, type CommandSpec, type KeySpec } from "./command-spec.js";

/** A key list that names no key (PING, INFO, CLIENT ID). */
const NO_KEYS: readonly RedisArgument[] = Object.freeze([]);

/** Spec flags that make a keyless command possibly touch any key. */
const KEYLESS_MAY_TOUCH_ANY = CommandFlag.WRITE | CommandFlag.NO_MANDATORY_KEYS | CommandFlag.TOUCHES_ARBITRARY_KEYS;

/**
 * Where the one key is for the common commands (GET, SET, HGET, INCR …: a single spec, a fixed
 * index, one key): its index, or -1 for every other command. Lets the hot paths read the key
 * without building a list.
 */
function singleKeyIndex(spec: CommandSpec): number {
  const keySpecs = spec.keySpecs;
  if (keySpecs.length !== 1) return -1;
  const { begin, find, flags } = keySpecs[0] as KeySpec;
  if (!("index" in begin) || !("range" in find) || find.range.lastKey !== 0 || flags.includes("INCOMPLETE")) return -1;
  return begin.index;
}

/**
 * The keys `argv` names, by the command's key specs, in spec order (duplicates kept). Returns
 * `undefined` when they cannot be told from the arguments (a key spec the specification leaves
 * unknown, as SORT's BY and GET patterns, or marks incomplete); an empty array when the command
 * names no key.
 */
export function commandKeys(spec: CommandSpec, argv: readonly RedisArgument[]): readonly RedisArgument[] | undefined {
  if (spec.keySpecs.length === 0) return NO_KEYS;
  const index = singleKeyIndex(spec);
  if (index !== -1) {
    const key = argv[index];
    return key === undefined ? NO_KEYS : [key];
  }
  const keys: RedisArgument[] = [];
  for (const keySpec of spec.keySpecs) {
    if (keySpec.flags.includes("INCOMPLETE")) return undefined;
    if (!collect(keySpec, argv, keys)) return undefined;
  }
  return keys;
}

/** How a command takes part in program order per key; see {@link keyScope}. */
export const KeyScope = {
  /** It names no key and may touch none (PING, INFO, CLIENT ID). */
  None: 0,
  /** It names its keys. */
  Keys: 1,
  /**
   * It may touch any key: a command the table does not know, keys that cannot be told from the
   * arguments (see {@link commandKeys}), or a keyless command that may write (FLUSHALL, SWAPDB, a
   * script run with no declared keys).
   */
  Any: 2,
} as const;
/** One of {@link KeyScope}'s values. */
export type KeyScope = (typeof KeyScope)[keyof typeof KeyScope];

/** The {@link KeyScope} of `argv`, without building the key list for the common commands. */
export function keyScope(spec: CommandSpec | undefined, argv: readonly RedisArgument[]): KeyScope {
  if (spec === undefined || (spec.flags & CommandFlag.TOUCHES_ARBITRARY_KEYS) !== 0) return KeyScope.Any;
  const keyless = (spec.flags & KEYLESS_MAY_TOUCH_ANY) !== 0 ? KeyScope.Any : KeyScope.None;
  if (spec.keySpecs.length === 0) return keyless;
  const index = singleKeyIndex(spec);
  if (index !== -1) return argv[index] === undefined ? keyless : KeyScope.Keys;
  const keys = commandKeys(spec, argv);
  if (keys === undefined) return KeyScope.Any;
  return keys.length === 0 ? keyless : KeyScope.Keys;
}

/**
 * A key as a string, for maps keyed by Redis keys: strings as they are, Buffers decoded as UTF-8
 * (so a Buffer key and the string of the same bytes meet), numbers in decimal. Two Buffers of
 * invalid UTF-8 may meet too; users of this treat a meeting as "maybe the same key", never as
 * "surely different".
 */
export function keyString(key: RedisArgument): string {
  return typeof key === "string" ? key : key.toString();
}

/** The first key `argv` names, if the key specs tell one; no list is built for the common commands. */
export function firstKey(spec: CommandSpec | undefined, argv: readonly RedisArgument[]): RedisArgument | undefined {
  if (spec === undefined) return undefined;
  const index = singleKeyIndex(spec);
  return index !== -1 ? argv[index] : commandKeys(spec, argv)?.[0];
}

/** Appends the keys one key spec finds; false when the spec cannot be followed. */
function collect(keySpec: KeySpec, argv: readonly RedisArgument[], keys: RedisArgument[]): boolean {
  const begin = keySpec.begin;
  let start: number;
  if ("index" in begin) {
    start = begin.index;
  } else if ("keyword" in begin) {
    const found = findKeyword(argv, begin.keyword, begin.startFrom);
    if (found === -1) return true; // the optional keyword (STORE, STREAMS) is absent: no keys here
    start = found + 1;
  } else {
    return false;
  }
  if (start >= argv.length) return true;
  const find = keySpec.find;
  if ("range" in find) {
    const { lastKey, step, limit } = find.range;
    let last: number;
    if (lastKey >= 0) {
      last = start + lastKey;
    } else if (lastKey === -1 && limit > 1) {
      // Only the first 1/limit of the remaining arguments are keys (XREAD STREAMS k1 k2 id1 id2).
      last = start + Math.floor((argv.length - start) / limit) - 1;
    } else {
      last = argv.length + lastKey;
    }
    for (let i = start; i <= last && i < argv.length; i += Math.max(1, step)) keys.push(argv[i] as RedisArgument);
    return true;
  }
  if ("keynum" in find) {
    const { keyNumIndex, firstKey: first, step } = find.keynum;
    const count = Number(argv[start + keyNumIndex]);
    if (!Number.isInteger(count) || count < 0) return false;
    const from = start + first;
    for (let n = 0, i = from; n < count && i < argv.length; n++, i += Math.max(1, step)) keys.push(argv[i] as RedisArgument);
    return true;
  }
  return false;
}

/**
 * The index of `keyword` (case-insensitive) searching from `startFrom`: forwards from that index,
 * or, when negative, backwards from that many places before the end. -1 when absent.
 */
function findKeyword(argv: readonly RedisArgument[], keyword: string, startFrom: number): number {
  if (startFrom >= 0) {
    for (let i = startFrom; i < argv.length; i++) if (isWord(argv[i], keyword)) return i;
  } else {
    for (let i = argv.length + startFrom; i > 0; i--) if (isWord(argv[i], keyword)) return i;
  }
  return -1;
}

function isWord(argument: RedisArgument | undefined, keyword: string): boolean {
  return (typeof argument === "string" || Buffer.isBuffer(argument)) && argument.length === keyword.length
    ? argument.toString().toUpperCase() === keyword
    : false;
}
