/**
 * The `string` group against a real server, under RESP2 and RESP3: every method, with the option
 * variants that change the reply (SET `get`, LCS `len`/`idx`), Buffer replies, and errors.
 */
/* eslint-disable @typescript-eslint/no-deprecated -- deprecated commands are still commands: their methods are tested too */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ResponseError, WrongTypeError } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";

describeEachProtocol("commands: string", (ctx) => {
  it("SET and GET, with the condition and GET variants", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}str:set`;
    assert.equal(await client.get(k), null);
    assert.equal(await client.set(k, "v1"), "OK");
    assert.equal(await client.get(k), "v1");
    assert.equal(await client.set(k, "nope", { nx: true }), null);
    assert.equal(await client.set(k, "v2", { xx: true }), "OK");
    assert.equal(await client.set(`${prefix}str:set:missing`, "x", { xx: true }), null);
    assert.equal(await client.get(`${prefix}str:set:missing`), null);
    // GET: the old value, or null when there was none.
    assert.equal(await client.set(k, "v3", { get: true }), "v2");
    assert.equal(await client.set(`${prefix}str:set:fresh`, "f", { get: true }), null);
    assert.equal(await client.get(`${prefix}str:set:fresh`), "f");
    // NX GET on an existing key: not set, old value returned.
    assert.equal(await client.set(k, "v4", { nx: true, get: true }), "v3");
    assert.equal(await client.get(k), "v3");
    // numbers are sent in decimal
    assert.equal(await client.set(k, 42), "OK");
    assert.equal(await client.get(k), "42");
  });

  it("SET expirations: EX, PX, EXAT, PXAT, KEEPTTL", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}str:set:ttl`;
    assert.equal(await client.set(k, "v", { ex: 100 }), "OK");
    assert.ok((await client.ttl(k)) > 90);
    assert.equal(await client.set(k, "v", { px: 100_000 }), "OK");
    const pttl = await client.pttl(k);
    assert.ok(pttl > 90_000 && pttl <= 100_000, `pttl ${pttl}`);
    const at = Math.floor(Date.now() / 1000) + 1000;
    assert.equal(await client.set(k, "v", { exat: at }), "OK");
    assert.equal(await client.expiretime(k), at);
    assert.equal(await client.set(k, "v", { pxat: at * 1000 }), "OK");
    assert.equal(await client.pexpiretime(k), at * 1000);
    assert.equal(await client.set(k, "w", { keepttl: true }), "OK");
    assert.equal(await client.expiretime(k), at);
    assert.equal(await client.set(k, "w"), "OK");
    assert.equal(await client.ttl(k), -1);
  });

  it("GETEX with and without expiration options", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}str:getex`;
    assert.equal(await client.getex(k), null);
    await client.set(k, "v");
    assert.equal(await client.getex(k), "v");
    assert.equal(await client.getex(k, { ex: 100 }), "v");
    assert.ok((await client.ttl(k)) > 90);
    assert.equal(await client.getex(k, { persist: true }), "v");
    assert.equal(await client.ttl(k), -1);
    assert.equal(await client.getex(k, { px: 50_000 }), "v");
    assert.ok((await client.pttl(k)) > 40_000);
    const at = Math.floor(Date.now() / 1000) + 500;
    assert.equal(await client.getex(k, { exat: at }), "v");
    assert.equal(await client.expiretime(k), at);
    assert.equal(await client.getex(k, { pxat: at * 1000 + 123 }), "v");
    assert.equal(await client.pexpiretime(k), at * 1000 + 123);
  });

  it("GETDEL, GETSET", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}str:getdel`;
    assert.equal(await client.getdel(k), null);
    await client.set(k, "gone");
    assert.equal(await client.getdel(k), "gone");
    assert.equal(await client.exists([k]), 0);
    assert.equal(await client.getset(k, "first"), null);
    assert.equal(await client.getset(k, "second"), "first");
    assert.equal(await client.get(k), "second");
  });

  it("APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}str:range`;
    assert.equal(await client.append(k, "Hello"), 5);
    assert.equal(await client.append(k, " World"), 11);
    assert.equal(await client.strlen(k), 11);
    assert.equal(await client.strlen(`${prefix}str:range:missing`), 0);
    assert.equal(await client.getrange(k, 0, 4), "Hello");
    assert.equal(await client.getrange(k, -5, -1), "World");
    assert.equal(await client.getrange(k, 20, 30), "");
    assert.equal(await client.substr(k, 6, 10), "World");
    assert.equal(await client.setrange(k, 6, "Redis"), 11);
    assert.equal(await client.get(k), "Hello Redis");
    // past the end: zero-padded
    const pad = `${prefix}str:range:pad`;
    assert.equal(await client.setrange(pad, 3, "x"), 4);
    assert.equal(await client.get(pad), "\0\0\0x");
  });

  it("INCR, INCRBY, DECR, DECRBY, INCRBYFLOAT", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}str:counter`;
    assert.equal(await client.incr(k), 1);
    assert.equal(await client.incrby(k, 10), 11);
    assert.equal(await client.decr(k), 10);
    assert.equal(await client.decrby(k, 15), -5);
    assert.equal(await client.incrby(k, 9007199254740000n), 9007199254739995);
    const f = `${prefix}str:float`;
    assert.equal(await client.incrbyfloat(f, 10.5), "10.5");
    assert.equal(await client.incrbyfloat(f, 0.1), "10.6");
    assert.equal(await client.incrbyfloat(f, -5), "5.6");
    const e = `${prefix}str:float:exp`;
    await client.set(e, "5.0e3");
    assert.equal(await client.incrbyfloat(e, 2e2), "5200");
  });

  it("INCR on a value that is not an integer is a ResponseError", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}str:notint`;
    await client.set(k, "abc");
    await assert.rejects(client.incr(k), (e) => e instanceof ResponseError && e.prefix === "ERR" && /not an integer/.test(e.message));
    await assert.rejects(client.incrbyfloat(k, 1), ResponseError);
  });

  it("MSET, MSETNX, MGET", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}str:m:a`;
    const b = `${prefix}str:m:b`;
    const c = `${prefix}str:m:c`;
    assert.equal(await client.mset({ [a]: "1", [b]: 2 }), "OK");
    assert.deepEqual(await client.mget([a, b, c]), ["1", "2", null]);
    assert.equal(await client.mset([[a, "x"], [Buffer.from(c), Buffer.from("z")]]), "OK");
    assert.deepEqual(await client.mget([a, b, c]), ["x", "2", "z"]);
    assert.equal(await client.msetnx({ [`${prefix}str:m:d`]: "d", [a]: "no" }), 0);
    assert.equal(await client.get(`${prefix}str:m:d`), null);
    assert.equal(await client.msetnx({ [`${prefix}str:m:d`]: "d", [`${prefix}str:m:e`]: "e" }), 1);
    assert.deepEqual(await client.mget([`${prefix}str:m:d`, `${prefix}str:m:e`]), ["d", "e"]);
  });

  it("SETNX, SETEX, PSETEX", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}str:setnx`;
    assert.equal(await client.setnx(k, "a"), 1);
    assert.equal(await client.setnx(k, "b"), 0);
    assert.equal(await client.get(k), "a");
    const ex = `${prefix}str:setex`;
    assert.equal(await client.setex(ex, 100, "v"), "OK");
    assert.equal(await client.get(ex), "v");
    assert.ok((await client.ttl(ex)) > 90);
    const px = `${prefix}str:psetex`;
    assert.equal(await client.psetex(px, 100_000, "p"), "OK");
    assert.equal(await client.get(px), "p");
    assert.ok((await client.pttl(px)) > 90_000);
    await assert.rejects(client.setex(ex, 0, "v"), ResponseError);
  });

  it("LCS: the string, LEN, IDX, IDX with MINMATCHLEN and WITHMATCHLEN", async () => {
    const { client, prefix } = ctx();
    const k1 = `${prefix}{lcs}1`;
    const k2 = `${prefix}{lcs}2`;
    await client.mset({ [k1]: "ohmytext", [k2]: "mynewtext" });
    assert.equal(await client.lcs(k1, k2), "mytext");
    assert.equal(await client.lcs(k1, k2, { len: true }), 6);
    assert.deepEqual(await client.lcs(k1, k2, { idx: true }), {
      matches: [
        [[4, 7], [5, 8]],
        [[2, 3], [0, 1]],
      ],
      len: 6,
    });
    assert.deepEqual(await client.lcs(k1, k2, { idx: true, minmatchlen: 4, withmatchlen: true }), {
      matches: [[[4, 7], [5, 8], 4]],
      len: 6,
    });
    assert.equal(await client.lcs(k1, `${prefix}{lcs}missing`), "");
  });

  it("Buffer view: GET, GETRANGE, MGET, SET GET, LCS return Buffers", async () => {
    const { client, buffers, prefix } = ctx();
    const k = `${prefix}str:buf`;
    const binary = Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a, 0x41]);
    assert.equal(await buffers.set(k, binary), "OK");
    const got = await buffers.get(k);
    assert.ok(Buffer.isBuffer(got));
    assert.deepEqual(got, binary);
    assert.deepEqual(await buffers.getrange(k, 1, 2), Buffer.from([0xff, 0x80]));
    assert.deepEqual(await buffers.mget([k, `${prefix}str:buf:missing`]), [binary, null]);
    assert.deepEqual(await buffers.set(k, "text", { get: true }), binary);
    assert.deepEqual(await buffers.incrbyfloat(`${prefix}str:buf:float`, 1.5), Buffer.from("1.5"));
    assert.equal(await client.get(k), "text");
    const k1 = `${prefix}{lcsb}1`;
    const k2 = `${prefix}{lcsb}2`;
    await client.mset({ [k1]: "ohmytext", [k2]: "mynewtext" });
    assert.deepEqual(await buffers.lcs(k1, k2), Buffer.from("mytext"));
    assert.deepEqual(await buffers.lcs(k1, k2, { idx: true, minmatchlen: 4 }), { matches: [[[4, 7], [5, 8]]], len: 6 });
  });

  it("WRONGTYPE: string commands on a list reject with WrongTypeError", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}str:wrongtype`;
    await client.rpush(k, ["a"]);
    await assert.rejects(client.get(k), WrongTypeError);
    await assert.rejects(client.append(k, "x"), WrongTypeError);
    await assert.rejects(client.incr(k), WrongTypeError);
    await assert.rejects(client.strlen(k), WrongTypeError);
    await assert.rejects(client.set(k, "v", { get: true }), WrongTypeError);
  });
});
