/**
 * The `set` group against a real server, under RESP2 and RESP3 (where sets are RESP3's own `~`
 * type, read as arrays in both): every method, with the count forms (SPOP, SRANDMEMBER), Buffer
 * replies, and errors.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ResponseError, WrongTypeError } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";

/** Set replies come in no particular order. */
function sorted<T extends string | Buffer>(members: readonly T[]): T[] {
  return [...members].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

describeEachProtocol("commands: set", (ctx) => {
  it("SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}set:basic`;
    assert.deepEqual(await client.smembers(k), []);
    assert.equal(await client.sadd(k, ["a", "b", "c", "a"]), 3);
    assert.equal(await client.sadd(k, ["c", "d", 5]), 2);
    assert.equal(await client.scard(k), 5);
    assert.equal(await client.scard(`${prefix}set:missing`), 0);
    assert.equal(await client.sismember(k, "a"), 1);
    assert.equal(await client.sismember(k, "zz"), 0);
    assert.equal(await client.sismember(k, 5), 1);
    assert.deepEqual(await client.smismember(k, ["a", "zz", "d"]), [1, 0, 1]);
    assert.deepEqual(await client.smismember(`${prefix}set:missing`, ["a"]), [0]);
    assert.deepEqual(sorted(await client.smembers(k)), ["5", "a", "b", "c", "d"]);
    assert.equal(await client.srem(k, ["a", "zz", "5"]), 2);
    assert.deepEqual(sorted(await client.smembers(k)), ["b", "c", "d"]);
  });

  it("SDIFF, SINTER, SUNION and their STORE forms; SINTERCARD with LIMIT", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{sops}a`;
    const b = `${prefix}{sops}b`;
    const c = `${prefix}{sops}c`;
    const dest = `${prefix}{sops}dest`;
    await client.sadd(a, ["a", "b", "c", "d"]);
    await client.sadd(b, ["c"]);
    await client.sadd(c, ["a", "c", "e"]);
    assert.deepEqual(sorted(await client.sdiff([a, b, c])), ["b", "d"]);
    assert.deepEqual(sorted(await client.sdiff([a])), ["a", "b", "c", "d"]);
    assert.deepEqual(sorted(await client.sinter([a, c])), ["a", "c"]);
    assert.deepEqual(await client.sinter([a, b, c]), ["c"]);
    assert.deepEqual(await client.sinter([a, `${prefix}{sops}missing`]), []);
    assert.deepEqual(sorted(await client.sunion([a, b, c])), ["a", "b", "c", "d", "e"]);
    assert.equal(await client.sdiffstore(dest, [a, b, c]), 2);
    assert.deepEqual(sorted(await client.smembers(dest)), ["b", "d"]);
    assert.equal(await client.sinterstore(dest, [a, c]), 2);
    assert.deepEqual(sorted(await client.smembers(dest)), ["a", "c"]);
    assert.equal(await client.sunionstore(dest, [b, c]), 3);
    assert.deepEqual(sorted(await client.smembers(dest)), ["a", "c", "e"]);
    assert.equal(await client.sinterstore(dest, [a, `${prefix}{sops}missing`]), 0);
    assert.equal(await client.exists([dest]), 0);
    assert.equal(await client.sintercard([a, c]), 2);
    assert.equal(await client.sintercard([a, c], { limit: 1 }), 1);
    assert.equal(await client.sintercard([a, c], { limit: 0 }), 2);
    assert.equal(await client.sintercard([a, `${prefix}{sops}missing`]), 0);
  });

  it("SMOVE", async () => {
    const { client, prefix } = ctx();
    const src = `${prefix}{smove}src`;
    const dst = `${prefix}{smove}dst`;
    await client.sadd(src, ["a", "b"]);
    assert.equal(await client.smove(src, dst, "a"), 1);
    assert.equal(await client.smove(src, dst, "zz"), 0);
    assert.deepEqual(await client.smembers(src), ["b"]);
    assert.deepEqual(await client.smembers(dst), ["a"]);
  });

  it("SPOP: one member, a count, an empty set", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}set:spop`;
    assert.equal(await client.spop(k), null);
    assert.deepEqual(await client.spop(k, { count: 3 }), []);
    const members = ["a", "b", "c", "d", "e"];
    await client.sadd(k, members as [string, ...string[]]);
    const one = await client.spop(k);
    assert.ok(one !== null && members.includes(one));
    const two = await client.spop(k, { count: 2 });
    assert.equal(two.length, 2);
    const rest = await client.spop(k, { count: 10 });
    assert.equal(rest.length, 2);
    assert.deepEqual(sorted([one, ...two, ...rest]), members);
    assert.equal(await client.exists([k]), 0);
  });

  it("SRANDMEMBER: one member, distinct members, repeated members", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}set:srand`;
    assert.equal(await client.srandmember(k), null);
    assert.deepEqual(await client.srandmember(k, { count: 3 }), []);
    const members = ["a", "b", "c"];
    await client.sadd(k, ["a", "b", "c"]);
    const one = await client.srandmember(k);
    assert.ok(one !== null && members.includes(one));
    assert.deepEqual(sorted(await client.srandmember(k, { count: 10 })), members);
    const repeated = await client.srandmember(k, { count: -7 });
    assert.equal(repeated.length, 7);
    for (const m of repeated) assert.ok(members.includes(m));
    assert.equal(await client.scard(k), 3);
  });

  it("SSCAN: MATCH, COUNT, and a cursor over several calls", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}set:scan`;
    assert.deepEqual(await client.sscan(k, "0"), ["0", []]);
    await client.sadd(k, ["a1", "a2", "b1"]);
    const [cursor, members] = await client.sscan(k, "0");
    assert.equal(cursor, "0");
    assert.deepEqual(sorted(members), ["a1", "a2", "b1"]);
    const [, matched] = await client.sscan(k, 0, { match: "a*", count: 100 });
    assert.deepEqual(sorted(matched), ["a1", "a2"]);
    // Non-integer members make a hashtable, which SSCAN walks over several calls.
    const big = `${prefix}set:scan:big`;
    const all: string[] = [];
    for (let i = 0; i < 300; i++) all.push(`member-${i}`);
    await client.sadd(big, all as [string, ...string[]]);
    const seen = new Set<string>();
    let next = "0";
    let calls = 0;
    do {
      const [c, page] = await client.sscan(big, next, { count: 20 });
      for (const m of page) seen.add(m);
      next = c;
      calls++;
    } while (next !== "0");
    assert.ok(calls > 1);
    assert.equal(seen.size, 300);
    await assert.rejects(client.sscan(k, "not-a-cursor"), ResponseError);
  });

  it("Buffer view: SMEMBERS, SPOP, SRANDMEMBER, SINTER, SSCAN return Buffers", async () => {
    const { buffers, prefix } = ctx();
    const k = `${prefix}{setbuf}k`;
    const bin = Buffer.from([0x00, 0xff, 0x80]);
    assert.equal(await buffers.sadd(k, [bin]), 1);
    const members = await buffers.smembers(k);
    assert.ok(Buffer.isBuffer(members[0]));
    assert.deepEqual(members, [bin]);
    assert.deepEqual(await buffers.srandmember(k), bin);
    assert.deepEqual(await buffers.srandmember(k, { count: 1 }), [bin]);
    assert.deepEqual(await buffers.sinter([k]), [bin]);
    assert.deepEqual(await buffers.sscan(k, "0"), [Buffer.from("0"), [bin]]);
    assert.deepEqual(await buffers.spop(k), bin);
  });

  it("WRONGTYPE: set commands on a string reject with WrongTypeError", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}set:wrongtype`;
    await client.set(k, "v");
    await assert.rejects(client.sadd(k, ["a"]), WrongTypeError);
    await assert.rejects(client.smembers(k), WrongTypeError);
    await assert.rejects(client.spop(k, { count: 1 }), WrongTypeError);
    await assert.rejects(client.sinter([k]), WrongTypeError);
    await assert.rejects(client.smismember(k, ["a"]), WrongTypeError);
  });
});
