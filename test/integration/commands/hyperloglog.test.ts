/**
 * The `hyperloglog` group against a real server, under RESP2 and RESP3: every method, Buffer
 * replies, and errors.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ResponseError, WrongTypeError } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";

describeEachProtocol("commands: hyperloglog", (ctx) => {
  it("PFADD and PFCOUNT", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}{hll}a`;
    assert.equal(await client.pfcount([k]), 0);
    assert.equal(await client.pfadd(k, ["a", "b", "c", "d"]), 1);
    assert.equal(await client.pfadd(k, ["a", "b"]), 0);
    assert.equal(await client.pfcount([k]), 4);
    // No elements: creates the key (1) once, then changes nothing (0).
    const empty = `${prefix}{hll}empty`;
    assert.equal(await client.pfadd(empty), 1);
    assert.equal(await client.pfadd(empty), 0);
    assert.equal(await client.pfadd(empty, []), 0);
    assert.equal(await client.pfcount([empty]), 0);
    const b = `${prefix}{hll}b`;
    await client.pfadd(b, ["c", "d", "e", Buffer.from([0xff]), 7]);
    // The count of several keys is that of their union.
    assert.equal(await client.pfcount([k, b]), 7);
  });

  it("PFMERGE", async () => {
    const { client, prefix } = ctx();
    const a = `${prefix}{hllm}a`;
    const b = `${prefix}{hllm}b`;
    const dest = `${prefix}{hllm}dest`;
    await client.pfadd(a, ["foo", "bar", "zap", "a"]);
    await client.pfadd(b, ["a", "b", "c", "foo"]);
    assert.equal(await client.pfmerge(dest, [a, b]), "OK");
    assert.equal(await client.pfcount([dest]), 6);
    // No source: the destination is created (empty) or left as it is.
    const only = `${prefix}{hllm}only`;
    assert.equal(await client.pfmerge(only), "OK");
    assert.equal(await client.pfcount([only]), 0);
    assert.equal(await client.pfmerge(dest), "OK");
    assert.equal(await client.pfcount([dest]), 6);
  });

  it("PFDEBUG: ENCODING, TODENSE, GETREG", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}hll:debug`;
    await client.pfadd(k, ["x", "y"]);
    assert.equal(await client.pfdebug("ENCODING", k), "sparse");
    assert.equal(await client.pfdebug("TODENSE", k), 1);
    assert.equal(await client.pfdebug("TODENSE", k), 0);
    assert.equal(await client.pfdebug("ENCODING", k), "dense");
    const registers = await client.pfdebug("GETREG", k);
    assert.ok(Array.isArray(registers));
    assert.equal(registers.length, 16384);
    assert.equal(registers.filter((r) => r !== 0).length, 2);
    assert.equal(await client.pfcount([k]), 2);
    await assert.rejects(client.pfdebug("NOSUCH", k), ResponseError);
  });

  it("PFSELFTEST", async () => {
    const { client } = ctx();
    assert.equal(await client.pfselftest(), "OK");
  });

  it("Buffer view: a HyperLogLog is a string; GET returns its Buffer", async () => {
    const { client, buffers, prefix } = ctx();
    const k = `${prefix}hll:buf`;
    assert.equal(await buffers.pfadd(k, [Buffer.from([0x00, 0x01])]), 1);
    assert.equal(await buffers.pfcount([k]), 1);
    const raw = await buffers.get(k);
    assert.ok(Buffer.isBuffer(raw));
    assert.equal(raw.subarray(0, 4).toString("latin1"), "HYLL");
    assert.equal(await client.pfdebug("ENCODING", k), "sparse");
    assert.equal(await buffers.pfdebug("ENCODING", k), "sparse");
  });

  it("WRONGTYPE and corrupt values", async () => {
    const { client, prefix } = ctx();
    const list = `${prefix}hll:wrongtype`;
    await client.rpush(list, ["a"]);
    await assert.rejects(client.pfadd(list, ["a"]), WrongTypeError);
    await assert.rejects(client.pfcount([list]), WrongTypeError);
    const plain = `${prefix}hll:notahll`;
    await client.set(plain, "just a string");
    await assert.rejects(client.pfadd(plain, ["a"]), (e) => e instanceof ResponseError && e.prefix === "WRONGTYPE");
  });
});
