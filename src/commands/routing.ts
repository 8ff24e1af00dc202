/**
 * Routing rules read from command flags: which work needs a connection of its own, and which
 * commands a shared connection must never carry, and what client-side caching may answer.
 *
 * @module
 */
import type { RedisArgument } from "../protocol/values.js";
import { CommandFlag, type CommandSpec } from "./command-spec.js";
import { EXCLUDED_COMMANDS } from "./excluded.js";
import { KeyScope, keyScope } from "./keys.js";

/**
 * Whether a command needs a dedicated connection: commands flagged BLOCKING (BLPOP, BRPOP, BLMOVE,
 * BLMPOP, BRPOPLPUSH, BZPOPMIN, BZPOPMAX, BZMPOP, WAIT, WAITAOF), and XREAD / XREADGROUP only when
 * they carry BLOCK — without it they answer at once and share a connection like any read.
 */
export function needsDedicatedConnection(spec: CommandSpec | undefined, argv: readonly RedisArgument[]): boolean {
  if (spec === undefined || (spec.flags & CommandFlag.BLOCKING) === 0) return false;
  if (spec.name !== "XREAD" && spec.name !== "XREADGROUP") return true;
  // A key or group named "block" makes this a false positive: harmless, it only costs a connection.
  for (let i = 1; i < argv.length; i++) {
    const argument = argv[i];
    if (typeof argument === "string" && argument.toUpperCase() === "BLOCK") return true;
    if (typeof argument === "string" && argument.toUpperCase() === "STREAMS") return false;
  }
  return false;
}

/**
 * Commands that change the state of the connection they run on (SELECT, SUBSCRIBE, MULTI …),
 * read off the exclusion list: on a shared connection they would change it for every other
 * caller, so `sendCommand` refuses them there. Options, pipelines, transactions, pubsub and
 * monitor objects reach them instead. DEBUG is excluded from the methods only because the
 * specification does not describe its arguments: it may be sent.
 */
export const CONNECTION_STATE_COMMANDS: ReadonlySet<string> = new Set(
  Object.keys(EXCLUDED_COMMANDS).filter((name) => name !== "DEBUG"),
);

/**
 * The commands client-side caching may answer from memory: read-only commands of one key whose
 * reply depends on nothing but that key's value (and the arguments), so that the server's
 * invalidation of that key is all it takes to know the reply may have changed. By class:
 * - **strings**: GET, GETRANGE, SUBSTR, STRLEN, GETBIT, BITCOUNT, BITPOS, BITFIELD_RO (LCS is
 *   out: two keys); MGET is handled apart, key by key, as GET entries (see `cache/`).
 * - **hashes**: HGET, HMGET, HGETALL, HLEN, HEXISTS, HKEYS, HVALS, HSTRLEN.
 * - **sets**: SMEMBERS, SISMEMBER, SMISMEMBER, SCARD.
 * - **sorted sets**: ZRANGE (every form; its storing form is ZRANGESTORE, another command),
 *   ZRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGE, ZREVRANGEBYSCORE, ZREVRANGEBYLEX, ZSCORE, ZMSCORE,
 *   ZCARD, ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK.
 * - **lists**: LRANGE, LINDEX, LLEN, LPOS.
 * - **keys**: EXISTS (one key only: with several its reply depends on several), TYPE.
 * - **geo**: GEOPOS, GEODIST, GEOHASH.
 *
 * Left out on purpose: commands whose reply changes without the key changing — TTL, PTTL,
 * EXPIRETIME, OBJECT (idle time, frequency), RANDOMKEY, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER,
 * SCAN-family cursors — and writes that also read (GETEX, GETDEL, SET … GET). Multi-key reads
 * (SINTER, SUNION, ZUNION, SORT_RO with BY/GET patterns) are out: an entry belongs to one key.
 */
export const CACHEABLE_COMMANDS: ReadonlySet<string> = new Set([
  "GET",
  "GETRANGE",
  "SUBSTR",
  "STRLEN",
  "GETBIT",
  "BITCOUNT",
  "BITPOS",
  "BITFIELD_RO",
  "HGET",
  "HMGET",
  "HGETALL",
  "HLEN",
  "HEXISTS",
  "HKEYS",
  "HVALS",
  "HSTRLEN",
  "SMEMBERS",
  "SISMEMBER",
  "SMISMEMBER",
  "SCARD",
  "ZRANGE",
  "ZRANGEBYSCORE",
  "ZRANGEBYLEX",
  "ZREVRANGE",
  "ZREVRANGEBYSCORE",
  "ZREVRANGEBYLEX",
  "ZSCORE",
  "ZMSCORE",
  "ZCARD",
  "ZCOUNT",
  "ZLEXCOUNT",
  "ZRANK",
  "ZREVRANK",
  "LRANGE",
  "LINDEX",
  "LLEN",
  "LPOS",
  "EXISTS",
  "TYPE",
  "GEOPOS",
  "GEODIST",
  "GEOHASH",
]);

/** How client-side caching treats a command; see {@link cacheRole}. */
export const CacheRole = {
  /** Neither cached nor a write: passes through (PING, INFO, TTL). */
  None: 0,
  /** A cacheable read of one key (see {@link CACHEABLE_COMMANDS}). */
  Read: 1,
  /** MGET: answered key by key, each key's value cached as a `GET key` entry. */
  MultiGet: 2,
  /** It may write the keys it names: they are invalidated when it is issued. */
  WriteKeys: 3,
  /** It may write any key (FLUSHALL, FLUSHDB, SWAPDB, a script without declared keys, a command the table does not know): everything is invalidated. */
  WriteAny: 4,
} as const;
/** One of {@link CacheRole}'s values. */
export type CacheRole = (typeof CacheRole)[keyof typeof CacheRole];

/**
 * The {@link CacheRole} of `argv`. A read is cacheable only when it names exactly one key (EXISTS
 * with several keys is not); anything not flagged READONLY by the table that names keys counts as
 * a write of them (scripts and functions included); one that may touch any key, as a write of all.
 */
export function cacheRole(spec: CommandSpec | undefined, argv: readonly RedisArgument[]): CacheRole {
  if (spec === undefined) return CacheRole.WriteAny;
  const readOnly = (spec.flags & CommandFlag.READONLY) !== 0;
  if (readOnly) {
    if (spec.name === "MGET") return argv.length > 1 ? CacheRole.MultiGet : CacheRole.None;
    if (!CACHEABLE_COMMANDS.has(spec.name)) return CacheRole.None;
    if (argv.length < 2) return CacheRole.None;
    // The cacheable commands name one key, EXISTS excepted.
    return spec.name !== "EXISTS" || argv.length === 2 ? CacheRole.Read : CacheRole.None;
  }
  const scope = keyScope(spec, argv);
  if (scope === KeyScope.Keys) return CacheRole.WriteKeys;
  return scope === KeyScope.Any ? CacheRole.WriteAny : CacheRole.None;
}
