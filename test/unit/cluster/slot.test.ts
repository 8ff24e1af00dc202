import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { crc16, keySlot, SLOT_COUNT } from "../../../src/cluster/slot.js";

describe("crc16", () => {
  it("is CRC16/XMODEM: the specification's check value", () => {
    // The Redis Cluster specification: the output of CRC16 for "123456789" is 0x31C3.
    assert.equal(crc16(Buffer.from("123456789")), 0x31c3);
  });
});

describe("keySlot", () => {
  it("matches slots Redis computes (CLUSTER KEYSLOT)", () => {
    // Values from CLUSTER KEYSLOT on Redis 7.0.
    assert.equal(keySlot("foo"), 12182);
    assert.equal(keySlot("bar"), 5061);
    assert.equal(keySlot("somekey"), 11058);
    assert.equal(keySlot(""), 0);
  });

  it("hashes only a non-empty hash tag, the first one", () => {
    assert.equal(keySlot("{user1000}.following"), keySlot("user1000"));
    assert.equal(keySlot("{user1000}.followers"), keySlot("{user1000}.following"));
    assert.equal(keySlot("foo{}{bar}"), keySlot("foo{}{bar}".slice(0)), "an empty tag: the whole key");
    assert.notEqual(keySlot("foo{}{bar}"), keySlot("bar"));
    assert.equal(keySlot("foo{{bar}}zap"), keySlot("{bar"));
    assert.equal(keySlot("foo{bar}{zap}"), keySlot("bar"));
    assert.equal(keySlot("{a"), keySlot(Buffer.from("{a")), "no closing brace: the whole key");
  });

  it("gives a string, its UTF-8 Buffer and a number's decimal the same slot", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (key) => {
        const slot = keySlot(key);
        assert.ok(slot >= 0 && slot < SLOT_COUNT);
        assert.equal(keySlot(Buffer.from(key, "utf8")), slot);
      }),
      { numRuns: 2_000 },
    );
    assert.equal(keySlot(12345), keySlot("12345"));
    assert.equal(keySlot(12345n), keySlot("12345"));
  });
});
