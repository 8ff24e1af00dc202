/**
 * The argv each generated method sends (in the specification's argument order), for every
 * override of scripts/command-overrides.ts and a spread of representative commands.
 */
/* eslint-disable @typescript-eslint/no-deprecated -- deprecated commands are still commands: their methods are tested too */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { COMMANDS } from "../../../src/commands/generated/table.js";
import { argvOf, Recorder } from "./recorder.js";

/** [what, call, expected argv] */
type Case = readonly [string, (r: Recorder) => unknown, readonly string[]];

function check(cases: readonly Case[]): void {
  for (const [name, call, expected] of cases) {
    it(name, () => assert.deepEqual(argvOf(call), expected));
  }
}

describe("argv: string", () => {
  check([
    ["GET", (r) => r.get("k"), ["GET", "k"]],
    ["SET", (r) => r.set("k", "v"), ["SET", "k", "v"]],
    ["SET NX EX (spec order: condition before expiration)", (r) => r.set("k", "v", { ex: 10, nx: true }), ["SET", "k", "v", "NX", "EX", "10"]],
    ["SET XX GET PXAT", (r) => r.set("k", "v", { pxat: 1700000000000, get: true, xx: true }), ["SET", "k", "v", "XX", "GET", "PXAT", "1700000000000"]],
    ["SET KEEPTTL", (r) => r.set("k", "v", { keepttl: true }), ["SET", "k", "v", "KEEPTTL"]],
    ["SET flag false sends nothing", (r) => r.set("k", "v", { nx: false, get: false }), ["SET", "k", "v"]],
    ["SET bigint", (r) => r.set("k", "v", { px: 9007199254740993n }), ["SET", "k", "v", "PX", "9007199254740993"]],
    ["GETEX PERSIST", (r) => r.getex("k", { persist: true }), ["GETEX", "k", "PERSIST"]],
    ["GETEX EX", (r) => r.getex("k", { ex: 5 }), ["GETEX", "k", "EX", "5"]],
    ["MGET", (r) => r.mget(["a", "b"]), ["MGET", "a", "b"]],
    ["MSET record", (r) => r.mset({ a: "1", b: 2 }), ["MSET", "a", "1", "b", "2"]],
    ["MSET pairs", (r) => r.mset([["a", "1"], [Buffer.from("b"), "2"]]), ["MSET", "a", "1", "b", "2"]],
    ["MSETNX record", (r) => r.msetnx({ a: "1" }), ["MSETNX", "a", "1"]],
    ["INCRBYFLOAT", (r) => r.incrbyfloat("k", 1.5), ["INCRBYFLOAT", "k", "1.5"]],
    ["SETRANGE", (r) => r.setrange("k", 3, "x"), ["SETRANGE", "k", "3", "x"]],
    ["LCS", (r) => r.lcs("a", "b"), ["LCS", "a", "b"]],
    ["LCS IDX MINMATCHLEN WITHMATCHLEN", (r) => r.lcs("a", "b", { idx: true, minmatchlen: 2, withmatchlen: true }), ["LCS", "a", "b", "IDX", "MINMATCHLEN", "2", "WITHMATCHLEN"]],
    ["LCS LEN", (r) => r.lcs("a", "b", { len: true }), ["LCS", "a", "b", "LEN"]],
  ]);
  it("MSET with an empty record throws before sending", () => {
    assert.throws(() => new Recorder().mset({}), InvalidArgumentError);
  });
});

describe("argv: generic", () => {
  check([
    ["DEL", (r) => r.del(["a", "b", "c"]), ["DEL", "a", "b", "c"]],
    ["EXPIRE GT", (r) => r.expire("k", 10, { gt: true }), ["EXPIRE", "k", "10", "GT"]],
    ["COPY DB REPLACE", (r) => r.copy("a", "b", { db: 2, replace: true }), ["COPY", "a", "b", "DB", "2", "REPLACE"]],
    ["SCAN with a cursor string", (r) => r.scan("1234", { match: "k*", count: 10, type: "string" }), ["SCAN", "1234", "MATCH", "k*", "COUNT", "10", "TYPE", "string"]],
    ["SORT BY LIMIT GET GET DESC ALPHA STORE", (r) => r.sort("k", { by: "w_*", limit: { offset: 0, count: 5 }, get: ["#", "o_*"], desc: true, alpha: true, store: "d" }), ["SORT", "k", "BY", "w_*", "LIMIT", "0", "5", "GET", "#", "GET", "o_*", "DESC", "ALPHA", "STORE", "d"]],
    ["MIGRATE with KEYS and the empty key", (r) => r.migrate("h", 6379, "", 0, 1000, { copy: true, auth2: { username: "u", password: "p" }, keys: ["a", "b"] }), ["MIGRATE", "h", "6379", "", "0", "1000", "COPY", "AUTH2", "u", "p", "KEYS", "a", "b"]],
    ["RESTORE ABSTTL IDLETIME", (r) => r.restore("k", 0, "payload", { replace: true, absttl: true, idletime: 5 }), ["RESTORE", "k", "0", "payload", "REPLACE", "ABSTTL", "IDLETIME", "5"]],
    ["OBJECT ENCODING", (r) => r.objectEncoding("k"), ["OBJECT", "ENCODING", "k"]],
    ["WAIT", (r) => r.wait(1, 100), ["WAIT", "1", "100"]],
    ["WAITAOF", (r) => r.waitaof(1, 0, 100), ["WAITAOF", "1", "0", "100"]],
  ]);
});

describe("argv: hash", () => {
  check([
    ["HSET record", (r) => r.hset("h", { f: "v", n: 1 }), ["HSET", "h", "f", "v", "n", "1"]],
    ["HSET pairs", (r) => r.hset("h", [["f", "v"]]), ["HSET", "h", "f", "v"]],
    ["HMSET", (r) => r.hmset("h", { f: "v" }), ["HMSET", "h", "f", "v"]],
    ["HGETALL", (r) => r.hgetall("h"), ["HGETALL", "h"]],
    ["HRANDFIELD", (r) => r.hrandfield("h"), ["HRANDFIELD", "h"]],
    ["HRANDFIELD count WITHVALUES", (r) => r.hrandfield("h", { count: 2, withvalues: true }), ["HRANDFIELD", "h", "2", "WITHVALUES"]],
    ["HSCAN NOVALUES", (r) => r.hscan("h", "0", { count: 5, novalues: true }), ["HSCAN", "h", "0", "COUNT", "5", "NOVALUES"]],
    ["HEXPIRE NX FIELDS", (r) => r.hexpire("h", 60, ["a", "b"], { nx: true }), ["HEXPIRE", "h", "60", "NX", "FIELDS", "2", "a", "b"]],
    ["HPEXPIREAT", (r) => r.hpexpireat("h", 1700000000000, ["a"]), ["HPEXPIREAT", "h", "1700000000000", "FIELDS", "1", "a"]],
    ["HTTL", (r) => r.httl("h", ["a", "b", "c"]), ["HTTL", "h", "FIELDS", "3", "a", "b", "c"]],
    ["HPERSIST", (r) => r.hpersist("h", ["a"]), ["HPERSIST", "h", "FIELDS", "1", "a"]],
  ]);
});

describe("argv: list and set", () => {
  check([
    ["LPUSH", (r) => r.lpush("l", ["a", "b"]), ["LPUSH", "l", "a", "b"]],
    ["LPOP", (r) => r.lpop("l"), ["LPOP", "l"]],
    ["LPOP count", (r) => r.lpop("l", { count: 3 }), ["LPOP", "l", "3"]],
    ["RPOP count", (r) => r.rpop("l", { count: 1 }), ["RPOP", "l", "1"]],
    ["LPOS RANK COUNT MAXLEN", (r) => r.lpos("l", "x", { rank: -1, count: 0, maxlen: 100 }), ["LPOS", "l", "x", "RANK", "-1", "COUNT", "0", "MAXLEN", "100"]],
    ["LINSERT", (r) => r.linsert("l", "BEFORE", "p", "e"), ["LINSERT", "l", "BEFORE", "p", "e"]],
    ["BLPOP", (r) => r.blpop(["a", "b"], 3), ["BLPOP", "a", "b", "3"]],
    ["BLMOVE", (r) => r.blmove("a", "b", "LEFT", "RIGHT", 0.5), ["BLMOVE", "a", "b", "LEFT", "RIGHT", "0.5"]],
    ["LMPOP numkeys computed", (r) => r.lmpop(["a", "b"], "LEFT", { count: 2 }), ["LMPOP", "2", "a", "b", "LEFT", "COUNT", "2"]],
    ["BLMPOP", (r) => r.blmpop(1, ["a"], "RIGHT"), ["BLMPOP", "1", "1", "a", "RIGHT"]],
    ["SADD", (r) => r.sadd("s", ["a"]), ["SADD", "s", "a"]],
    ["SPOP count", (r) => r.spop("s", { count: 2 }), ["SPOP", "s", "2"]],
    ["SRANDMEMBER count", (r) => r.srandmember("s", { count: -2 }), ["SRANDMEMBER", "s", "-2"]],
    ["SINTERCARD LIMIT", (r) => r.sintercard(["a", "b"], { limit: 5 }), ["SINTERCARD", "2", "a", "b", "LIMIT", "5"]],
  ]);
});

describe("argv: sorted set", () => {
  check([
    ["ZADD NX GT CH pairs in order", (r) => r.zadd("z", [{ score: 1, member: "a" }, { score: 2.5, member: "b" }], { nx: true, gt: true, ch: true }), ["ZADD", "z", "NX", "GT", "CH", "1", "a", "2.5", "b"]],
    ["ZADD INCR", (r) => r.zadd("z", [{ score: 1, member: "a" }], { incr: true }), ["ZADD", "z", "INCR", "1", "a"]],
    ["ZINCRBY double", (r) => r.zincrby("z", 0.5, "a"), ["ZINCRBY", "z", "0.5", "a"]],
    ["ZSCORE", (r) => r.zscore("z", "a"), ["ZSCORE", "z", "a"]],
    ["ZMSCORE", (r) => r.zmscore("z", ["a", "b"]), ["ZMSCORE", "z", "a", "b"]],
    ["ZRANGE BYSCORE REV LIMIT WITHSCORES", (r) => r.zrange("z", "(1", "+inf", { byscore: true, rev: true, limit: { offset: 0, count: 10 }, withscores: true }), ["ZRANGE", "z", "(1", "+inf", "BYSCORE", "REV", "LIMIT", "0", "10", "WITHSCORES"]],
    ["ZRANGEBYSCORE exclusive bound", (r) => r.zrangebyscore("z", "(1", "+inf", { withscores: true }), ["ZRANGEBYSCORE", "z", "(1", "+inf", "WITHSCORES"]],
    ["ZREVRANGEBYSCORE LIMIT", (r) => r.zrevrangebyscore("z", 10, "-inf", { limit: { offset: 1, count: 2 } }), ["ZREVRANGEBYSCORE", "z", "10", "-inf", "LIMIT", "1", "2"]],
    ["ZREVRANGE WITHSCORES", (r) => r.zrevrange("z", 0, -1, { withscores: true }), ["ZREVRANGE", "z", "0", "-1", "WITHSCORES"]],
    ["ZCOUNT", (r) => r.zcount("z", "-inf", 5), ["ZCOUNT", "z", "-inf", "5"]],
    ["ZREMRANGEBYSCORE", (r) => r.zremrangebyscore("z", "(0", 1), ["ZREMRANGEBYSCORE", "z", "(0", "1"]],
    ["ZDIFF WITHSCORES", (r) => r.zdiff(["a", "b"], { withscores: true }), ["ZDIFF", "2", "a", "b", "WITHSCORES"]],
    ["ZINTER WEIGHTS AGGREGATE", (r) => r.zinter(["a", "b"], { weights: [1, 0.5], aggregate: "MAX", withscores: true }), ["ZINTER", "2", "a", "b", "WEIGHTS", "1", "0.5", "AGGREGATE", "MAX", "WITHSCORES"]],
    ["ZUNION", (r) => r.zunion(["a"], { weights: [2] }), ["ZUNION", "1", "a", "WEIGHTS", "2"]],
    ["ZINTERSTORE", (r) => r.zinterstore("d", ["a", "b"], { weights: [1, 2] }), ["ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"]],
    ["ZUNIONSTORE", (r) => r.zunionstore("d", ["a"], { aggregate: "SUM" }), ["ZUNIONSTORE", "d", "1", "a", "AGGREGATE", "SUM"]],
    ["ZRANDMEMBER count WITHSCORES", (r) => r.zrandmember("z", { count: 2, withscores: true }), ["ZRANDMEMBER", "z", "2", "WITHSCORES"]],
    ["ZPOPMIN", (r) => r.zpopmin("z"), ["ZPOPMIN", "z"]],
    ["ZPOPMAX count", (r) => r.zpopmax("z", { count: 2 }), ["ZPOPMAX", "z", "2"]],
    ["BZPOPMIN", (r) => r.bzpopmin(["a", "b"], 1), ["BZPOPMIN", "a", "b", "1"]],
    ["BZPOPMAX", (r) => r.bzpopmax(["a"], 0), ["BZPOPMAX", "a", "0"]],
    ["ZMPOP", (r) => r.zmpop(["a", "b"], "MIN", { count: 3 }), ["ZMPOP", "2", "a", "b", "MIN", "COUNT", "3"]],
    ["BZMPOP", (r) => r.bzmpop(2, ["a"], "MAX"), ["BZMPOP", "2", "1", "a", "MAX"]],
    ["ZRANK WITHSCORE", (r) => r.zrank("z", "a", { withscore: true }), ["ZRANK", "z", "a", "WITHSCORE"]],
    ["ZREVRANK", (r) => r.zrevrank("z", "a"), ["ZREVRANK", "z", "a"]],
    ["ZRANGESTORE BYLEX", (r) => r.zrangestore("d", "s", "[a", "[z", { bylex: true, limit: { offset: 0, count: 1 } }), ["ZRANGESTORE", "d", "s", "[a", "[z", "BYLEX", "LIMIT", "0", "1"]],
  ]);
});

describe("argv: geo", () => {
  check([
    ["GEOADD XX CH", (r) => r.geoadd("g", [{ longitude: 13.36, latitude: 38.11, member: "Palermo" }], { xx: true, ch: true }), ["GEOADD", "g", "XX", "CH", "13.36", "38.11", "Palermo"]],
    ["GEOPOS", (r) => r.geopos("g", ["a", "b"]), ["GEOPOS", "g", "a", "b"]],
    ["GEOPOS without members", (r) => r.geopos("g"), ["GEOPOS", "g"]],
    ["GEODIST unit", (r) => r.geodist("g", "a", "b", { km: true }), ["GEODIST", "g", "a", "b", "km"]],
    ["GEOSEARCH FROMLONLAT BYBOX", (r) => r.geosearch("g", { fromlonlat: { longitude: 15, latitude: 37 } }, { bybox: 400, height: 400, unit: "km" }, { asc: true, count: 4, any: true, withdist: true }), ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "COUNT", "4", "ANY", "WITHDIST"]],
    ["GEOSEARCH FROMMEMBER BYRADIUS", (r) => r.geosearch("g", { frommember: "m" }, { byradius: 10, unit: "m" }), ["GEOSEARCH", "g", "FROMMEMBER", "m", "BYRADIUS", "10", "m"]],
    ["GEOSEARCHSTORE STOREDIST", (r) => r.geosearchstore("d", "g", { frommember: "m" }, { byradius: 1, unit: "mi" }, { storedist: true }), ["GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "m", "BYRADIUS", "1", "mi", "STOREDIST"]],
    ["GEORADIUS WITHCOORD COUNT STORE order", (r) => r.georadius("g", 15, 37, 200, "km", { withcoord: true, count: 5, desc: true }), ["GEORADIUS", "g", "15", "37", "200", "km", "WITHCOORD", "COUNT", "5", "DESC"]],
    ["GEORADIUS STORE", (r) => r.georadius("g", 15, 37, 200, "km", { store: "dst" }), ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "dst"]],
    ["GEORADIUSBYMEMBER STOREDIST", (r) => r.georadiusbymember("g", "m", 5, "ft", { storedist: "d" }), ["GEORADIUSBYMEMBER", "g", "m", "5", "ft", "STOREDIST", "d"]],
    ["GEORADIUS_RO WITHHASH", (r) => r.georadiusRo("g", 1, 2, 3, "m", { withhash: true }), ["GEORADIUS_RO", "g", "1", "2", "3", "m", "WITHHASH"]],
    ["GEORADIUSBYMEMBER_RO", (r) => r.georadiusbymemberRo("g", "m", 3, "m", { withdist: true }), ["GEORADIUSBYMEMBER_RO", "g", "m", "3", "m", "WITHDIST"]],
  ]);
});

describe("argv: stream", () => {
  check([
    ["XADD * record", (r) => r.xadd("s", "*", { f: "v", g: "w" }), ["XADD", "s", "*", "f", "v", "g", "w"]],
    ["XADD NOMKSTREAM MAXLEN ~ LIMIT before the ID", (r) => r.xadd("s", "1-0", [["f", "v"]], { nomkstream: true, strategy: "MAXLEN", operator: "~", threshold: 1000, limit: 10 }), ["XADD", "s", "NOMKSTREAM", "MAXLEN", "~", "1000", "LIMIT", "10", "1-0", "f", "v"]],
    ["XTRIM MINID", (r) => r.xtrim("s", { strategy: "MINID", threshold: "0-1" }), ["XTRIM", "s", "MINID", "0-1"]],
    ["XRANGE COUNT", (r) => r.xrange("s", "-", "+", { count: 10 }), ["XRANGE", "s", "-", "+", "COUNT", "10"]],
    ["XREVRANGE", (r) => r.xrevrange("s", "+", "-"), ["XREVRANGE", "s", "+", "-"]],
    ["XREAD COUNT BLOCK STREAMS record", (r) => r.xread({ a: "0-0", b: "$" }, { count: 2, block: 100 }), ["XREAD", "COUNT", "2", "BLOCK", "100", "STREAMS", "a", "b", "0-0", "$"]],
    ["XREAD STREAMS pairs", (r) => r.xread([["a", "0"]]), ["XREAD", "STREAMS", "a", "0"]],
    ["XREADGROUP GROUP NOACK", (r) => r.xreadgroup({ group: "g", consumer: "c" }, { s: ">" }, { count: 1, noack: true }), ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "NOACK", "STREAMS", "s", ">"]],
    ["XGROUP CREATE $ MKSTREAM", (r) => r.xgroupCreate("s", "g", "$", { mkstream: true, entriesread: 3 }), ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM", "ENTRIESREAD", "3"]],
    ["XCLAIM IDLE JUSTID", (r) => r.xclaim("s", "g", "c", "10", ["1-0", "2-0"], { idle: 5, justid: true }), ["XCLAIM", "s", "g", "c", "10", "1-0", "2-0", "IDLE", "5", "JUSTID"]],
    ["XAUTOCLAIM", (r) => r.xautoclaim("s", "g", "c", "10", "0-0", { count: 5 }), ["XAUTOCLAIM", "s", "g", "c", "10", "0-0", "COUNT", "5"]],
    ["XPENDING summary", (r) => r.xpending("s", "g"), ["XPENDING", "s", "g"]],
    ["XPENDING IDLE range consumer", (r) => r.xpending("s", "g", { idle: 100, start: "-", end: "+", count: 10, consumer: "c" }), ["XPENDING", "s", "g", "IDLE", "100", "-", "+", "10", "c"]],
    ["XINFO GROUPS", (r) => r.xinfoGroups("s"), ["XINFO", "GROUPS", "s"]],
    ["XINFO CONSUMERS", (r) => r.xinfoConsumers("s", "g"), ["XINFO", "CONSUMERS", "s", "g"]],
    ["XINFO STREAM", (r) => r.xinfoStream("s"), ["XINFO", "STREAM", "s"]],
    ["XINFO STREAM FULL COUNT", (r) => r.xinfoStream("s", { full: true, count: 5 }), ["XINFO", "STREAM", "s", "FULL", "COUNT", "5"]],
  ]);
  it("XREAD with no stream throws before sending", () => {
    assert.throws(() => new Recorder().xread({}), InvalidArgumentError);
  });
});

describe("argv: bitmap, hyperloglog, scripting, pubsub", () => {
  check([
    ["BITCOUNT range BIT", (r) => r.bitcount("b", { start: 0, end: 10, bit: true }), ["BITCOUNT", "b", "0", "10", "BIT"]],
    ["BITCOUNT start only", (r) => r.bitcount("b", { start: 1 }), ["BITCOUNT", "b", "1"]],
    ["BITOP", (r) => r.bitop("AND", "d", ["a", "b"]), ["BITOP", "AND", "d", "a", "b"]],
    ["BITFIELD operations", (r) => r.bitfield("b", [{ get: { encoding: "u8", offset: 0 } }, { overflow: "SAT", incrby: { encoding: "i5", offset: 100, increment: 1 } }, { set: { encoding: "u8", offset: 8, value: 255 } }]), ["BITFIELD", "b", "GET", "u8", "0", "OVERFLOW", "SAT", "INCRBY", "i5", "100", "1", "SET", "u8", "8", "255"]],
    ["BITFIELD_RO", (r) => r.bitfieldRo("b", { get: [{ encoding: "u8", offset: 0 }, { encoding: "u4", offset: 8 }] }), ["BITFIELD_RO", "b", "GET", "u8", "0", "GET", "u4", "8"]],
    ["PFADD", (r) => r.pfadd("h", ["a", "b"]), ["PFADD", "h", "a", "b"]],
    ["EVAL keys and args", (r) => r.eval("return 1", ["k1", "k2"], ["a"]), ["EVAL", "return 1", "2", "k1", "k2", "a"]],
    ["EVAL no keys", (r) => r.eval("return 1"), ["EVAL", "return 1", "0"]],
    ["EVALSHA_RO", (r) => r.evalshaRo("abc", ["k"]), ["EVALSHA_RO", "abc", "1", "k"]],
    ["FCALL", (r) => r.fcall("f", [], ["x"]), ["FCALL", "f", "0", "x"]],
    ["FUNCTION LOAD REPLACE", (r) => r.functionLoad("code", { replace: true }), ["FUNCTION", "LOAD", "REPLACE", "code"]],
    ["FUNCTION LIST", (r) => r.functionList({ libraryname: "lib*", withcode: true }), ["FUNCTION", "LIST", "LIBRARYNAME", "lib*", "WITHCODE"]],
    ["FUNCTION STATS", (r) => r.functionStats(), ["FUNCTION", "STATS"]],
    ["SCRIPT EXISTS", (r) => r.scriptExists(["a", "b"]), ["SCRIPT", "EXISTS", "a", "b"]],
    ["PUBLISH", (r) => r.publish("c", "m"), ["PUBLISH", "c", "m"]],
    ["PUBSUB NUMSUB", (r) => r.pubsubNumsub(["a", "b"]), ["PUBSUB", "NUMSUB", "a", "b"]],
    ["PUBSUB SHARDNUMSUB", (r) => r.pubsubShardnumsub(["a"]), ["PUBSUB", "SHARDNUMSUB", "a"]],
  ]);
});

describe("argv: connection, server, cluster", () => {
  check([
    ["CLIENT ID", (r) => r.clientId(), ["CLIENT", "ID"]],
    ["CLIENT NO-EVICT", (r) => r.clientNoEvict("ON"), ["CLIENT", "NO-EVICT", "ON"]],
    ["CLIENT SETINFO LIB-NAME", (r) => r.clientSetinfo({ libName: "coredis" }), ["CLIENT", "SETINFO", "lib-name", "coredis"]],
    ["CLIENT KILL old form", (r) => r.clientKill("127.0.0.1:5000"), ["CLIENT", "KILL", "127.0.0.1:5000"]],
    ["CLIENT KILL filters", (r) => r.clientKill({ id: 7, skipme: "NO", maxage: 10 }), ["CLIENT", "KILL", "ID", "7", "SKIPME", "NO", "MAXAGE", "10"]],
    ["CLIENT LIST TYPE ID", (r) => r.clientList({ type: "normal", id: [1, 2] }), ["CLIENT", "LIST", "TYPE", "normal", "ID", "1", "2"]],
    ["CLIENT INFO", (r) => r.clientInfo(), ["CLIENT", "INFO"]],
    ["CLIENT TRACKINGINFO", (r) => r.clientTrackinginfo(), ["CLIENT", "TRACKINGINFO"]],
    ["CLIENT PAUSE WRITE", (r) => r.clientPause(100, { write: true }), ["CLIENT", "PAUSE", "100", "WRITE"]],
    ["PING", (r) => r.ping({ message: "hi" }), ["PING", "hi"]],
    ["INFO sections", (r) => r.info(["server", "clients"]), ["INFO", "server", "clients"]],
    ["CONFIG GET", (r) => r.configGet(["maxmemory", "port"]), ["CONFIG", "GET", "maxmemory", "port"]],
    ["CONFIG SET record", (r) => r.configSet({ maxmemory: "1mb", "maxmemory-policy": "allkeys-lru" }), ["CONFIG", "SET", "maxmemory", "1mb", "maxmemory-policy", "allkeys-lru"]],
    ["COMMAND DOCS", (r) => r.commandDocs(["get"]), ["COMMAND", "DOCS", "get"]],
    ["COMMAND INFO", (r) => r.commandInfo(["get", "set"]), ["COMMAND", "INFO", "get", "set"]],
    ["COMMAND LIST FILTERBY PATTERN", (r) => r.commandList({ filterby: { pattern: "x*" } }), ["COMMAND", "LIST", "FILTERBY", "PATTERN", "x*"]],
    ["COMMAND GETKEYS", (r) => r.commandGetkeys("SET", ["k", "v"]), ["COMMAND", "GETKEYS", "SET", "k", "v"]],
    ["MEMORY STATS", (r) => r.memoryStats(), ["MEMORY", "STATS"]],
    ["MEMORY USAGE SAMPLES", (r) => r.memoryUsage("k", { samples: 0 }), ["MEMORY", "USAGE", "k", "SAMPLES", "0"]],
    ["LATENCY HISTOGRAM", (r) => r.latencyHistogram(["set"]), ["LATENCY", "HISTOGRAM", "set"]],
    ["ACL GETUSER", (r) => r.aclGetuser("u"), ["ACL", "GETUSER", "u"]],
    ["ACL LOG RESET", (r) => r.aclLog({ reset: true }), ["ACL", "LOG", "RESET"]],
    ["ACL LOG count", (r) => r.aclLog({ count: 5 }), ["ACL", "LOG", "5"]],
    ["ACL SETUSER rules", (r) => r.aclSetuser("u", ["on", ">p"]), ["ACL", "SETUSER", "u", "on", ">p"]],
    ["MODULE LIST", (r) => r.moduleList(), ["MODULE", "LIST"]],
    ["MODULE LOADEX CONFIG ARGS", (r) => r.moduleLoadex("/m.so", { config: [{ name: "a", value: "1" }, { name: "b", value: "2" }], args: ["x"] }), ["MODULE", "LOADEX", "/m.so", "CONFIG", "a", "1", "CONFIG", "b", "2", "ARGS", "x"]],
    ["FAILOVER TO FORCE TIMEOUT", (r) => r.failover({ to: { host: "h", port: 1, force: true }, timeout: 5 }), ["FAILOVER", "TO", "h", "1", "FORCE", "TIMEOUT", "5"]],
    ["SHUTDOWN NOSAVE NOW", (r) => r.shutdown({ nosave: true, now: true }), ["SHUTDOWN", "NOSAVE", "NOW"]],
    ["SHUTDOWN ABORT", (r) => r.shutdown({ abort: true }), ["SHUTDOWN", "ABORT"]],
    ["REPLICAOF NO ONE", (r) => r.replicaof({ noOne: true }), ["REPLICAOF", "NO", "ONE"]],
    ["REPLICAOF host port", (r) => r.replicaof({ host: "h", port: 6380 }), ["REPLICAOF", "h", "6380"]],
    ["FLUSHALL ASYNC", (r) => r.flushall({ async: true }), ["FLUSHALL", "ASYNC"]],
    ["CLUSTER INFO", (r) => r.clusterInfo(), ["CLUSTER", "INFO"]],
    ["CLUSTER SETSLOT NODE", (r) => r.clusterSetslot(7, { node: "abc" }), ["CLUSTER", "SETSLOT", "7", "NODE", "abc"]],
    ["CLUSTER SETSLOT STABLE TIMEOUT", (r) => r.clusterSetslot(7, { stable: true }, { timeout: 5 }), ["CLUSTER", "SETSLOT", "7", "STABLE", "TIMEOUT", "5"]],
    ["CLUSTER ADDSLOTSRANGE", (r) => r.clusterAddslotsrange([{ startSlot: 0, endSlot: 100 }, { startSlot: 200, endSlot: 300 }]), ["CLUSTER", "ADDSLOTSRANGE", "0", "100", "200", "300"]],
    ["CLUSTER COUNT-FAILURE-REPORTS", (r) => r.clusterCountFailureReports("n"), ["CLUSTER", "COUNT-FAILURE-REPORTS", "n"]],
    ["CLUSTER LINKS", (r) => r.clusterLinks(), ["CLUSTER", "LINKS"]],
    ["CLUSTER SHARDS", (r) => r.clusterShards(), ["CLUSTER", "SHARDS"]],
    ["CLUSTER SLOTS", (r) => r.clusterSlots(), ["CLUSTER", "SLOTS"]],
    ["CLUSTER SLOT-STATS ORDERBY", (r) => r.clusterSlotStats({ orderby: { metric: "key-count", limit: 10, desc: true } }), ["CLUSTER", "SLOT-STATS", "ORDERBY", "key-count", "LIMIT", "10", "DESC"]],
    ["CLUSTER SLOT-STATS SLOTSRANGE", (r) => r.clusterSlotStats({ slotsrange: { startSlot: 0, endSlot: 10 } }), ["CLUSTER", "SLOT-STATS", "SLOTSRANGE", "0", "10"]],
  ]);
  it("CLIENT KILL with no filter throws before sending", () => {
    assert.throws(() => new Recorder().clientKill({}), InvalidArgumentError);
  });
});

describe("argv: the spec each method sends", () => {
  it("is the command's own table entry", () => {
    const r = new Recorder();
    r.clientNoEvict("ON");
    assert.equal(r.spec, COMMANDS.CLIENT_NO_EVICT);
    r.get("k");
    assert.equal(r.spec, COMMANDS.GET);
    r.hexpire("h", 1, ["f"]);
    assert.equal(r.spec, COMMANDS.HEXPIRE);
  });
});
