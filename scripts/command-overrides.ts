/**
 * What the specification cannot say, stated once per command and merged by the generator:
 *
 * - reply types that depend on options (SET `get`, ZRANGE `withscores` …), as `variants`;
 * - replies whose raw form differs between RESP2 and RESP3 (maps, doubles, pairs) or is awkward
 *   (INFO's text), with the transform of `src/commands/replies/<group>.ts` (`R.`) that gives
 *   the same value under both;
 * - arguments the generic rules would make awkward, built by `src/commands/args/<group>.ts` (`A.`);
 * - argument types the specification gets too narrow (score ranges take `"(1"` and `"-inf"`);
 * - replies that are binary by nature, as `binaryReply` (see {@link BINARY_REPLY}).
 *
 * Type strings are TypeScript in the generated group file; `S` is the string type.
 *
 * @module
 */
import type { CommandOverride } from "./codegen/override-types.js";

/** A score bound: a number, or Redis's own syntax (`"(1.5"` exclusive, `"-inf"`, `"+inf"`). */
const SCORE_BOUND = "number | string";

const WITHSCORES = [{ when: [{ withscores: true }], reply: "ScoredMember<S>[]", transform: "R.scoredMembers" }] as const;

const POP_COUNT = {
  reply: "S | null",
  variants: [{ when: [{ count: "present" }], reply: "S[] | null" }],
} as const;

const GEO_ITEMS = {
  when: [{ withcoord: true }, { withdist: true }, { withhash: true }],
  reply: "R.GeoSearchItem<S>[]",
  transform: "R.geoItems",
} as const;

const GEO_STORE = { when: [{ store: "present" }, { storedist: "present" }], reply: "number" } as const;

const PAIRS = { type: "RedisFieldValues", builder: "A.pushPairs" } as const;

/** A BITFIELD offset: a bit offset, or `"#N"`, the N-th field of the encoding's width. */
const BIT_OFFSET = "RedisInteger | `#${number}`";

const STREAMS = { type: "A.StreamsToRead", builder: "A.pushStreams" } as const;

/**
 * Status (simple-string) replies decode to strings whatever the client's string type, but the
 * specification cannot tell them from bulk strings: the `HELP` lines, for one.
 */
const STATUS_LINES = { reply: "string[]" } as const;

/**
 * Replies that are binary by nature: Buffers whatever the client's decoding, since decoding them
 * as UTF-8 replaces the invalid sequences and the payload is lost (RESTORE then fails with "ERR
 * DUMP payload version or checksum are wrong"). The specification marks none (its reply schemas
 * say only `"type": "string"`), so the list is ours: the commands whose reply is a serialized
 * payload for another command to read back, DUMP (for RESTORE) and FUNCTION DUMP (for FUNCTION
 * RESTORE). Not in it: replies of user data (GET, HGET, LRANGE …), which are text or bytes as the
 * user stored them and so follow the client's decoding (`decoding(false)` gives Buffers); SYNC and
 * PSYNC (an RDB stream), which are not methods; scripts and functions, whose replies are whatever
 * the script returns.
 */
const BINARY_REPLY = { binaryReply: true } as const;

/** Overrides by full command name. */
export const COMMAND_OVERRIDES: Readonly<Record<string, CommandOverride>> = {
  // ---- string
  SET: { reply: '"OK" | null', variants: [{ when: [{ get: true }], reply: "S | null" }] },
  MSET: { builders: { data: PAIRS } },
  MSETNX: { builders: { data: PAIRS } },
  LCS: {
    reply: "S",
    variants: [
      { when: [{ idx: true }], reply: "R.LcsIdx", transform: "R.lcsIdx" },
      { when: [{ len: true }], reply: "number" },
    ],
  },

  // ---- hash
  HGETALL: { reply: "RedisRecord<S>", transform: "R.hgetall" },
  HSET: { builders: { data: PAIRS } },
  HMSET: { builders: { data: PAIRS } },
  HRANDFIELD: {
    reply: "S | null",
    variants: [
      { when: [{ withvalues: true }], reply: "[field: S, value: S][]", transform: "R.hrandfieldWithValues" },
      { when: [{ count: "present" }], reply: "S[]" },
    ],
  },

  // ---- list
  LPOP: POP_COUNT,
  RPOP: POP_COUNT,
  LPOS: { reply: "number | null", variants: [{ when: [{ count: "present" }], reply: "number[]" }] },
  LMOVE: { reply: "S | null", note: "`null` when the source list is empty (the specification's reply schema omits it)." },

  // ---- set
  SPOP: { reply: "S | null", variants: [{ when: [{ count: "present" }], reply: "S[]" }] },
  SRANDMEMBER: { reply: "S | null", variants: [{ when: [{ count: "present" }], reply: "S[]" }] },

  // ---- sorted set
  ZADD: {
    reply: "number",
    variants: [{ when: [{ incr: true }], reply: "number | null", transform: "R.doubleOrNull" }],
  },
  ZINCRBY: { reply: "number", transform: "R.double", argTypes: { increment: "number" } },
  ZSCORE: { reply: "number | null", transform: "R.doubleOrNull" },
  ZMSCORE: { reply: "(number | null)[]", transform: "R.doublesOrNull" },
  ZRANGE: { reply: "S[]", variants: WITHSCORES },
  ZRANGEBYSCORE: { reply: "S[]", variants: WITHSCORES, argTypes: { min: SCORE_BOUND, max: SCORE_BOUND } },
  ZREVRANGE: { reply: "S[]", variants: WITHSCORES },
  ZREVRANGEBYSCORE: { reply: "S[]", variants: WITHSCORES, argTypes: { min: SCORE_BOUND, max: SCORE_BOUND } },
  ZDIFF: { reply: "S[]", variants: WITHSCORES },
  ZINTER: { reply: "S[]", variants: WITHSCORES, argTypes: { "weight": "number" } },
  ZUNION: { reply: "S[]", variants: WITHSCORES, argTypes: { "weight": "number" } },
  ZINTERSTORE: { argTypes: { "weight": "number" } },
  ZUNIONSTORE: { argTypes: { "weight": "number" } },
  ZCOUNT: { argTypes: { min: SCORE_BOUND, max: SCORE_BOUND } },
  ZREMRANGEBYSCORE: { argTypes: { min: SCORE_BOUND, max: SCORE_BOUND } },
  ZRANDMEMBER: {
    reply: "S | null",
    variants: [
      { when: [{ withscores: true }], reply: "ScoredMember<S>[]", transform: "R.scoredMembers" },
      { when: [{ count: "present" }], reply: "S[]" },
    ],
  },
  ZPOPMIN: {
    reply: "ScoredMember<S> | null",
    transform: "R.scoredMemberOrNull",
    variants: [{ when: [{ count: "present" }], reply: "ScoredMember<S>[]", transform: "R.scoredMembers" }],
  },
  ZPOPMAX: {
    reply: "ScoredMember<S> | null",
    transform: "R.scoredMemberOrNull",
    variants: [{ when: [{ count: "present" }], reply: "ScoredMember<S>[]", transform: "R.scoredMembers" }],
  },
  BZPOPMIN: { reply: "[key: S, member: S, score: number] | null", transform: "R.keyScoredMember" },
  BZPOPMAX: { reply: "[key: S, member: S, score: number] | null", transform: "R.keyScoredMember" },
  ZMPOP: { reply: "[key: S, members: ScoredMember<S>[]] | null", transform: "R.keyScoredMembers" },
  BZMPOP: { reply: "[key: S, members: ScoredMember<S>[]] | null", transform: "R.keyScoredMembers" },
  ZRANK: {
    reply: "number | null",
    variants: [{ when: [{ withscore: true }], reply: "[rank: number, score: number] | null", transform: "R.rankWithScore" }],
  },
  ZREVRANK: {
    reply: "number | null",
    variants: [{ when: [{ withscore: true }], reply: "[rank: number, score: number] | null", transform: "R.rankWithScore" }],
  },

  // ---- geo
  GEOPOS: { reply: "(R.GeoCoordinates | null)[]", transform: "R.geopos" },
  GEOHASH: { reply: "(S | null)[]", note: "`null` for a member that is not in the set (the specification's reply schema omits it)." },
  GEODIST: {
    reply: "number | null",
    transform: "R.distance",
    note: "The distance is read as a number (Redis sends it as a string).",
  },
  GEORADIUS: { reply: "S[]", variants: [GEO_STORE, GEO_ITEMS] },
  GEORADIUSBYMEMBER: { reply: "S[]", variants: [GEO_STORE, GEO_ITEMS] },
  GEORADIUS_RO: { reply: "S[]", variants: [GEO_ITEMS] },
  GEORADIUSBYMEMBER_RO: { reply: "S[]", variants: [GEO_ITEMS] },
  GEOSEARCH: { reply: "S[]", variants: [GEO_ITEMS] },

  // ---- stream
  XADD: { builders: { data: PAIRS } },
  XRANGE: { reply: "R.StreamEntry<S>[]", transform: "R.streamEntries" },
  XREVRANGE: { reply: "R.StreamEntry<S>[]", transform: "R.streamEntries" },
  XREAD: { reply: "RedisRecord<R.StreamEntry<S>[]> | null", transform: "R.xread", builders: { streams: STREAMS } },
  XREADGROUP: {
    reply: "RedisRecord<R.PendingStreamEntry<S>[]> | null",
    transform: "R.xreadgroup",
    builders: { streams: STREAMS },
  },
  XCLAIM: {
    reply: "R.StreamEntry<S>[]",
    transform: "R.streamEntries",
    variants: [{ when: [{ justid: true }], reply: "S[]" }],
  },
  XAUTOCLAIM: {
    reply: "[next: S, entries: R.StreamEntry<S>[], deleted: S[]]",
    transform: "R.xautoclaim",
    variants: [{ when: [{ justid: true }], reply: "[next: S, ids: S[], deleted: S[]]" }],
  },
  XPENDING: {
    reply: "[count: number, smallest: S | null, greatest: S | null, consumers: [name: S, count: S][] | null]",
    variants: [
      { when: [{ start: "present" }], reply: "[id: S, consumer: S, idle: number, deliveries: number][]" },
    ],
  },
  "XINFO GROUPS": { reply: "R.XInfoGroup<S>[]", transform: "R.xinfoGroups" },
  "XINFO HELP": STATUS_LINES,
  "XGROUP HELP": STATUS_LINES,
  "XINFO CONSUMERS": { reply: "R.XInfoConsumer<S>[]", transform: "R.xinfoConsumers" },
  "XINFO STREAM": {
    reply: "R.XInfoStream<S>",
    transform: "R.xinfoStream",
    variants: [{ when: [{ full: true }], reply: "R.XInfoStreamFull<S>", transform: "R.xinfoStreamFull" }],
  },

  // ---- generic
  DUMP: BINARY_REPLY,
  SORT: { reply: "(S | null)[]", variants: [{ when: [{ store: "present" }], reply: "number" }] },
  WAITAOF: { reply: "[local: number, replicas: number]" },
  TYPE: { reply: "string", note: 'A status reply (a string under either decoding); `"none"` for a missing key.' },
  "OBJECT HELP": STATUS_LINES,

  // ---- bitmap
  BITFIELD: {
    positional: ["operation"],
    argTypes: {
      "operation.get-block.offset": BIT_OFFSET,
      "operation.write.write-operation.set-block.offset": BIT_OFFSET,
      "operation.write.write-operation.incrby-block.offset": BIT_OFFSET,
    },
  },
  BITFIELD_RO: { argTypes: { "get-block.offset": BIT_OFFSET } },

  // ---- connection
  "CLIENT KILL": {
    reply: '"OK" | number',
    builders: { filter: { type: "RedisArgument | A.ClientKillFilters", builder: "A.pushClientKillFilters" } },
    note: "Given `ip:port`, the old form, which replies `OK`; given filters, the number of clients killed.",
  },
  "CLIENT INFO": { reply: "RedisRecord<string>", transform: "R.clientInfo" },
  "CLIENT LIST": { reply: "RedisRecord<string>[]", transform: "R.clientList" },
  "CLIENT TRACKINGINFO": { reply: "R.ClientTrackingInfo<S>", transform: "R.clientTrackinginfo" },
  "CLIENT HELP": STATUS_LINES,

  // ---- server
  INFO: { reply: "R.InfoSections", transform: "R.info" },
  "CONFIG GET": { reply: "RedisRecord<S>", transform: "R.configGet" },
  "CONFIG SET": { builders: { data: PAIRS } },
  "COMMAND DOCS": { reply: "RedisRecord<R.CommandDoc<S>>", transform: "R.commandDocs" },
  "COMMAND INFO": { reply: "(R.CommandInfo<S> | null)[]", transform: "R.commandInfo" },
  // Bare COMMAND: the same entry as COMMAND INFO's, for every command (and never null).
  COMMAND: {
    reply: "R.CommandInfo<S>[]",
    transform: "R.commandTable",
    note: "Every command's `COMMAND INFO` entry, in no set order: the whole command table.",
  },
  "MEMORY STATS": { reply: "RedisRecord<number | RedisRecord<number>>", transform: "R.memoryStats" },
  "LATENCY HISTOGRAM": { reply: "RedisRecord<R.LatencyHistogram>", transform: "R.latencyHistogram" },
  "ACL GETUSER": { reply: "R.AclUser<S> | null", transform: "R.aclGetuser" },
  "ACL LOG": {
    reply: "R.AclLogEntry<S>[]",
    transform: "R.aclLog",
    variants: [{ when: [{ reset: true }], reply: '"OK"' }],
  },
  "MODULE LIST": { reply: "R.ModuleInfo<S>[]", transform: "R.moduleList" },
  // Status replies, strings under either decoding.
  "COMMAND GETKEYSANDFLAGS": { reply: "[key: S, flags: string[]][]" },
  BGREWRITEAOF: { reply: "string" },
  REPLICAOF: { reply: "string" },
  SLAVEOF: { reply: "string" },
  // The role names and link states are read as strings under either decoding, so they narrow the union.
  ROLE: { reply: "R.Role<S>", transform: "R.role" },
  "ACL HELP": STATUS_LINES,
  "COMMAND HELP": STATUS_LINES,
  "CONFIG HELP": STATUS_LINES,
  "LATENCY HELP": STATUS_LINES,
  "MEMORY HELP": STATUS_LINES,
  "MODULE HELP": STATUS_LINES,
  "SLOWLOG HELP": STATUS_LINES,

  // ---- scripting
  "FUNCTION DUMP": BINARY_REPLY,
  "FUNCTION LIST": { reply: "R.FunctionLibrary<S>[]", transform: "R.functionList" },
  "FUNCTION STATS": { reply: "R.FunctionStats<S>", transform: "R.functionStats" },
  "FUNCTION HELP": STATUS_LINES,
  "SCRIPT HELP": STATUS_LINES,

  // ---- pubsub
  "PUBSUB NUMSUB": { reply: "RedisRecord<number>", transform: "R.numsub" },
  "PUBSUB SHARDNUMSUB": { reply: "RedisRecord<number>", transform: "R.numsub" },
  "PUBSUB HELP": STATUS_LINES,

  // ---- cluster
  "CLUSTER INFO": { reply: "RedisRecord<string>", transform: "R.clusterInfo" },
  "CLUSTER LINKS": { reply: "R.ClusterLink<S>[]", transform: "R.clusterLinks" },
  "CLUSTER SHARDS": { reply: "R.ClusterShard<S>[]", transform: "R.clusterShards" },
  "CLUSTER SLOT-STATS": { reply: "[slot: number, stats: RedisRecord<number>][]", transform: "R.clusterSlotStats" },
  "CLUSTER SLOTS": { reply: "R.ClusterSlotRange<S>[]", transform: "R.clusterSlots" },
  "CLUSTER HELP": STATUS_LINES,
  "CLUSTER BUMPEPOCH": { reply: "`BUMPED ${number}` | `STILL ${number}`", note: "A status reply: a string under either decoding." },
};
