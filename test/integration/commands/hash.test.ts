/**
 * The `hash` group against a real server, under RESP2 and RESP3: every method, with the reply
 * transforms (HGETALL's record, HRANDFIELD's pairs), Buffer replies, errors, and the hash-field
 * expiration family (Redis 7.4, skipped on older servers).
 */
/* eslint-disable @typescript-eslint/no-deprecated -- deprecated commands are still commands: their methods are tested too */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ResponseError, WrongTypeError } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";

/** A null-prototype record as a plain object, for deepEqual. */
function plain<V>(record: Record<string, V>): Record<string, V> {
  return { ...record };
}

describeEachProtocol("commands: hash", (ctx) => {
  it("HSET, HGET, HMGET, HLEN, HEXISTS, HDEL", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}hash:basic`;
    assert.equal(await client.hset(k, { a: "1", b: 2 }), 2);
    assert.equal(await client.hset(k, [["b", "two"], ["c", "3"]]), 1);
    assert.equal(await client.hget(k, "b"), "two");
    assert.equal(await client.hget(k, "zz"), null);
    assert.equal(await client.hget(`${prefix}hash:missing`, "a"), null);
    assert.deepEqual(await client.hmget(k, ["a", "zz", "c"]), ["1", null, "3"]);
    assert.equal(await client.hlen(k), 3);
    assert.equal(await client.hlen(`${prefix}hash:missing`), 0);
    assert.equal(await client.hexists(k, "a"), 1);
    assert.equal(await client.hexists(k, "zz"), 0);
    assert.equal(await client.hdel(k, ["a", "zz"]), 1);
    assert.equal(await client.hdel(k, ["b", "c"]), 2);
    assert.equal(await client.exists([k]), 0);
  });

  it("HGETALL reads a null-prototype record under both protocols", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}hash:getall`;
    const empty = await client.hgetall(k);
    assert.equal(Object.getPrototypeOf(empty), null);
    assert.deepEqual(plain(empty), {});
    await client.hset(k, [["name", "x"], ["age", "3"], ["__proto__", "p"], ["constructor", "c"]]);
    const all = await client.hgetall(k);
    assert.equal(Object.getPrototypeOf(all), null);
    assert.deepEqual(Object.keys(all), ["name", "age", "__proto__", "constructor"]);
    assert.equal(all["__proto__"], "p");
    assert.equal(all["constructor"], "c");
    assert.equal(all["name"], "x");
    assert.equal(all["age"], "3");
  });

  it("HMSET, HSETNX, HSTRLEN, HKEYS, HVALS", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}hash:more`;
    assert.equal(await client.hmset(k, { f1: "hello", f2: "world!" }), "OK");
    assert.equal(await client.hsetnx(k, "f1", "nope"), 0);
    assert.equal(await client.hsetnx(k, "f3", "new"), 1);
    assert.equal(await client.hget(k, "f1"), "hello");
    assert.equal(await client.hstrlen(k, "f2"), 6);
    assert.equal(await client.hstrlen(k, "none"), 0);
    assert.deepEqual(await client.hkeys(k), ["f1", "f2", "f3"]);
    assert.deepEqual(await client.hvals(k), ["hello", "world!", "new"]);
    assert.deepEqual(await client.hkeys(`${prefix}hash:missing`), []);
    assert.deepEqual(await client.hvals(`${prefix}hash:missing`), []);
  });

  it("HINCRBY, HINCRBYFLOAT", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}hash:incr`;
    assert.equal(await client.hincrby(k, "n", 5), 5);
    assert.equal(await client.hincrby(k, "n", -7), -2);
    assert.equal(await client.hincrbyfloat(k, "f", 10.5), "10.5");
    assert.equal(await client.hincrbyfloat(k, "f", 0.1), "10.6");
    assert.equal(await client.hincrbyfloat(k, "f", -5), "5.6");
    await client.hset(k, { s: "abc" });
    await assert.rejects(client.hincrby(k, "s", 1), ResponseError);
    await assert.rejects(client.hincrbyfloat(k, "s", 1), ResponseError);
  });

  it("HRANDFIELD: one field, a count, negative counts, WITHVALUES", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}hash:rand`;
    assert.equal(await client.hrandfield(k), null);
    assert.deepEqual(await client.hrandfield(k, { count: 2 }), []);
    assert.deepEqual(await client.hrandfield(k, { count: 2, withvalues: true }), []);
    const data = { a: "1", b: "2", c: "3" };
    await client.hset(k, data);
    const one = await client.hrandfield(k);
    assert.ok(one !== null && one in data);
    const fields = await client.hrandfield(k, { count: 5 });
    assert.deepEqual([...fields].sort(), ["a", "b", "c"]);
    const repeated = await client.hrandfield(k, { count: -6 });
    assert.equal(repeated.length, 6);
    for (const f of repeated) assert.ok(f in data);
    const pairs = await client.hrandfield(k, { count: 3, withvalues: true });
    assert.deepEqual([...pairs].sort(), [["a", "1"], ["b", "2"], ["c", "3"]]);
    const repeatedPairs = await client.hrandfield(k, { count: -4, withvalues: true });
    assert.equal(repeatedPairs.length, 4);
    for (const [f, v] of repeatedPairs) assert.equal(data[f as keyof typeof data], v);
  });

  it("HSCAN: fields and values, MATCH, COUNT", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}hash:scan`;
    assert.deepEqual(await client.hscan(k, "0"), ["0", []]);
    await client.hset(k, { a1: "x", a2: "y", b1: "z" });
    assert.deepEqual(await client.hscan(k, "0"), ["0", ["a1", "x", "a2", "y", "b1", "z"]]);
    assert.deepEqual(await client.hscan(k, 0, { match: "a*", count: 100 }), ["0", ["a1", "x", "a2", "y"]]);
    // A hashtable (values longer than hash-max-listpack-value) scans over several calls; the
    // union is every field.
    const big = `${prefix}hash:scan:big`;
    const long = "x".repeat(100);
    const entries: [string, string][] = [];
    for (let i = 0; i < 300; i++) entries.push([`f${i}`, `${long}${i}`]);
    await client.hset(big, entries as [[string, string], ...[string, string][]]);
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, flat] = await client.hscan(big, cursor, { count: 50 });
      for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!);
      cursor = next;
      calls++;
    } while (cursor !== "0");
    assert.ok(calls > 1);
    assert.equal(seen.size, 300);
    assert.equal(seen.get("f123"), `${long}123`);
  });

  it("HSCAN NOVALUES", async (t) => {
    if (ctx().skipUnless(t, "7.4.0")) return;
    const { client, prefix } = ctx();
    const k = `${prefix}hash:scan:novalues`;
    await client.hset(k, { a: "1", b: "2" });
    assert.deepEqual(await client.hscan(k, "0", { novalues: true }), ["0", ["a", "b"]]);
  });

  it("Buffer view: HGET, HGETALL, HMGET, HKEYS, HVALS, HRANDFIELD return Buffers", async () => {
    const { client, buffers, prefix } = ctx();
    const k = `${prefix}hash:buf`;
    const bin = Buffer.from([0x00, 0xfe, 0xff]);
    await client.hset(k, [["f", bin], ["g", "text"]]);
    const v = await buffers.hget(k, "f");
    assert.ok(Buffer.isBuffer(v));
    assert.deepEqual(v, bin);
    const all = await buffers.hgetall(k);
    assert.deepEqual(Object.keys(all), ["f", "g"]);
    assert.deepEqual(all["f"], bin);
    assert.deepEqual(all["g"], Buffer.from("text"));
    assert.deepEqual(await buffers.hmget(k, ["g", "none"]), [Buffer.from("text"), null]);
    assert.deepEqual(await buffers.hkeys(k), [Buffer.from("f"), Buffer.from("g")]);
    assert.deepEqual(await buffers.hvals(k), [bin, Buffer.from("text")]);
    assert.deepEqual(await buffers.hincrbyfloat(k, "n", 2.5), Buffer.from("2.5"));
    const pairs = await buffers.hrandfield(k, { count: 3, withvalues: true });
    assert.equal(pairs.length, 3);
    const byField = new Map(pairs.map(([f, val]) => [f.toString(), val]));
    assert.deepEqual(byField.get("f"), bin);
    assert.deepEqual(byField.get("n"), Buffer.from("2.5"));
  });

  it("HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, HPERSIST", async (t) => {
    if (ctx().skipUnless(t, "7.4.0")) return;
    const { client, prefix } = ctx();
    const k = `${prefix}hash:fieldttl`;
    await client.hset(k, { a: "1", b: "2", c: "3" });
    // 1: set; -2: no such field.
    assert.deepEqual(await client.hexpire(k, 100, ["a", "nope"]), [1, -2]);
    assert.deepEqual(await client.hexpire(k, 200, ["a"], { nx: true }), [0]);
    assert.deepEqual(await client.hexpire(k, 200, ["a"], { gt: true }), [1]);
    const [ttl] = await client.httl(k, ["a"]);
    assert.ok(ttl !== undefined && ttl > 190 && ttl <= 200);
    assert.deepEqual(await client.httl(k, ["b", "nope"]), [-1, -2]);
    assert.deepEqual(await client.hpexpire(k, 150_000, ["b"]), [1]);
    const [pttl] = await client.hpttl(k, ["b"]);
    assert.ok(pttl !== undefined && pttl > 140_000 && pttl <= 150_000);
    const at = Math.floor(Date.now() / 1000) + 1000;
    assert.deepEqual(await client.hexpireat(k, at, ["c"]), [1]);
    assert.deepEqual(await client.hexpiretime(k, ["c", "nope"]), [at, -2]);
    assert.deepEqual(await client.hpexpireat(k, at * 1000 + 5, ["c"], { xx: true }), [1]);
    assert.deepEqual(await client.hpexpiretime(k, ["c"]), [at * 1000 + 5]);
    assert.deepEqual(await client.hpersist(k, ["a", "b", "c", "nope"]), [1, 1, 1, -2]);
    assert.deepEqual(await client.hpersist(k, ["a"]), [-1]);
    // 2: the field is deleted at once (the time is in the past).
    assert.deepEqual(await client.hpexpireat(k, 1000, ["a"]), [2]);
    assert.equal(await client.hexists(k, "a"), 0);
  });

  it("WRONGTYPE: hash commands on a string reject with WrongTypeError", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}hash:wrongtype`;
    await client.set(k, "v");
    await assert.rejects(client.hget(k, "f"), WrongTypeError);
    await assert.rejects(client.hset(k, { f: "v" }), WrongTypeError);
    await assert.rejects(client.hgetall(k), WrongTypeError);
    await assert.rejects(client.hrandfield(k, { count: 1, withvalues: true }), WrongTypeError);
    await assert.rejects(client.hscan(k, "0"), WrongTypeError);
  });
});
