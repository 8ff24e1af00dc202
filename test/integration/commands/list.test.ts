/**
 * The `list` group against a real server, under RESP2 and RESP3: every method, with the count
 * forms (LPOP/RPOP/LPOS/LMPOP), the blocking commands both served at once and timing out, Buffer
 * replies, and errors.
 */
/* eslint-disable @typescript-eslint/no-deprecated -- deprecated commands are still commands: their methods are tested too */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ResponseError, WrongTypeError } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";
import { untilBlocked } from "../../harness/blocked.js";

/** A short Redis-side timeout for blocking commands that must time out, in seconds. */
const SHORT = 0.05;

describeEachProtocol("commands: list", (ctx) => {
  it("LPUSH, RPUSH, LPUSHX, RPUSHX, LRANGE, LLEN", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}list:push`;
    assert.equal(await client.lpushx(k, ["x"]), 0);
    assert.equal(await client.rpushx(k, ["x"]), 0);
    assert.equal(await client.exists([k]), 0);
    assert.equal(await client.rpush(k, ["b", "c"]), 2);
    assert.equal(await client.lpush(k, ["a", "z"]), 4);
    assert.equal(await client.lpushx(k, ["y"]), 5);
    assert.equal(await client.rpushx(k, ["d", 5]), 7);
    assert.deepEqual(await client.lrange(k, 0, -1), ["y", "z", "a", "b", "c", "d", "5"]);
    assert.deepEqual(await client.lrange(k, 1, 2), ["z", "a"]);
    assert.deepEqual(await client.lrange(k, -2, -1), ["d", "5"]);
    assert.deepEqual(await client.lrange(k, 10, 20), []);
    assert.deepEqual(await client.lrange(`${prefix}list:missing`, 0, -1), []);
    assert.equal(await client.llen(k), 7);
    assert.equal(await client.llen(`${prefix}list:missing`), 0);
  });

  it("LINDEX, LSET, LINSERT, LREM, LTRIM", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}list:edit`;
    await client.rpush(k, ["a", "b", "a", "c", "a"]);
    assert.equal(await client.lindex(k, 0), "a");
    assert.equal(await client.lindex(k, -2), "c");
    assert.equal(await client.lindex(k, 99), null);
    assert.equal(await client.lset(k, 1, "B"), "OK");
    assert.equal(await client.lindex(k, 1), "B");
    await assert.rejects(client.lset(k, 99, "x"), (e) => e instanceof ResponseError && /out of range/.test(e.message));
    assert.equal(await client.linsert(k, "BEFORE", "c", "before-c"), 6);
    assert.equal(await client.linsert(k, "AFTER", "c", "after-c"), 7);
    assert.equal(await client.linsert(k, "AFTER", "nope", "x"), -1);
    assert.equal(await client.linsert(`${prefix}list:missing`, "AFTER", "a", "x"), 0);
    assert.deepEqual(await client.lrange(k, 0, -1), ["a", "B", "a", "before-c", "c", "after-c", "a"]);
    assert.equal(await client.lrem(k, -1, "a"), 1);
    assert.deepEqual(await client.lrange(k, 0, -1), ["a", "B", "a", "before-c", "c", "after-c"]);
    assert.equal(await client.lrem(k, 0, "a"), 2);
    assert.equal(await client.lrem(k, 0, "a"), 0);
    assert.deepEqual(await client.lrange(k, 0, -1), ["B", "before-c", "c", "after-c"]);
    assert.equal(await client.ltrim(k, 1, 2), "OK");
    assert.deepEqual(await client.lrange(k, 0, -1), ["before-c", "c"]);
    assert.equal(await client.ltrim(k, 5, 10), "OK");
    assert.equal(await client.exists([k]), 0);
  });

  it("LPOP and RPOP, with and without a count", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}list:pop`;
    assert.equal(await client.lpop(k), null);
    assert.equal(await client.rpop(k), null);
    assert.equal(await client.lpop(k, { count: 2 }), null);
    assert.equal(await client.rpop(k, { count: 2 }), null);
    await client.rpush(k, ["1", "2", "3", "4", "5", "6"]);
    assert.equal(await client.lpop(k), "1");
    assert.equal(await client.rpop(k), "6");
    assert.deepEqual(await client.lpop(k, { count: 2 }), ["2", "3"]);
    assert.deepEqual(await client.rpop(k, { count: 1 }), ["5"]);
    assert.deepEqual(await client.rpop(k, { count: 10 }), ["4"]);
    assert.equal(await client.exists([k]), 0);
  });

  it("LPOS: first match, RANK, COUNT, MAXLEN", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}list:pos`;
    await client.rpush(k, ["a", "b", "c", "d", "1", "2", "3", "4", "3", "3", "3"]);
    assert.equal(await client.lpos(k, "3"), 6);
    assert.equal(await client.lpos(k, "nope"), null);
    assert.equal(await client.lpos(k, "3", { rank: 2 }), 8);
    assert.equal(await client.lpos(k, "3", { rank: -1 }), 10);
    assert.equal(await client.lpos(k, "3", { rank: 9 }), null);
    assert.deepEqual(await client.lpos(k, "3", { count: 2 }), [6, 8]);
    assert.deepEqual(await client.lpos(k, "3", { count: 0 }), [6, 8, 9, 10]);
    assert.deepEqual(await client.lpos(k, "3", { count: 0, rank: -2 }), [9, 8, 6]);
    assert.deepEqual(await client.lpos(k, "3", { count: 0, maxlen: 9 }), [6, 8]);
    assert.deepEqual(await client.lpos(k, "nope", { count: 3 }), []);
    assert.equal(await client.lpos(k, "3", { maxlen: 5 }), null);
    await assert.rejects(client.lpos(k, "3", { rank: 0 }), ResponseError);
  });

  it("LMOVE and RPOPLPUSH", async () => {
    const { client, prefix } = ctx();
    const src = `${prefix}{lmove}src`;
    const dst = `${prefix}{lmove}dst`;
    await client.rpush(src, ["1", "2", "3"]);
    assert.equal(await client.lmove(src, dst, "RIGHT", "LEFT"), "3");
    assert.equal(await client.lmove(src, dst, "LEFT", "RIGHT"), "1");
    assert.deepEqual(await client.lrange(dst, 0, -1), ["3", "1"]);
    assert.equal(await client.rpoplpush(src, dst), "2");
    assert.deepEqual(await client.lrange(dst, 0, -1), ["2", "3", "1"]);
    assert.equal(await client.exists([src]), 0);
    // An empty source: nothing moves.
    assert.equal(await client.lmove(src, dst, "LEFT", "LEFT"), null);
    assert.equal(await client.rpoplpush(src, dst), null);
    // Rotation within one list.
    assert.equal(await client.lmove(dst, dst, "LEFT", "RIGHT"), "2");
    assert.deepEqual(await client.lrange(dst, 0, -1), ["3", "1", "2"]);
  });

  it("LMPOP: the first non-empty key, COUNT, and null when all are empty", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{lmpop}a`;
    const b = `${prefix}{lmpop}b`;
    assert.equal(await client.lmpop([a, b], "LEFT"), null);
    await client.rpush(b, ["1", "2", "3"]);
    assert.deepEqual(await client.lmpop([a, b], "LEFT"), [b, ["1"]]);
    assert.deepEqual(await client.lmpop([a, b], "RIGHT", { count: 5 }), [b, ["3", "2"]]);
    assert.equal(await client.lmpop([a, b], "RIGHT", { count: 5 }), null);
  });

  it("BLPOP and BRPOP: served at once, and null on timeout", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{blpop}a`;
    const b = `${prefix}{blpop}b`;
    await client.rpush(b, ["1", "2", "3"]);
    assert.deepEqual(await client.blpop([a, b], 1), [b, "1"]);
    assert.deepEqual(await client.brpop([a, b], 1), [b, "3"]);
    assert.deepEqual(await client.blpop([b], 0), [b, "2"]);
    assert.equal(await client.blpop([a, b], SHORT), null);
    assert.equal(await client.brpop([a, b], SHORT), null);
  });

  it("BLPOP is served by a push from another caller while it waits", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}list:blpop:wait`;
    const waiting = client.blpop([k], 5);
    // The blocking call holds a dedicated connection; the push goes over another one.
    const started = Date.now();
    await untilBlocked(client);
    assert.equal(await client.rpush(k, ["late"]), 1);
    assert.deepEqual(await waiting, [k, "late"]);
    assert.ok(Date.now() - started < 4000);
  });

  it("BLMOVE and BRPOPLPUSH: served at once, and null on timeout", async () => {
    const { client, prefix } = ctx();
    const src = `${prefix}{blmove}src`;
    const dst = `${prefix}{blmove}dst`;
    await client.rpush(src, ["1", "2"]);
    assert.equal(await client.blmove(src, dst, "LEFT", "RIGHT", 1), "1");
    assert.equal(await client.brpoplpush(src, dst, 1), "2");
    assert.deepEqual(await client.lrange(dst, 0, -1), ["2", "1"]);
    assert.equal(await client.blmove(src, dst, "LEFT", "RIGHT", SHORT), null);
    assert.equal(await client.brpoplpush(src, dst, SHORT), null);
    assert.deepEqual(await client.lrange(dst, 0, -1), ["2", "1"]);
  });

  it("BLMPOP: served at once with and without COUNT, and null on timeout", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{blmpop}a`;
    const b = `${prefix}{blmpop}b`;
    await client.rpush(a, ["1", "2", "3", "4"]);
    assert.deepEqual(await client.blmpop(1, [b, a], "RIGHT"), [a, ["4"]]);
    assert.deepEqual(await client.blmpop(1, [b, a], "LEFT", { count: 2 }), [a, ["1", "2"]]);
    assert.deepEqual(await client.blmpop(1, [a], "LEFT", { count: 10 }), [a, ["3"]]);
    assert.equal(await client.blmpop(SHORT, [a, b], "LEFT"), null);
    assert.equal(await client.blmpop(SHORT, [a, b], "LEFT", { count: 2 }), null);
  });

  it("Buffer view: LRANGE, LPOP, LINDEX, BLPOP, LMPOP return Buffers", async () => {
    const { buffers, prefix } = ctx();
    const k = `${prefix}{listbuf}k`;
    const bin = Buffer.from([0x00, 0xff, 0x0d, 0x0a]);
    await buffers.rpush(k, [bin, "two", "three", "four"]);
    const first = await buffers.lindex(k, 0);
    assert.ok(Buffer.isBuffer(first));
    assert.deepEqual(first, bin);
    assert.deepEqual(await buffers.lrange(k, 0, 1), [bin, Buffer.from("two")]);
    assert.deepEqual(await buffers.lpop(k), bin);
    assert.deepEqual(await buffers.rpop(k, { count: 1 }), [Buffer.from("four")]);
    assert.deepEqual(await buffers.blpop([k], 1), [Buffer.from(k), Buffer.from("two")]);
    assert.deepEqual(await buffers.lmpop([k], "LEFT"), [Buffer.from(k), [Buffer.from("three")]]);
    assert.equal(await buffers.blpop([k], SHORT), null);
  });

  it("WRONGTYPE: list commands on a string reject with WrongTypeError", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}list:wrongtype`;
    await client.set(k, "v");
    await assert.rejects(client.lpush(k, ["a"]), WrongTypeError);
    await assert.rejects(client.lrange(k, 0, -1), WrongTypeError);
    await assert.rejects(client.lpop(k), WrongTypeError);
    await assert.rejects(client.lpos(k, "a", { count: 1 }), WrongTypeError);
    await assert.rejects(client.blpop([k], 1), WrongTypeError);
    await assert.rejects(client.lmpop([k], "LEFT"), WrongTypeError);
  });
});
