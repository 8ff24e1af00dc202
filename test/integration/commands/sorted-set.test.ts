/**
 * The `sorted_set` group against a real server, under RESP2 and RESP3 (where scores are RESP3
 * doubles and member–score pairs nested arrays): every method, with the variants that change the
 * reply (WITHSCORES, ZADD INCR, counts, ZRANDMEMBER WITHSCORES), the blocking pops both served
 * at once and timing out, Buffer replies, and errors.
 */
/* eslint-disable @typescript-eslint/no-deprecated -- deprecated commands are still commands: their methods are tested too */
import assert from "node:assert/strict";
import { it } from "node:test";
import { InvalidArgumentError, ResponseError, WrongTypeError } from "../../../src/index.js";
import type { Redis } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";
import { untilBlocked } from "../../harness/blocked.js";

/** A short Redis-side timeout for blocking commands that must time out, in seconds. */
const SHORT = 0.05;

/** Fills `key` with members `a`…`e` scored 1…5. */
async function fill(client: Redis, key: string): Promise<void> {
  await client.zadd(key, [
    { score: 1, member: "a" },
    { score: 2, member: "b" },
    { score: 3, member: "c" },
    { score: 4, member: "d" },
    { score: 5, member: "e" },
  ]);
}

/** Members all of score 0, for the lexicographic commands. */
async function fillLex(client: Redis, key: string): Promise<void> {
  await client.zadd(key, [
    { score: 0, member: "a" },
    { score: 0, member: "b" },
    { score: 0, member: "c" },
    { score: 0, member: "d" },
    { score: 0, member: "e" },
  ]);
}

describeEachProtocol("commands: sorted set", (ctx) => {
  it("ZADD and its conditions, CH, ZCARD, ZSCORE, ZMSCORE", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:add`;
    assert.equal(await client.zadd(k, [{ score: 1, member: "a" }, { score: 2.5, member: "b" }]), 2);
    assert.equal(await client.zadd(k, [{ score: 10, member: "a" }, { score: 3, member: "c" }], { nx: true }), 1);
    assert.equal(await client.zscore(k, "a"), 1);
    assert.equal(await client.zadd(k, [{ score: 10, member: "a" }, { score: 4, member: "z" }], { xx: true, ch: true }), 1);
    assert.equal(await client.zscore(k, "z"), null);
    assert.equal(await client.zadd(k, [{ score: 5, member: "a" }], { gt: true, ch: true }), 0);
    assert.equal(await client.zadd(k, [{ score: 5, member: "a" }], { lt: true, ch: true }), 1);
    assert.equal(await client.zadd(k, [{ score: Infinity, member: "inf" }, { score: -Infinity, member: "-inf" }]), 2);
    assert.equal(await client.zcard(k), 5);
    assert.equal(await client.zcard(`${prefix}zset:missing`), 0);
    assert.equal(await client.zscore(k, "a"), 5);
    assert.equal(await client.zscore(k, "b"), 2.5);
    assert.equal(await client.zscore(k, "inf"), Infinity);
    assert.equal(await client.zscore(k, "-inf"), -Infinity);
    assert.equal(await client.zscore(k, "nope"), null);
    assert.equal(await client.zscore(`${prefix}zset:missing`, "a"), null);
    assert.deepEqual(await client.zmscore(k, ["a", "nope", "b", "inf"]), [5, null, 2.5, Infinity]);
    assert.deepEqual(await client.zmscore(`${prefix}zset:missing`, ["a"]), [null]);
    // NaN is no score: refused before it is sent.
    await assert.rejects(client.zadd(k, [{ score: NaN, member: "nan" }]), InvalidArgumentError);
    await assert.rejects(client.zadd(k, [{ score: 1, member: "a" }], { nx: true, gt: true }), ResponseError);
  });

  it("ZADD INCR: the new score, or null when a condition stops it; ZINCRBY", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:incr`;
    assert.equal(await client.zadd(k, [{ score: 1.5, member: "a" }], { incr: true }), 1.5);
    assert.equal(await client.zadd(k, [{ score: 2, member: "a" }], { incr: true }), 3.5);
    assert.equal(await client.zadd(k, [{ score: 2, member: "a" }], { incr: true, nx: true }), null);
    assert.equal(await client.zadd(k, [{ score: 2, member: "b" }], { incr: true, xx: true }), null);
    assert.equal(await client.zadd(k, [{ score: -1, member: "a" }], { incr: true, gt: true }), null);
    assert.equal(await client.zadd(k, [{ score: -1, member: "a" }], { incr: true, lt: true }), 2.5);
    assert.equal(await client.zincrby(k, 0.25, "a"), 2.75);
    assert.equal(await client.zincrby(k, -10, "new"), -10);
    assert.equal(await client.zincrby(k, Infinity, "new"), Infinity);
    await assert.rejects(client.zincrby(k, -Infinity, "new"), ResponseError);
  });

  it("ZRANGE by index, score and lex, REV, LIMIT, WITHSCORES", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:range`;
    await fill(client, k);
    assert.deepEqual(await client.zrange(k, 0, -1), ["a", "b", "c", "d", "e"]);
    assert.deepEqual(await client.zrange(k, 1, 2), ["b", "c"]);
    assert.deepEqual(await client.zrange(k, 0, 1, { withscores: true }), [["a", 1], ["b", 2]]);
    assert.deepEqual(await client.zrange(k, 0, 1, { rev: true }), ["e", "d"]);
    assert.deepEqual(await client.zrange(k, "(1", 3, { byscore: true }), ["b", "c"]);
    assert.deepEqual(await client.zrange(k, "-inf", "+inf", { byscore: true, limit: { offset: 1, count: 2 }, withscores: true }), [
      ["b", 2],
      ["c", 3],
    ]);
    assert.deepEqual(await client.zrange(k, 4, 2, { byscore: true, rev: true }), ["d", "c", "b"]);
    assert.deepEqual(await client.zrange(`${prefix}zset:missing`, 0, -1, { withscores: true }), []);
    const lex = `${prefix}zset:range:lex`;
    await fillLex(client, lex);
    assert.deepEqual(await client.zrange(lex, "[b", "(d", { bylex: true }), ["b", "c"]);
    assert.deepEqual(await client.zrange(lex, "+", "-", { bylex: true, rev: true, limit: { offset: 0, count: 2 } }), ["e", "d"]);
  });

  it("ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZREVRANGE with their WITHSCORES and LIMIT", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:byscore`;
    await fill(client, k);
    assert.deepEqual(await client.zrangebyscore(k, 2, 4), ["b", "c", "d"]);
    assert.deepEqual(await client.zrangebyscore(k, "(2", "+inf", { withscores: true }), [["c", 3], ["d", 4], ["e", 5]]);
    assert.deepEqual(await client.zrangebyscore(k, "-inf", "+inf", { limit: { offset: 3, count: 10 } }), ["d", "e"]);
    assert.deepEqual(await client.zrangebyscore(k, 10, 20, { withscores: true }), []);
    assert.deepEqual(await client.zrevrangebyscore(k, 4, 2), ["d", "c", "b"]);
    assert.deepEqual(await client.zrevrangebyscore(k, "+inf", "(3", { withscores: true, limit: { offset: 1, count: 1 } }), [["d", 4]]);
    assert.deepEqual(await client.zrevrange(k, 0, 1), ["e", "d"]);
    assert.deepEqual(await client.zrevrange(k, -2, -1, { withscores: true }), [["b", 2], ["a", 1]]);
    await assert.rejects(client.zrangebyscore(k, "x", 1), ResponseError);
  });

  it("ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT, ZREMRANGEBYLEX", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:lex`;
    await fillLex(client, k);
    assert.deepEqual(await client.zrangebylex(k, "-", "[c"), ["a", "b", "c"]);
    assert.deepEqual(await client.zrangebylex(k, "(a", "+", { limit: { offset: 1, count: 2 } }), ["c", "d"]);
    assert.deepEqual(await client.zrevrangebylex(k, "[c", "-"), ["c", "b", "a"]);
    assert.deepEqual(await client.zrevrangebylex(k, "+", "-", { limit: { offset: 0, count: 1 } }), ["e"]);
    assert.equal(await client.zlexcount(k, "-", "+"), 5);
    assert.equal(await client.zlexcount(k, "[b", "(e"), 3);
    assert.equal(await client.zremrangebylex(k, "[b", "[c"), 2);
    assert.deepEqual(await client.zrange(k, 0, -1), ["a", "d", "e"]);
    await assert.rejects(client.zrangebylex(k, "a", "b"), ResponseError);
  });

  it("ZRANGESTORE", async () => {
    const { client, prefix } = ctx();
    const src = `${prefix}{zrs}src`;
    const dst = `${prefix}{zrs}dst`;
    await fill(client, src);
    assert.equal(await client.zrangestore(dst, src, 1, 3), 3);
    assert.deepEqual(await client.zrange(dst, 0, -1, { withscores: true }), [["b", 2], ["c", 3], ["d", 4]]);
    assert.equal(await client.zrangestore(dst, src, "(1", "+inf", { byscore: true, limit: { offset: 0, count: 2 } }), 2);
    assert.deepEqual(await client.zrange(dst, 0, -1), ["b", "c"]);
    assert.equal(await client.zrangestore(dst, src, 0, 0, { rev: true }), 1);
    assert.deepEqual(await client.zrange(dst, 0, -1), ["e"]);
    const lex = `${prefix}{zrs}lex`;
    await fillLex(client, lex);
    assert.equal(await client.zrangestore(dst, lex, "[c", "+", { bylex: true }), 3);
    assert.deepEqual(await client.zrange(dst, 0, -1), ["c", "d", "e"]);
    assert.equal(await client.zrangestore(dst, `${prefix}{zrs}missing`, 0, -1), 0);
    assert.equal(await client.exists([dst]), 0);
  });

  it("ZCOUNT, ZRANK, ZREVRANK", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:rank`;
    await fill(client, k);
    assert.equal(await client.zcount(k, "-inf", "+inf"), 5);
    assert.equal(await client.zcount(k, "(1", 3), 2);
    assert.equal(await client.zcount(k, 2.5, 2.7), 0);
    assert.equal(await client.zrank(k, "a"), 0);
    assert.equal(await client.zrank(k, "d"), 3);
    assert.equal(await client.zrank(k, "nope"), null);
    assert.equal(await client.zrevrank(k, "a"), 4);
    assert.equal(await client.zrevrank(k, "nope"), null);
  });

  it("ZRANK and ZREVRANK WITHSCORE", async (t) => {
    if (ctx().skipUnless(t, "7.2.0")) return;
    const { client, prefix } = ctx();
    const k = `${prefix}zset:rank:withscore`;
    await fill(client, k);
    assert.deepEqual(await client.zrank(k, "c", { withscore: true }), [2, 3]);
    assert.deepEqual(await client.zrevrank(k, "c", { withscore: true }), [2, 3]);
    assert.equal(await client.zrank(k, "nope", { withscore: true }), null);
    assert.equal(await client.zrevrank(k, "nope", { withscore: true }), null);
  });

  it("ZREM, ZREMRANGEBYRANK, ZREMRANGEBYSCORE", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:rem`;
    await fill(client, k);
    assert.equal(await client.zrem(k, ["a", "nope"]), 1);
    assert.equal(await client.zremrangebyrank(k, 0, 0), 1);
    assert.deepEqual(await client.zrange(k, 0, -1), ["c", "d", "e"]);
    assert.equal(await client.zremrangebyscore(k, "(3", 4), 1);
    assert.deepEqual(await client.zrange(k, 0, -1), ["c", "e"]);
    assert.equal(await client.zremrangebyscore(k, "-inf", "+inf"), 2);
    assert.equal(await client.exists([k]), 0);
    assert.equal(await client.zrem(k, ["a"]), 0);
  });

  it("ZPOPMIN and ZPOPMAX, with and without a count", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:pop`;
    assert.equal(await client.zpopmin(k), null);
    assert.equal(await client.zpopmax(k), null);
    assert.deepEqual(await client.zpopmin(k, { count: 2 }), []);
    assert.deepEqual(await client.zpopmax(k, { count: 2 }), []);
    await fill(client, k);
    assert.deepEqual(await client.zpopmin(k), ["a", 1]);
    assert.deepEqual(await client.zpopmax(k), ["e", 5]);
    assert.deepEqual(await client.zpopmin(k, { count: 1 }), [["b", 2]]);
    assert.deepEqual(await client.zpopmax(k, { count: 5 }), [["d", 4], ["c", 3]]);
    assert.equal(await client.exists([k]), 0);
  });

  it("ZMPOP: MIN, MAX, COUNT, and null when all are empty", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{zmpop}a`;
    const b = `${prefix}{zmpop}b`;
    assert.equal(await client.zmpop([a, b], "MIN"), null);
    await fill(client, b);
    assert.deepEqual(await client.zmpop([a, b], "MIN"), [b, [["a", 1]]]);
    assert.deepEqual(await client.zmpop([a, b], "MAX", { count: 2 }), [b, [["e", 5], ["d", 4]]]);
    assert.deepEqual(await client.zmpop([a, b], "MIN", { count: 10 }), [b, [["b", 2], ["c", 3]]]);
    assert.equal(await client.zmpop([a, b], "MAX", { count: 10 }), null);
  });

  it("BZPOPMIN and BZPOPMAX: served at once, and null on timeout", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{bzpop}a`;
    const b = `${prefix}{bzpop}b`;
    await client.zadd(b, [{ score: 1.5, member: "low" }, { score: 7, member: "high" }, { score: 3, member: "mid" }]);
    assert.deepEqual(await client.bzpopmin([a, b], 1), [b, "low", 1.5]);
    assert.deepEqual(await client.bzpopmax([a, b], 1), [b, "high", 7]);
    assert.deepEqual(await client.bzpopmin([b], 0), [b, "mid", 3]);
    assert.equal(await client.bzpopmin([a, b], SHORT), null);
    assert.equal(await client.bzpopmax([a, b], SHORT), null);
  });

  it("BZMPOP: served at once with and without COUNT, and null on timeout", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{bzmpop}a`;
    const b = `${prefix}{bzmpop}b`;
    await fill(client, a);
    assert.deepEqual(await client.bzmpop(1, [b, a], "MIN"), [a, [["a", 1]]]);
    assert.deepEqual(await client.bzmpop(1, [b, a], "MAX", { count: 2 }), [a, [["e", 5], ["d", 4]]]);
    assert.deepEqual(await client.bzmpop(1, [a], "MIN", { count: 10 }), [a, [["b", 2], ["c", 3]]]);
    assert.equal(await client.bzmpop(SHORT, [a, b], "MIN"), null);
    assert.equal(await client.bzmpop(SHORT, [a, b], "MAX", { count: 3 }), null);
  });

  it("BZPOPMIN is served by a ZADD from another caller while it waits", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:bzpop:wait`;
    const waiting = client.bzpopmin([k], 5);
    await untilBlocked(client);
    assert.equal(await client.zadd(k, [{ score: 0.5, member: "late" }]), 1);
    assert.deepEqual(await waiting, [k, "late", 0.5]);
  });

  it("ZRANDMEMBER: one member, a count, negative counts, WITHSCORES", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:rand`;
    assert.equal(await client.zrandmember(k), null);
    assert.deepEqual(await client.zrandmember(k, { count: 3 }), []);
    assert.deepEqual(await client.zrandmember(k, { count: 3, withscores: true }), []);
    await client.zadd(k, [{ score: 1, member: "a" }, { score: 2.5, member: "b" }, { score: 3, member: "c" }]);
    const scores: Record<string, number> = { a: 1, b: 2.5, c: 3 };
    const one = await client.zrandmember(k);
    assert.ok(one !== null && one in scores);
    assert.deepEqual([...(await client.zrandmember(k, { count: 5 }))].sort(), ["a", "b", "c"]);
    const repeated = await client.zrandmember(k, { count: -5 });
    assert.equal(repeated.length, 5);
    for (const m of repeated) assert.ok(m in scores);
    const withScores = await client.zrandmember(k, { count: 3, withscores: true });
    assert.deepEqual([...withScores].sort(), [["a", 1], ["b", 2.5], ["c", 3]]);
    const repeatedWithScores = await client.zrandmember(k, { count: -4, withscores: true });
    assert.equal(repeatedWithScores.length, 4);
    for (const [m, s] of repeatedWithScores) assert.equal(scores[m], s);
  });

  it("ZDIFF, ZDIFFSTORE", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{zdiff}a`;
    const b = `${prefix}{zdiff}b`;
    const dst = `${prefix}{zdiff}dst`;
    await fill(client, a);
    await client.zadd(b, [{ score: 100, member: "b" }, { score: 100, member: "d" }]);
    assert.deepEqual(await client.zdiff([a, b]), ["a", "c", "e"]);
    assert.deepEqual(await client.zdiff([a, b], { withscores: true }), [["a", 1], ["c", 3], ["e", 5]]);
    assert.deepEqual(await client.zdiff([b, a]), []);
    assert.equal(await client.zdiffstore(dst, [a, b]), 3);
    assert.deepEqual(await client.zrange(dst, 0, -1, { withscores: true }), [["a", 1], ["c", 3], ["e", 5]]);
  });

  it("ZINTER, ZINTERCARD, ZINTERSTORE with WEIGHTS and AGGREGATE", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{zinter}a`;
    const b = `${prefix}{zinter}b`;
    const dst = `${prefix}{zinter}dst`;
    await client.zadd(a, [{ score: 1, member: "one" }, { score: 2, member: "two" }]);
    await client.zadd(b, [{ score: 1, member: "one" }, { score: 2, member: "two" }, { score: 3, member: "three" }]);
    assert.deepEqual(await client.zinter([a, b]), ["one", "two"]);
    assert.deepEqual(await client.zinter([a, b], { withscores: true }), [["one", 2], ["two", 4]]);
    assert.deepEqual(await client.zinter([a, b], { weights: [2, 0.5], withscores: true }), [["one", 2.5], ["two", 5]]);
    assert.deepEqual(await client.zinter([a, b], { aggregate: "MAX", withscores: true }), [["one", 1], ["two", 2]]);
    assert.equal(await client.zintercard([a, b]), 2);
    assert.equal(await client.zintercard([a, b], { limit: 1 }), 1);
    assert.equal(await client.zinterstore(dst, [a, b], { weights: [1, 3], aggregate: "SUM" }), 2);
    assert.deepEqual(await client.zrange(dst, 0, -1, { withscores: true }), [["one", 4], ["two", 8]]);
    assert.equal(await client.zinterstore(dst, [a, b]), 2);
    assert.deepEqual(await client.zrange(dst, 0, -1, { withscores: true }), [["one", 2], ["two", 4]]);
  });

  it("ZUNION, ZUNIONSTORE with WEIGHTS and AGGREGATE", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{zunion}a`;
    const b = `${prefix}{zunion}b`;
    const dst = `${prefix}{zunion}dst`;
    await client.zadd(a, [{ score: 1, member: "one" }, { score: 2, member: "two" }]);
    await client.zadd(b, [{ score: 1, member: "one" }, { score: 2, member: "two" }, { score: 3, member: "three" }]);
    assert.deepEqual(await client.zunion([a, b]), ["one", "three", "two"]);
    assert.deepEqual(await client.zunion([a, b], { withscores: true }), [["one", 2], ["three", 3], ["two", 4]]);
    assert.deepEqual(await client.zunion([a, b], { aggregate: "MIN", withscores: true }), [["one", 1], ["two", 2], ["three", 3]]);
    assert.deepEqual(await client.zunion([a, b], { weights: [10, 1], withscores: true }), [["three", 3], ["one", 11], ["two", 22]]);
    assert.equal(await client.zunionstore(dst, [a, b], { weights: [2, 3] }), 3);
    assert.deepEqual(await client.zrange(dst, 0, -1, { withscores: true }), [["one", 5], ["three", 9], ["two", 10]]);
    assert.equal(await client.zunionstore(dst, [a], { aggregate: "MAX" }), 2);
    assert.deepEqual(await client.zrange(dst, 0, -1, { withscores: true }), [["one", 1], ["two", 2]]);
  });

  it("ZSCAN: members and scores, MATCH, COUNT", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:scan`;
    assert.deepEqual(await client.zscan(k, "0"), ["0", []]);
    await client.zadd(k, [{ score: 1, member: "a1" }, { score: 2.5, member: "a2" }, { score: 3, member: "b1" }]);
    // Scores come as strings in both protocols.
    assert.deepEqual(await client.zscan(k, "0"), ["0", ["a1", "1", "a2", "2.5", "b1", "3"]]);
    assert.deepEqual(await client.zscan(k, 0, { match: "a*", count: 100 }), ["0", ["a1", "1", "a2", "2.5"]]);
  });

  it("ZSCAN NOSCORES", async (t) => {
    if (ctx().skipUnless(t, "8.0.0")) return;
    const { client, prefix } = ctx();
    const k = `${prefix}zset:scan:noscores`;
    await client.zadd(k, [{ score: 1, member: "a" }, { score: 2, member: "b" }]);
    assert.deepEqual(await client.zscan(k, "0", { noscores: true }), ["0", ["a", "b"]]);
  });

  it("Buffer view: members are Buffers, scores numbers", async () => {
    const { client, buffers, prefix } = ctx();
    const k = `${prefix}{zsetbuf}k`;
    const bin = Buffer.from([0x00, 0xff]);
    await client.zadd(k, [{ score: 1.5, member: bin }, { score: 2, member: "two" }]);
    const members = await buffers.zrange(k, 0, -1);
    assert.ok(Buffer.isBuffer(members[0]));
    assert.deepEqual(members, [bin, Buffer.from("two")]);
    assert.deepEqual(await buffers.zrange(k, 0, -1, { withscores: true }), [[bin, 1.5], [Buffer.from("two"), 2]]);
    assert.equal(await buffers.zscore(k, bin), 1.5);
    const [[randomMember, randomScore] = []] = await buffers.zrandmember(k, { count: -1, withscores: true });
    assert.ok(Buffer.isBuffer(randomMember));
    assert.equal(randomScore, randomMember.equals(bin) ? 1.5 : 2);
    assert.deepEqual(await buffers.zpopmax(k), [Buffer.from("two"), 2]);
    assert.deepEqual(await buffers.bzpopmin([k], 1), [Buffer.from(k), bin, 1.5]);
    assert.equal(await buffers.bzmpop(SHORT, [k], "MIN"), null);
  });

  it("WRONGTYPE: sorted-set commands on a set reject with WrongTypeError", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}zset:wrongtype`;
    await client.sadd(k, ["a"]);
    await assert.rejects(client.zadd(k, [{ score: 1, member: "a" }]), WrongTypeError);
    await assert.rejects(client.zscore(k, "a"), WrongTypeError);
    await assert.rejects(client.zrange(k, 0, -1, { withscores: true }), WrongTypeError);
    await assert.rejects(client.zpopmin(k), WrongTypeError);
    await assert.rejects(client.bzpopmin([k], 1), WrongTypeError);
  });
});
