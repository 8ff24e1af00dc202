/**
 * Reply transforms: a RESP2-shaped and a RESP3-shaped canned reply give the same value, and that
 * value is the documented one (null-prototype records, numbers for doubles, pairs for scores).
 */
/* eslint-disable @typescript-eslint/no-deprecated -- deprecated commands are still commands: their methods are tested too */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProtocolError } from "../../../src/errors.js";
import type { StringType } from "../../../src/commands/executor.js";
import type { RESPValue } from "../../../src/protocol/values.js";
import { rec, Recorder, replyOf } from "./recorder.js";

/** Asserts both protocols' replies read as `expected`. */
function same<S extends StringType = string, T = unknown>(call: (r: Recorder<S>) => T, resp2: RESPValue, resp3: RESPValue, expected: T, decodeStrings = true): void {
  const two = replyOf(call, resp2, 2, decodeStrings);
  const three = replyOf(call, resp3, 3, decodeStrings);
  assert.deepEqual(two, three, "RESP2 and RESP3 read differently");
  assert.deepEqual(three, expected);
}

const map = (...entries: [RESPValue, RESPValue][]): Map<RESPValue, RESPValue> => new Map(entries);
const b = (s: string): Buffer => Buffer.from(s);

describe("replies: hash", () => {
  it("HGETALL → null-prototype record", () => {
    same((r) => r.hgetall("h"), ["a", "1", "b", "2"], map(["a", "1"], ["b", "2"]), rec({ a: "1", b: "2" }));
    const out = replyOf((r) => r.hgetall("h"), ["__proto__", "x"], 2);
    assert.equal(Object.getPrototypeOf(out), null);
    assert.equal(out["__proto__"], "x");
    assert.equal(({} as Record<string, unknown>)["x"], undefined);
  });
  it("HGETALL in Buffer mode: keys decoded, values stay Buffers", () => {
    same<Buffer>((r) => r.hgetall("h"), [b("f"), b("v")], map([b("f"), b("v")]), rec({ f: b("v") }), false);
  });
  it("HGETALL of a missing key is an empty record", () => {
    same((r) => r.hgetall("h"), [], map(), rec({}));
  });
  it("HRANDFIELD WITHVALUES → pairs", () => {
    same((r) => r.hrandfield("h", { count: 2, withvalues: true }), ["a", "1", "b", "2"], [["a", "1"], ["b", "2"]], [["a", "1"], ["b", "2"]]);
  });
  it("HRANDFIELD count, without values, is left as is", () => {
    same((r) => r.hrandfield("h", { count: 2 }), ["a", "b"], ["a", "b"], ["a", "b"]);
  });
  it("a map of odd length is a ProtocolError", () => {
    assert.throws(() => replyOf((r) => r.hgetall("h"), ["a"], 2), ProtocolError);
    assert.throws(() => replyOf((r) => r.hgetall("h"), 3, 2), ProtocolError);
  });
});

describe("replies: sorted set", () => {
  it("ZSCORE → number | null, inf included", () => {
    same((r) => r.zscore("z", "a"), "1.5", 1.5, 1.5);
    same((r) => r.zscore("z", "a"), null, null, null);
    same((r) => r.zscore("z", "a"), "inf", Infinity, Infinity);
    same((r) => r.zscore("z", "a"), "-inf", -Infinity, -Infinity);
    same<Buffer>((r) => r.zscore("z", "a"), b("2"), 2, 2, false);
  });
  it("ZINCRBY → number", () => {
    same((r) => r.zincrby("z", 1, "a"), "3.25", 3.25, 3.25);
  });
  it("ZMSCORE → (number | null)[]", () => {
    same((r) => r.zmscore("z", ["a", "b"]), ["1", null], [1, null], [1, null]);
  });
  it("ZADD INCR → number | null; plain ZADD stays an integer", () => {
    same((r) => r.zadd("z", [{ score: 1, member: "a" }], { incr: true }), "2", 2, 2);
    same((r) => r.zadd("z", [{ score: 1, member: "a" }], { incr: true, nx: true }), null, null, null);
    same((r) => r.zadd("z", [{ score: 1, member: "a" }]), 1, 1, 1);
  });
  it("ZRANGE WITHSCORES → [member, score] pairs", () => {
    same((r) => r.zrange("z", 0, -1, { withscores: true }), ["a", "1", "b", "2.5"], [["a", 1], ["b", 2.5]], [["a", 1], ["b", 2.5]]);
    same((r) => r.zrange("z", 0, -1), ["a", "b"], ["a", "b"], ["a", "b"]);
  });
  it("ZRANGEBYSCORE/ZREVRANGE/ZREVRANGEBYSCORE/ZDIFF/ZINTER/ZUNION WITHSCORES → pairs", () => {
    const two = ["a", "1"];
    const three = [["a", 1]];
    const expected: [string, number][] = [["a", 1]];
    same((r) => r.zrangebyscore("z", 0, 1, { withscores: true }), two, three, expected);
    same((r) => r.zrevrange("z", 0, 1, { withscores: true }), two, three, expected);
    same((r) => r.zrevrangebyscore("z", 1, 0, { withscores: true }), two, three, expected);
    same((r) => r.zdiff(["a"], { withscores: true }), two, three, expected);
    same((r) => r.zinter(["a"], { withscores: true }), two, three, expected);
    same((r) => r.zunion(["a"], { withscores: true }), two, three, expected);
  });
  it("ZRANDMEMBER WITHSCORES → pairs", () => {
    same((r) => r.zrandmember("z", { count: 1, withscores: true }), ["a", "4"], [["a", 4]], [["a", 4]]);
  });
  it("ZPOPMIN without count → [member, score] | null", () => {
    same((r) => r.zpopmin("z"), ["a", "1"], ["a", 1], ["a", 1]);
    same((r) => r.zpopmin("z"), [], [], null);
  });
  it("ZPOPMAX with count → pairs", () => {
    same((r) => r.zpopmax("z", { count: 2 }), ["b", "2", "a", "1"], [["b", 2], ["a", 1]], [["b", 2], ["a", 1]]);
  });
  it("BZPOPMIN/BZPOPMAX → [key, member, score] | null", () => {
    same((r) => r.bzpopmin(["z"], 1), ["z", "a", "1"], ["z", "a", 1], ["z", "a", 1]);
    same((r) => r.bzpopmax(["z"], 1), null, null, null);
  });
  it("ZMPOP/BZMPOP → [key, pairs] | null", () => {
    same((r) => r.zmpop(["z"], "MIN"), ["z", [["a", "1"]]], ["z", [["a", 1]]], ["z", [["a", 1]]]);
    same((r) => r.bzmpop(1, ["z"], "MAX"), null, null, null);
  });
  it("ZRANK WITHSCORE → [rank, score] | null", () => {
    same((r) => r.zrank("z", "a", { withscore: true }), [0, "1.5"], [0, 1.5], [0, 1.5]);
    same((r) => r.zrevrank("z", "a", { withscore: true }), null, null, null);
    same((r) => r.zrank("z", "a"), 3, 3, 3);
  });
});

describe("replies: geo", () => {
  it("GEOPOS → coordinates | null", () => {
    same((r) => r.geopos("g", ["a", "b"]), [["13.5", "38.25"], null], [[13.5, 38.25], null], [[13.5, 38.25], null]);
  });
  it("GEODIST → number | null", () => {
    same((r) => r.geodist("g", "a", "b"), "166274.1516", "166274.1516", 166274.1516);
    same((r) => r.geodist("g", "a", "b"), null, null, null);
  });
  it("GEOSEARCH WITHDIST WITHHASH WITHCOORD → items", () => {
    same(
      (r) => r.geosearch("g", { frommember: "m" }, { byradius: 1, unit: "km" }, { withdist: true, withhash: true, withcoord: true }),
      [["Palermo", "190.4424", 3479099956230698, ["13.36", "38.11"]]],
      [["Palermo", "190.4424", 3479099956230698, [13.36, 38.11]]],
      [{ member: "Palermo", dist: 190.4424, hash: 3479099956230698, coord: [13.36, 38.11] }],
    );
  });
  it("GEORADIUS WITHCOORD only, and STORE's count", () => {
    same((r) => r.georadius("g", 1, 2, 3, "km", { withcoord: true }), [["a", ["1", "2"]]], [["a", [1, 2]]], [{ member: "a", coord: [1, 2] }]);
    same((r) => r.georadius("g", 1, 2, 3, "km", { store: "d" }), 2, 2, 2);
    same((r) => r.georadiusRo("g", 1, 2, 3, "km"), ["a"], ["a"], ["a"]);
    same((r) => r.georadiusbymemberRo("g", "m", 3, "km", { withhash: true }), [["a", 5]], [["a", 5]], [{ member: "a", hash: 5 }]);
    same((r) => r.georadiusbymember("g", "m", 3, "km", { withdist: true }), [["a", "0.5"]], [["a", "0.5"]], [{ member: "a", dist: 0.5 }]);
  });
});

describe("replies: stream", () => {
  const entryRaw = ["1-0", ["f", "v", "g", "w"]];
  const entry = { id: "1-0", fields: rec({ f: "v", g: "w" }) };
  it("XRANGE/XREVRANGE/XCLAIM → entries with record fields", () => {
    same((r) => r.xrange("s", "-", "+"), [entryRaw], [entryRaw], [entry]);
    same((r) => r.xrevrange("s", "+", "-"), [entryRaw], [entryRaw], [entry]);
    same((r) => r.xclaim("s", "g", "c", "0", ["1-0"]), [entryRaw], [entryRaw], [entry]);
    same((r) => r.xclaim("s", "g", "c", "0", ["1-0"], { justid: true }), ["1-0"], ["1-0"], ["1-0"]);
  });
  it("XREAD → stream → entries | null", () => {
    same((r) => r.xread({ s: "0" }), [["s", [entryRaw]]], map(["s", [entryRaw]]), rec({ s: [entry] }));
    same((r) => r.xread({ s: "$" }, { block: 10 }), null, null, null);
  });
  it("XREAD in Buffer mode: stream names decoded, entries Buffers", () => {
    const raw = [b("1-0"), [b("f"), b("v")]];
    same<Buffer>((r) => r.xread({ s: "0" }), [[b("s"), [raw]]], map([b("s"), [raw]]), rec({ s: [{ id: b("1-0"), fields: rec({ f: b("v") }) }] }), false);
  });
  it("XREADGROUP → deleted entries have null fields", () => {
    same(
      (r) => r.xreadgroup({ group: "g", consumer: "c" }, { s: "0" }),
      [["s", [entryRaw, ["2-0", null]]]],
      map(["s", [entryRaw, ["2-0", null]]]),
      rec({ s: [entry, { id: "2-0", fields: null }] }),
    );
  });
  it("XAUTOCLAIM → [next, entries, deleted]", () => {
    same((r) => r.xautoclaim("s", "g", "c", "0", "0"), ["0-0", [entryRaw], ["3-0"]], ["0-0", [entryRaw], ["3-0"]], ["0-0", [entry], ["3-0"]]);
  });
  it("XINFO GROUPS/CONSUMERS → records", () => {
    const group = { name: "g", consumers: 1, pending: 0, "last-delivered-id": "0-0", "entries-read": null, lag: 0 };
    same((r) => r.xinfoGroups("s"), [Object.entries(group).flat()], [new Map(Object.entries(group))], [rec(group)] as never);
    const consumer = { name: "c", pending: 0, idle: 5, inactive: -1 };
    same((r) => r.xinfoConsumers("s", "g"), [Object.entries(consumer).flat()], [new Map(Object.entries(consumer))], [rec(consumer)] as never);
  });
  it("XINFO STREAM → record with first/last entries", () => {
    const two = ["length", 1, "groups", 0, "first-entry", entryRaw, "last-entry", null];
    const three = map(["length", 1], ["groups", 0], ["first-entry", entryRaw], ["last-entry", null]);
    same((r) => r.xinfoStream("s"), two, three, rec({ length: 1, groups: 0, "first-entry": entry, "last-entry": null }) as never);
  });
  it("XINFO STREAM FULL → nested records", () => {
    const consumer2 = ["name", "c", "pel-count", 0, "pel", []];
    const group2 = ["name", "g", "pel", [["1-0", "c", 5, 1]], "consumers", [consumer2]];
    const two = ["length", 1, "entries", [entryRaw], "groups", [group2]];
    const consumer3 = map(["name", "c"], ["pel-count", 0], ["pel", []]);
    const group3 = map(["name", "g"], ["pel", [["1-0", "c", 5, 1]]], ["consumers", [consumer3]]);
    const three = map(["length", 1], ["entries", [entryRaw]], ["groups", [group3]]);
    const expected = rec({
      length: 1,
      entries: [entry],
      groups: [rec({ name: "g", pel: [["1-0", "c", 5, 1]], consumers: [rec({ name: "c", "pel-count": 0, pel: [] })] })],
    });
    same((r) => r.xinfoStream("s", { full: true }), two, three, expected as never);
  });
});

describe("replies: string", () => {
  it("LCS IDX → record of matches and len", () => {
    const matches = [[[4, 7], [5, 8], 4]];
    same((r) => r.lcs("a", "b", { idx: true, withmatchlen: true }), ["matches", matches, "len", 6], map(["matches", matches], ["len", 6]), { matches, len: 6 } as never);
    same((r) => r.lcs("a", "b", { len: true }), 6, 6, 6);
  });
});

describe("replies: connection and server", () => {
  it("CLIENT INFO → record of strings", () => {
    const line = "id=3 addr=127.0.0.1:5 laddr=127.0.0.1:6379 name= age=0 cmd=client|info lib-name=coredis\n";
    same((r) => r.clientInfo(), line, line, rec({ id: "3", addr: "127.0.0.1:5", laddr: "127.0.0.1:6379", name: "", age: "0", cmd: "client|info", "lib-name": "coredis" }));
    same<Buffer>((r) => r.clientInfo(), b("id=1 name=x"), b("id=1 name=x"), rec({ id: "1", name: "x" }), false);
  });
  it("CLIENT LIST → records", () => {
    const text = "id=1 name=a\nid=2 name=b\n";
    same((r) => r.clientList(), text, text, [rec({ id: "1", name: "a" }), rec({ id: "2", name: "b" })]);
  });
  it("CLIENT TRACKINGINFO → record", () => {
    same((r) => r.clientTrackinginfo(), ["flags", ["off"], "redirect", -1, "prefixes", []], map(["flags", ["off"]], ["redirect", -1], ["prefixes", []]), rec({ flags: ["off"], redirect: -1, prefixes: [] }) as never);
  });
  it("INFO → sections of fields", () => {
    const text = "# Server\r\nredis_version:7.2.4\r\nos:Linux\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=0\r\n";
    same((r) => r.info(), text, text, rec({ server: rec({ redis_version: "7.2.4", os: "Linux" }), keyspace: rec({ db0: "keys=1,expires=0" }) }));
  });
  it("CONFIG GET → record", () => {
    same((r) => r.configGet(["port"]), ["port", "6379"], map(["port", "6379"]), rec({ port: "6379" }));
  });
  it("MEMORY STATS → numbers, db.N as records", () => {
    same(
      (r) => r.memoryStats(),
      ["peak.allocated", 100, "dataset.percentage", "12.5", "db.0", ["overhead.hashtable.main", 72]],
      map(["peak.allocated", 100], ["dataset.percentage", 12.5], ["db.0", map(["overhead.hashtable.main", 72])]),
      rec({ "peak.allocated": 100, "dataset.percentage": 12.5, "db.0": rec({ "overhead.hashtable.main": 72 }) }),
    );
  });
  it("LATENCY HISTOGRAM → command → { calls, histogram_usec }", () => {
    same(
      (r) => r.latencyHistogram(),
      ["set", ["calls", 2, "histogram_usec", [1, 1, 2, 2]]],
      map(["set", map(["calls", 2], ["histogram_usec", map([1, 1], [2, 2])])]),
      rec({ set: rec({ calls: 2, histogram_usec: rec({ 1: 1, 2: 2 }) }) }) as never,
    );
  });
  it("ACL GETUSER → record with selectors; null for an unknown user", () => {
    const two = ["flags", ["on"], "passwords", [], "commands", "+@all", "keys", "~*", "channels", "&*", "selectors", [["commands", "-@all", "keys", "", "channels", ""]]];
    const three = map(["flags", ["on"]], ["passwords", []], ["commands", "+@all"], ["keys", "~*"], ["channels", "&*"], ["selectors", [map(["commands", "-@all"], ["keys", ""], ["channels", ""])]]);
    const expected = rec({ flags: ["on"], passwords: [], commands: "+@all", keys: "~*", channels: "&*", selectors: [rec({ commands: "-@all", keys: "", channels: "" })] });
    same((r) => r.aclGetuser("u"), two, three, expected as never);
    same((r) => r.aclGetuser("nobody"), null, null, null);
  });
  it("ACL LOG → records with age-seconds a number; RESET → OK", () => {
    same((r) => r.aclLog(), [["count", 1, "age-seconds", "0.5"]], [map(["count", 1], ["age-seconds", 0.5])], [rec({ count: 1, "age-seconds": 0.5 })] as never);
    same((r) => r.aclLog({ reset: true }), "OK", "OK", "OK");
  });
  it("MODULE LIST → records", () => {
    same((r) => r.moduleList(), [["name", "m", "ver", 1, "path", "/m.so", "args", []]], [map(["name", "m"], ["ver", 1], ["path", "/m.so"], ["args", []])], [rec({ name: "m", ver: 1, path: "/m.so", args: [] })] as never);
  });
  it("COMMAND DOCS → nested records", () => {
    const arg2 = ["name", "key", "type", "key", "arguments", [["name", "x", "type", "string"]]];
    const two = ["get", ["summary", "s", "history", [["1.0.0", "c"]], "arguments", [arg2], "subcommands", ["get|x", ["since", "1"]]]];
    const arg3 = map(["name", "key"], ["type", "key"], ["arguments", [map(["name", "x"], ["type", "string"])]]);
    const three = map(["get", map(["summary", "s"], ["history", [["1.0.0", "c"]]], ["arguments", [arg3]], ["subcommands", map(["get|x", map(["since", "1"])])])]);
    const expected = rec({
      get: rec({
        summary: "s",
        history: [["1.0.0", "c"]],
        arguments: [rec({ name: "key", type: "key", arguments: [rec({ name: "x", type: "string" })] })],
        subcommands: rec({ "get|x": rec({ since: "1" }) }),
      }),
    });
    same((r) => r.commandDocs(["get"]), two, three, expected as never);
  });
  it("COMMAND INFO → tuples with key-spec records", () => {
    const spec2 = ["flags", ["RO"], "begin_search", ["type", "index", "spec", ["index", 1]], "find_keys", ["type", "range", "spec", ["lastkey", 0, "keystep", 1, "limit", 0]]];
    const spec3 = map(["flags", ["RO"]], ["begin_search", map(["type", "index"], ["spec", map(["index", 1])])], ["find_keys", map(["type", "range"], ["spec", map(["lastkey", 0], ["keystep", 1], ["limit", 0])])]);
    const entry = (spec: RESPValue): RESPValue => ["get", 2, ["readonly"], 1, 1, 1, ["@read"], [], [spec], []];
    const expected = [
      ["get", 2, ["readonly"], 1, 1, 1, ["@read"], [], [rec({ flags: ["RO"], begin_search: rec({ type: "index", spec: rec({ index: 1 }) }), find_keys: rec({ type: "range", spec: rec({ lastkey: 0, keystep: 1, limit: 0 }) }) })], []],
      null,
    ];
    same((r) => r.commandInfo(["get", "nope"]), [entry(spec2), null], [entry(spec3), null], expected as never);
  });
  it("PUBSUB NUMSUB → channel → count", () => {
    same((r) => r.pubsubNumsub(["a", "b"]), ["a", 1, "b", 0], ["a", 1, "b", 0], rec({ a: 1, b: 0 }));
  });
});

describe("replies: scripting", () => {
  it("FUNCTION LIST → libraries with function records", () => {
    const fn2 = ["name", "f", "description", null, "flags", ["no-writes"]];
    const fn3 = map(["name", "f"], ["description", null], ["flags", ["no-writes"]]);
    same(
      (r) => r.functionList(),
      [["library_name", "lib", "engine", "LUA", "functions", [fn2]]],
      [map(["library_name", "lib"], ["engine", "LUA"], ["functions", [fn3]])],
      [rec({ library_name: "lib", engine: "LUA", functions: [rec({ name: "f", description: null, flags: ["no-writes"] })] })] as never,
    );
  });
  it("FUNCTION STATS → records", () => {
    same(
      (r) => r.functionStats(),
      ["running_script", null, "engines", ["LUA", ["libraries_count", 1, "functions_count", 2]]],
      map(["running_script", null], ["engines", map(["LUA", map(["libraries_count", 1], ["functions_count", 2])])]),
      rec({ running_script: null, engines: rec({ LUA: rec({ libraries_count: 1, functions_count: 2 }) }) }) as never,
    );
  });
});

describe("replies: cluster", () => {
  it("CLUSTER INFO → record", () => {
    const text = "cluster_state:ok\r\ncluster_slots_assigned:16384\r\n";
    same((r) => r.clusterInfo(), text, text, rec({ cluster_state: "ok", cluster_slots_assigned: "16384" }));
  });
  it("CLUSTER LINKS → records", () => {
    same((r) => r.clusterLinks(), [["direction", "to", "node", "n"]], [map(["direction", "to"], ["node", "n"])], [rec({ direction: "to", node: "n" })] as never);
  });
  it("CLUSTER SHARDS → shards with node records", () => {
    same(
      (r) => r.clusterShards(),
      [["slots", [0, 5460], "nodes", [["id", "n1", "port", 7000, "role", "master"]]]],
      [map(["slots", [0, 5460]], ["nodes", [map(["id", "n1"], ["port", 7000], ["role", "master"])]])],
      [rec({ slots: [0, 5460], nodes: [rec({ id: "n1", port: 7000, role: "master" })] })] as never,
    );
  });
  it("CLUSTER SLOT-STATS → [slot, record] pairs", () => {
    same((r) => r.clusterSlotStats({ slotsrange: { startSlot: 0, endSlot: 0 } }), [[0, ["key-count", 3]]], [[0, map(["key-count", 3])]], [[0, rec({ "key-count": 3 })]]);
  });
  it("CLUSTER SLOTS → ranges with node metadata records", () => {
    same(
      (r) => r.clusterSlots(),
      [[0, 5460, ["127.0.0.1", 7000, "n1", ["hostname", "h1"]], ["127.0.0.1", 7003, "n4", []]]],
      [[0, 5460, ["127.0.0.1", 7000, "n1", map(["hostname", "h1"])], ["127.0.0.1", 7003, "n4", map()]]],
      [[0, 5460, ["127.0.0.1", 7000, "n1", rec({ hostname: "h1" })], ["127.0.0.1", 7003, "n4", rec({})]]] as never,
    );
  });
});

describe("replies: enumerated strings read as strings in Buffer mode", () => {
  it("ROLE: the role name and link state narrow the union; the rest stays as decoded", () => {
    same<Buffer>((r) => r.role(), [b("master"), 10, [[b("127.0.0.1"), b("7001"), b("10")]]], [b("master"), 10, [[b("127.0.0.1"), b("7001"), b("10")]]],
      ["master", 10, [[b("127.0.0.1"), b("7001"), b("10")]]], false);
    same<Buffer>((r) => r.role(), [b("slave"), b("127.0.0.1"), 7000, b("connected"), 10], [b("slave"), b("127.0.0.1"), 7000, b("connected"), 10],
      ["slave", b("127.0.0.1"), 7000, "connected", 10], false);
    same<Buffer>((r) => r.role(), [b("sentinel"), [b("mymaster")]], [b("sentinel"), [b("mymaster")]], ["sentinel", [b("mymaster")]], false);
    same((r) => r.role(), ["master", 0, []], ["master", 0, []], ["master", 0, []]);
  });
  it("CLUSTER SHARDS role and health, CLUSTER LINKS direction", () => {
    const node = [b("id"), b("n1"), b("role"), b("replica"), b("health"), b("online")];
    same<Buffer>(
      (r) => r.clusterShards(),
      [[b("slots"), [], b("nodes"), [node]]],
      [map([b("slots"), []], [b("nodes"), [map([b("id"), b("n1")], [b("role"), b("replica")], [b("health"), b("online")])]])],
      [rec({ slots: [], nodes: [rec({ id: b("n1"), role: "replica", health: "online" })] })] as never,
      false,
    );
    same<Buffer>(
      (r) => r.clusterLinks(),
      [[b("direction"), b("from"), b("node"), b("n")]],
      [map([b("direction"), b("from")], [b("node"), b("n")])],
      [rec({ direction: "from", node: b("n") })] as never,
      false,
    );
  });
});
