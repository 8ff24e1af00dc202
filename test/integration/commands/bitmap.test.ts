/**
 * The `bitmap` group against a real server, under RESP2 and RESP3: every method, with its range
 * forms (BYTE/BIT), BITFIELD's operations and overflow modes, Buffer replies, and errors.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ResponseError, WrongTypeError } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";

describeEachProtocol("commands: bitmap", (ctx) => {
  it("SETBIT and GETBIT", async () => {
    const { client, buffers, prefix } = ctx();
    const k = `${prefix}bit:setbit`;
    assert.equal(await client.setbit(k, 7, 1), 0);
    assert.equal(await client.setbit(k, 7, 1), 1);
    assert.equal(await client.getbit(k, 7), 1);
    assert.equal(await client.getbit(k, 6), 0);
    assert.equal(await client.getbit(k, 1000), 0);
    assert.equal(await client.setbit(k, 8, 1), 0);
    // Bit 7 is the last bit of the first byte; bit 8 the first of the second.
    const raw = await buffers.get(k);
    assert.ok(Buffer.isBuffer(raw));
    assert.deepEqual(raw, Buffer.from([0x01, 0x80]));
    assert.equal(await client.setbit(k, 7, 0), 1);
    assert.equal(await client.getbit(k, 7), 0);
    await assert.rejects(client.setbit(k, 0, 2), ResponseError);
  });

  it("BITCOUNT: whole string, byte ranges, BYTE and BIT units", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}bit:count`;
    await client.set(k, "foobar");
    assert.equal(await client.bitcount(k), 26);
    assert.equal(await client.bitcount(k, { start: 0, end: 0 }), 4);
    assert.equal(await client.bitcount(k, { start: 1, end: 1 }), 6);
    assert.equal(await client.bitcount(k, { start: 1, end: 1, byte: true }), 6);
    assert.equal(await client.bitcount(k, { start: 5, end: 30, bit: true }), 17);
    assert.equal(await client.bitcount(k, { start: -2, end: -1 }), 7);
    assert.equal(await client.bitcount(`${prefix}bit:count:missing`), 0);
  });

  it("BITPOS: first set or clear bit, with ranges in BYTE and BIT units", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}bit:pos`;
    await client.set(k, Buffer.from([0xff, 0xf0, 0x00]));
    assert.equal(await client.bitpos(k, 0), 12);
    await client.set(k, Buffer.from([0x00, 0xff, 0xf0]));
    assert.equal(await client.bitpos(k, 1, { start: 0 }), 8);
    assert.equal(await client.bitpos(k, 1, { start: 2 }), 16);
    assert.equal(await client.bitpos(k, 1, { start: 2, end: -1, byte: true }), 16);
    assert.equal(await client.bitpos(k, 1, { start: 7, end: 15, bit: true }), 8);
    await client.set(k, Buffer.from([0x00, 0x00, 0x00]));
    assert.equal(await client.bitpos(k, 1), -1);
    assert.equal(await client.bitpos(`${prefix}bit:pos:missing`, 0), 0);
  });

  it("BITOP AND, OR, XOR, NOT", async () => {
    const { client, buffers, prefix } = ctx();
    const a = `${prefix}{bitop}a`;
    const b = `${prefix}{bitop}b`;
    const dest = `${prefix}{bitop}dest`;
    await client.set(a, Buffer.from([0b1100_1100, 0xff]));
    await client.set(b, Buffer.from([0b1010_1010]));
    assert.equal(await client.bitop("AND", dest, [a, b]), 2);
    assert.deepEqual(await buffers.get(dest), Buffer.from([0b1000_1000, 0x00]));
    assert.equal(await client.bitop("OR", dest, [a, b]), 2);
    assert.deepEqual(await buffers.get(dest), Buffer.from([0b1110_1110, 0xff]));
    assert.equal(await client.bitop("XOR", dest, [a, b]), 2);
    assert.deepEqual(await buffers.get(dest), Buffer.from([0b0110_0110, 0xff]));
    assert.equal(await client.bitop("NOT", dest, [b]), 1);
    assert.deepEqual(await buffers.get(dest), Buffer.from([0b0101_0101]));
    await assert.rejects(client.bitop("NOT", dest, [a, b]), ResponseError);
  });

  it("BITFIELD: SET, GET, INCRBY and the overflow modes", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}bit:field`;
    assert.deepEqual(
      await client.bitfield(k, [{ incrby: { encoding: "i5", offset: 100, increment: 1 } }, { get: { encoding: "u4", offset: 0 } }]),
      [1, 0],
    );
    assert.deepEqual(
      await client.bitfield(k, [
        { set: { encoding: "u8", offset: 0, value: 255 } },
        { get: { encoding: "u8", offset: 0 } },
        { set: { encoding: "i8", offset: "#1", value: -3 } },
        { get: { encoding: "i8", offset: "#1" } },
      ]),
      [0, 255, 0, -3],
    );
    const o = `${prefix}bit:field:overflow`;
    const wrapSat = [
      { incrby: { encoding: "u2", offset: 100, increment: 1 } },
      { overflow: "SAT", incrby: { encoding: "u2", offset: 102, increment: 1 } },
    ] as const;
    assert.deepEqual(await client.bitfield(o, wrapSat), [1, 1]);
    assert.deepEqual(await client.bitfield(o, wrapSat), [2, 2]);
    assert.deepEqual(await client.bitfield(o, wrapSat), [3, 3]);
    assert.deepEqual(await client.bitfield(o, wrapSat), [0, 3]);
    // FAIL: the increment that would overflow is not done and replies null.
    assert.deepEqual(
      await client.bitfield(o, [{ overflow: "FAIL", incrby: { encoding: "u2", offset: 102, increment: 1 } }]),
      [null],
    );
    assert.deepEqual(
      await client.bitfield(o, [{ overflow: "WRAP", incrby: { encoding: "u2", offset: 102, increment: 1 } }]),
      [0],
    );
    // No operation at all: an empty reply.
    assert.deepEqual(await client.bitfield(o), []);
    await assert.rejects(client.bitfield(o, [{ get: { encoding: "x9", offset: 0 } }]), ResponseError);
  });

  it("BITFIELD_RO: GET only", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}bit:fieldro`;
    await client.set(k, Buffer.from([0xff, 0x01]));
    assert.deepEqual(
      await client.bitfieldRo(k, { get: [{ encoding: "u8", offset: 0 }, { encoding: "i8", offset: 0 }, { encoding: "u8", offset: 8 }] }),
      [255, -1, 1],
    );
    assert.deepEqual(await client.bitfieldRo(k), []);
    assert.deepEqual(await client.bitfieldRo(`${prefix}bit:fieldro:missing`, { get: [{ encoding: "u16", offset: 0 }] }), [0]);
  });

  it("WRONGTYPE: bitmap commands on a hash reject with WrongTypeError", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}bit:wrongtype`;
    await client.hset(k, { f: "v" });
    await assert.rejects(client.getbit(k, 0), WrongTypeError);
    await assert.rejects(client.setbit(k, 0, 1), WrongTypeError);
    await assert.rejects(client.bitcount(k), WrongTypeError);
    await assert.rejects(client.bitpos(k, 1), WrongTypeError);
    await assert.rejects(client.bitfield(k, [{ get: { encoding: "u8", offset: 0 } }]), WrongTypeError);
  });
});
