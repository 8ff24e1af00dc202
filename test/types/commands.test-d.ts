/**
 * Type tests of the generated command surface, checked by `npm run test:types` (tsc): argument
 * and reply types of representative commands, for `S = string` and `S = Buffer`, and the option
 * combinations the types rule out.
 */
/* eslint-disable @typescript-eslint/no-deprecated -- deprecated commands are still commands: their methods are tested too */
import { expectTypeOf } from "expect-type";
import type { ReturnKind } from "../../src/commands/executor.js";
import type { RedisCommands } from "../../src/commands/generated/commands.js";
import type { StreamEntry, XInfoGroup } from "../../src/commands/replies/stream.js";
import type { GeoSearchItem } from "../../src/commands/replies/geo.js";
import type { CommandInfo, InfoSections } from "../../src/commands/replies/server.js";
import type { Redis } from "../../src/client/redis.js";
import type { NonEmptyArray, RedisFieldValues, RedisInteger, ScoredMember } from "../../src/commands/types.js";
import type { SetOptions, ZrangeOptions } from "../../src/commands/index.js";
import type { RedisArgument } from "../../src/protocol/values.js";

declare const r: RedisCommands<string>;
declare const rb: RedisCommands<Buffer>;
declare const flag: boolean;

// ---- strings
expectTypeOf(r.get("k")).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(rb.get("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(r.set("k", "v")).toEqualTypeOf<Promise<"OK" | null>>();
expectTypeOf(r.set("k", "v", { ex: 10, nx: true })).toEqualTypeOf<Promise<"OK" | null>>();
expectTypeOf(r.set("k", "v", { get: true })).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(rb.set("k", "v", { get: true, keepttl: true })).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(r.set("k", "v", { get: flag })).toEqualTypeOf<Promise<string | null>>(); // "OK" | string is string
// @ts-expect-error NX and XX exclude each other
void r.set("k", "v", { nx: true, xx: true });
// @ts-expect-error EX and PX exclude each other
void r.set("k", "v", { ex: 1, px: 1000 });
// @ts-expect-error KEEPTTL and EXAT exclude each other
void r.set("k", "v", { keepttl: true, exat: 1 });
// @ts-expect-error option keys are Redis's tokens: no invented synonyms
void r.set("k", "v", { expire: 10 });
// @ts-expect-error an integer option takes a number, not a string
void r.set("k", "v", { ex: "10" });
expectTypeOf(r.set("k", Buffer.from("v"), { px: 10n })).toEqualTypeOf<Promise<"OK" | null>>();
expectTypeOf(r.mget(["a", "b"])).toEqualTypeOf<Promise<(string | null)[]>>();
expectTypeOf(rb.mget(["a"])).toEqualTypeOf<Promise<(Buffer | null)[]>>();
// @ts-expect-error MGET needs at least one key
void r.mget([]);
expectTypeOf(r.mset({ a: "1", b: 2 })).toEqualTypeOf<Promise<"OK">>();
expectTypeOf(r.incr("n")).toEqualTypeOf<Promise<number>>();
expectTypeOf(rb.incrbyfloat("n", 1.5)).toEqualTypeOf<Promise<Buffer>>();
expectTypeOf(r.lcs("a", "b", { len: true })).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.getex("k", { persist: true })).toEqualTypeOf<Promise<string | null>>();

// ---- generic
expectTypeOf(r.del(["a"])).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.expire("k", 10, { nx: true })).toEqualTypeOf<Promise<0 | 1>>();
// @ts-expect-error NX and GT exclude each other
void r.expire("k", 10, { nx: true, gt: true });
expectTypeOf(r.scan("0", { match: "k*" })).toEqualTypeOf<Promise<[string, string[]]>>();
expectTypeOf(rb.scan("0")).toEqualTypeOf<Promise<[Buffer, Buffer[]]>>();
expectTypeOf(r.ttl("k")).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.sort("k", { store: "d" })).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.sort("k", { alpha: true })).toEqualTypeOf<Promise<(string | null)[]>>();
expectTypeOf(r.eval("return 1", ["k"], ["a"])).toEqualTypeOf<Promise<import("../../src/protocol/values.js").RESPValue>>();

// ---- hash
expectTypeOf(r.hget("h", "f")).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(r.hgetall("h")).toEqualTypeOf<Promise<Record<string, string>>>();
expectTypeOf(rb.hgetall("h")).toEqualTypeOf<Promise<Record<string, Buffer>>>();
expectTypeOf(r.hset("h", { f: "v" })).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.hset("h", [[Buffer.from("f"), "v"]])).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.hrandfield("h")).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(r.hrandfield("h", { count: 2 })).toEqualTypeOf<Promise<string[]>>();
expectTypeOf(rb.hrandfield("h", { count: 2, withvalues: true })).toEqualTypeOf<Promise<[field: Buffer, value: Buffer][]>>();
// @ts-expect-error WITHVALUES needs a count
void r.hrandfield("h", { withvalues: true });
expectTypeOf(r.hexpire("h", 10, ["f"], { gt: true })).toEqualTypeOf<Promise<number[]>>();
expectTypeOf(r.httl("h", ["f", "g"])).toEqualTypeOf<Promise<number[]>>();
// @ts-expect-error HTTL needs at least one field
void r.httl("h", []);

// ---- bitmap
expectTypeOf(r.bitfield("b", [{ get: { encoding: "u8", offset: "#1" } }, { overflow: "SAT", incrby: { encoding: "i8", offset: 0, increment: 1 } }])).toEqualTypeOf<Promise<(number | null)[]>>();
expectTypeOf(r.bitfieldRo("b", { get: [{ encoding: "u8", offset: "#2" }] })).toEqualTypeOf<Promise<number[]>>();
// @ts-expect-error an offset is a number or "#N"
void r.bitfieldRo("b", { get: [{ encoding: "u8", offset: "2" }] });

// ---- list
expectTypeOf(r.lpop("l")).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(r.lpop("l", { count: 2 })).toEqualTypeOf<Promise<string[] | null>>();
expectTypeOf(rb.rpop("l", { count: 2 })).toEqualTypeOf<Promise<Buffer[] | null>>();
expectTypeOf(r.blpop(["a", "b"], 3)).toEqualTypeOf<Promise<[string, string] | null>>();
expectTypeOf(r.lrange("l", 0, -1)).toEqualTypeOf<Promise<string[]>>();
expectTypeOf(r.lpos("l", "x", { count: 0 })).toEqualTypeOf<Promise<number[]>>();
expectTypeOf(r.lmpop(["a"], "LEFT")).toEqualTypeOf<Promise<[string, string[]] | null>>();
// @ts-expect-error the direction is LEFT or RIGHT
void r.lmove("a", "b", "UP", "LEFT");
expectTypeOf(r.lmove("a", "b", "LEFT", "RIGHT")).toEqualTypeOf<Promise<string | null>>(); // null: empty source

// ---- set
expectTypeOf(r.smembers("s")).toEqualTypeOf<Promise<string[]>>();
expectTypeOf(r.spop("s")).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(r.spop("s", { count: 3 })).toEqualTypeOf<Promise<string[]>>();
expectTypeOf(r.sismember("s", "m")).toEqualTypeOf<Promise<0 | 1>>();

// ---- sorted set
expectTypeOf(r.zadd("z", [{ score: 1, member: "a" }])).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.zadd("z", [{ score: 1, member: "a" }], { incr: true })).toEqualTypeOf<Promise<number | null>>();
// @ts-expect-error GT and LT exclude each other
void r.zadd("z", [{ score: 1, member: "a" }], { gt: true, lt: true });
expectTypeOf(r.zscore("z", "a")).toEqualTypeOf<Promise<number | null>>();
expectTypeOf(rb.zscore("z", "a")).toEqualTypeOf<Promise<number | null>>();
expectTypeOf(r.zrange("z", 0, -1)).toEqualTypeOf<Promise<string[]>>();
expectTypeOf(r.zrange("z", 0, -1, { withscores: true })).toEqualTypeOf<Promise<ScoredMember<string>[]>>();
expectTypeOf(rb.zrange("z", 0, -1, { withscores: true, rev: true })).toEqualTypeOf<Promise<[member: Buffer, score: number][]>>();
expectTypeOf(r.zrange("z", 0, -1, { withscores: flag })).toEqualTypeOf<Promise<ScoredMember<string>[] | string[]>>();
// @ts-expect-error BYSCORE and BYLEX exclude each other
void r.zrange("z", 0, 1, { byscore: true, bylex: true });
expectTypeOf(r.zrangebyscore("z", "(1", "+inf")).toEqualTypeOf<Promise<string[]>>();
expectTypeOf(r.zpopmin("z")).toEqualTypeOf<Promise<ScoredMember<string> | null>>();
expectTypeOf(r.zpopmin("z", { count: 2 })).toEqualTypeOf<Promise<ScoredMember<string>[]>>();
expectTypeOf(r.bzpopmax(["z"], 1)).toEqualTypeOf<Promise<[key: string, member: string, score: number] | null>>();
expectTypeOf(r.zrank("z", "a", { withscore: true })).toEqualTypeOf<Promise<[rank: number, score: number] | null>>();
expectTypeOf(r.zmscore("z", ["a"])).toEqualTypeOf<Promise<(number | null)[]>>();

// ---- geo
expectTypeOf(r.geopos("g", ["a"])).toEqualTypeOf<Promise<([longitude: number, latitude: number] | null)[]>>();
expectTypeOf(r.geodist("g", "a", "b", { km: true })).toEqualTypeOf<Promise<number | null>>();
expectTypeOf(r.geosearch("g", { frommember: "m" }, { byradius: 1, unit: "km" })).toEqualTypeOf<Promise<string[]>>();
expectTypeOf(r.geosearch("g", { frommember: "m" }, { byradius: 1, unit: "km" }, { withdist: true })).toEqualTypeOf<Promise<GeoSearchItem<string>[]>>();
expectTypeOf(r.georadius("g", 1, 2, 3, "km", { store: "d" })).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.geohash("g", ["a", "b"])).toEqualTypeOf<Promise<(string | null)[]>>(); // null: no such member
// @ts-expect-error FROMMEMBER and FROMLONLAT exclude each other
void r.geosearch("g", { frommember: "m", fromlonlat: { longitude: 1, latitude: 2 } }, { byradius: 1, unit: "km" });

// ---- stream
expectTypeOf(r.xadd("s", "*", { f: "v" })).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(r.xadd("s", "*", { f: "v" }, { strategy: "MAXLEN", operator: "~", threshold: 1000 })).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(r.xrange("s", "-", "+")).toEqualTypeOf<Promise<StreamEntry<string>[]>>();
expectTypeOf(rb.xrange("s", "-", "+")).toEqualTypeOf<Promise<StreamEntry<Buffer>[]>>();
expectTypeOf(r.xread({ s: "$" }, { block: 0 })).toEqualTypeOf<Promise<Record<string, StreamEntry<string>[]> | null>>();
expectTypeOf(r.xinfoGroups("s")).toEqualTypeOf<Promise<XInfoGroup<string>[]>>();
expectTypeOf(r.xclaim("s", "g", "c", "0", ["1-0"], { justid: true })).toEqualTypeOf<Promise<string[]>>();
expectTypeOf(r.xlen("s")).toEqualTypeOf<Promise<number>>();

// ---- server, connection, cluster
expectTypeOf(r.info()).toEqualTypeOf<Promise<InfoSections>>();
expectTypeOf(r.configGet(["maxmemory"])).toEqualTypeOf<Promise<Record<string, string>>>();
expectTypeOf(rb.configGet(["maxmemory"])).toEqualTypeOf<Promise<Record<string, Buffer>>>();
expectTypeOf(r.clientId()).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.clientNoEvict("ON")).toEqualTypeOf<Promise<"OK">>();
expectTypeOf(r.clientInfo()).toEqualTypeOf<Promise<Record<string, string>>>();
expectTypeOf(rb.clientList()).toEqualTypeOf<Promise<Record<string, string>[]>>();
expectTypeOf(r.clientKill({ id: 1 })).toEqualTypeOf<Promise<"OK" | number>>();
expectTypeOf(r.ping()).toEqualTypeOf<Promise<string>>();
expectTypeOf(rb.ping()).toEqualTypeOf<Promise<"PONG" | Buffer>>();
expectTypeOf(rb.set("k", "v", { get: flag })).toEqualTypeOf<Promise<Buffer | "OK" | null>>();
expectTypeOf(r.dbsize()).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.clusterCountFailureReports("n")).toEqualTypeOf<Promise<number>>();
expectTypeOf(r.fcallRo("f", ["k"])).toEqualTypeOf<Promise<import("../../src/protocol/values.js").RESPValue>>();
expectTypeOf(r.aclLog({ reset: true })).toEqualTypeOf<Promise<"OK">>();
// @ts-expect-error NOSAVE and SAVE exclude each other
void r.shutdown({ nosave: true, save: true });
// @ts-expect-error ABORT excludes the other options
void r.shutdown({ abort: true, now: true });

// ---- excluded commands are not methods
// @ts-expect-error SELECT changes the connection's state
void r.select(1);
// @ts-expect-error MULTI belongs to pipelines and transactions
void r.multi();
// @ts-expect-error SUBSCRIBE belongs to pubsub()
void r.subscribe(["c"]);

// ---- another return kind: a pipeline-like object that collects reply types
interface Queued<T> {
  readonly queued: T;
}
interface QueueKind extends ReturnKind {
  readonly result: Queued<this["value"]>;
}
declare const q: RedisCommands<string, QueueKind>;
expectTypeOf(q.get("k")).toEqualTypeOf<Queued<string | null>>();
expectTypeOf(q.zrange("z", 0, 1, { withscores: true })).toEqualTypeOf<Queued<ScoredMember<string>[]>>();

// ---- argument types
expectTypeOf<Parameters<typeof r.get>[0]>().toEqualTypeOf<RedisArgument>();
// (SET and ZRANGE have overloads: their option types are pinned by what they accept and reject)
expectTypeOf<{ ex: 10; nx: true }>().toMatchTypeOf<SetOptions>();
expectTypeOf<{ ex: 10; px: 10 }>().not.toMatchTypeOf<SetOptions>();
expectTypeOf<{ byscore: true; limit: { offset: 0; count: 10 } }>().toMatchTypeOf<ZrangeOptions>();
expectTypeOf<{ limit: { offset: 0 } }>().not.toMatchTypeOf<ZrangeOptions>();
expectTypeOf<Parameters<typeof r.expire>[1]>().toEqualTypeOf<RedisInteger>();
expectTypeOf<Parameters<typeof r.blpop>>().toEqualTypeOf<[keys: NonEmptyArray<RedisArgument>, timeout: number]>();
expectTypeOf<Parameters<typeof r.blmove>[2]>().toEqualTypeOf<"LEFT" | "RIGHT">();
expectTypeOf<Parameters<typeof r.hset>[1]>().toEqualTypeOf<RedisFieldValues>();
expectTypeOf<Parameters<typeof r.eval>>().toEqualTypeOf<[script: RedisArgument, keys?: readonly RedisArgument[], args?: readonly RedisArgument[]]>();
expectTypeOf<Parameters<typeof r.zadd>[1]>().toEqualTypeOf<NonEmptyArray<{ score: number; member: RedisArgument }>>();
expectTypeOf<Parameters<typeof r.zrangebyscore>[1]>().toEqualTypeOf<number | string>();
expectTypeOf<Parameters<typeof r.scan>[0]>().toEqualTypeOf<RedisArgument>();
expectTypeOf<Parameters<typeof rb.get>[0]>().toEqualTypeOf<RedisArgument>();

// ---- the same commands in Buffer mode
expectTypeOf(rb.getdel("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(rb.getrange("k", 0, 1)).toEqualTypeOf<Promise<Buffer>>();
expectTypeOf(rb.set("k", "v")).toEqualTypeOf<Promise<"OK" | null>>();
expectTypeOf(rb.incr("n")).toEqualTypeOf<Promise<number>>();
expectTypeOf(rb.del(["a"])).toEqualTypeOf<Promise<number>>();
expectTypeOf(rb.expire("k", 1)).toEqualTypeOf<Promise<0 | 1>>();
expectTypeOf(rb.keys("*")).toEqualTypeOf<Promise<Buffer[]>>();
expectTypeOf(rb.sort("k")).toEqualTypeOf<Promise<(Buffer | null)[]>>();
expectTypeOf(rb.hget("h", "f")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(rb.hmget("h", ["f"])).toEqualTypeOf<Promise<(Buffer | null)[]>>();
expectTypeOf(rb.hrandfield("h")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(rb.httl("h", ["f"])).toEqualTypeOf<Promise<number[]>>();
expectTypeOf(rb.lpop("l")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(rb.blpop(["l"], 1)).toEqualTypeOf<Promise<[Buffer, Buffer] | null>>();
expectTypeOf(rb.lrange("l", 0, -1)).toEqualTypeOf<Promise<Buffer[]>>();
expectTypeOf(rb.lmpop(["a"], "RIGHT")).toEqualTypeOf<Promise<[Buffer, Buffer[]] | null>>();
expectTypeOf(rb.smembers("s")).toEqualTypeOf<Promise<Buffer[]>>();
expectTypeOf(rb.spop("s", { count: 1 })).toEqualTypeOf<Promise<Buffer[]>>();
expectTypeOf(rb.zadd("z", [{ score: 1, member: "a" }], { incr: true })).toEqualTypeOf<Promise<number | null>>();
expectTypeOf(rb.zrange("z", 0, -1)).toEqualTypeOf<Promise<Buffer[]>>();
expectTypeOf(rb.zpopmin("z")).toEqualTypeOf<Promise<ScoredMember<Buffer> | null>>();
expectTypeOf(rb.bzpopmax(["z"], 1)).toEqualTypeOf<Promise<[key: Buffer, member: Buffer, score: number] | null>>();
expectTypeOf(rb.zmscore("z", ["a"])).toEqualTypeOf<Promise<(number | null)[]>>();
expectTypeOf(rb.geopos("g", ["a"])).toEqualTypeOf<Promise<([longitude: number, latitude: number] | null)[]>>();
expectTypeOf(rb.geosearch("g", { frommember: "m" }, { byradius: 1, unit: "km" }, { withcoord: true })).toEqualTypeOf<Promise<GeoSearchItem<Buffer>[]>>();
expectTypeOf(rb.xadd("s", "*", { f: "v" })).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(rb.xread({ s: "0" })).toEqualTypeOf<Promise<Record<string, StreamEntry<Buffer>[]> | null>>();
expectTypeOf(rb.xinfoGroups("s")).toEqualTypeOf<Promise<XInfoGroup<Buffer>[]>>();
expectTypeOf(rb.xlen("s")).toEqualTypeOf<Promise<number>>();
expectTypeOf(rb.info()).toEqualTypeOf<Promise<InfoSections>>();
expectTypeOf(rb.clientId()).toEqualTypeOf<Promise<number>>();
expectTypeOf(rb.clientGetname()).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(rb.echo("x")).toEqualTypeOf<Promise<Buffer>>();
expectTypeOf(rb.dbsize()).toEqualTypeOf<Promise<number>>();
expectTypeOf(rb.scriptLoad("return 1")).toEqualTypeOf<Promise<Buffer>>();
expectTypeOf(rb.pubsubNumsub(["c"])).toEqualTypeOf<Promise<Record<string, number>>>();
expectTypeOf(rb.clusterInfo()).toEqualTypeOf<Promise<Record<string, string>>>();
expectTypeOf(rb.clusterMyid()).toEqualTypeOf<Promise<Buffer>>();

// ---- replies binary by nature: Buffers whatever the decoding, on the clients too
declare const client: Redis;
declare const bufferClient: Redis<Buffer>;
expectTypeOf(r.dump("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(rb.dump("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(client.dump("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(bufferClient.dump("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(client.decoding(false).dump("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(r.functionDump()).toEqualTypeOf<Promise<Buffer>>();
expectTypeOf(client.functionDump()).toEqualTypeOf<Promise<Buffer>>();
expectTypeOf(bufferClient.functionDump()).toEqualTypeOf<Promise<Buffer>>();
// What DUMP gives, RESTORE takes.
declare const dumped: Buffer;
expectTypeOf(client.restore("k", 0, dumped)).toEqualTypeOf<Promise<"OK">>();
expectTypeOf(client.functionRestore(dumped)).toEqualTypeOf<Promise<"OK">>();

// ---- bare COMMAND: COMMAND INFO's entry for every command
expectTypeOf(client.command()).toEqualTypeOf<Promise<CommandInfo<string>[]>>();
expectTypeOf(bufferClient.command()).toEqualTypeOf<Promise<CommandInfo<Buffer>[]>>();
