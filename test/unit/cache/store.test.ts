import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { entryId } from "../../../src/cache/caching-planner.js";
import { resolveCacheOptions, validateCacheOption } from "../../../src/cache/options.js";
import { approximateBytes, CacheStore, copyReply, type CacheEntry } from "../../../src/cache/store.js";
import { cacheRole, CacheRole } from "../../../src/commands/routing.js";
import { commandSpecForArgv } from "../../../src/commands/generated/table.js";

const producerA = { name: "a" };
const producerB = { name: "b" };

function entry(id: string, key: string, producer: object, value: unknown = "v", expiresAtMs = Infinity): CacheEntry<object> {
  return { id, key, value, bytes: approximateBytes(id, value), expiresAtMs, producer };
}

describe("CacheStore", () => {
  it("evicts the least recently used past maxEntries; a get refreshes an entry", () => {
    const store = new CacheStore<object>(2, 1 << 20);
    store.set(entry("1", "k1", producerA));
    store.set(entry("2", "k2", producerA));
    assert.ok(store.get("1", 0) !== undefined);
    store.set(entry("3", "k3", producerA));
    assert.equal(store.size, 2);
    assert.equal(store.get("2", 0), undefined);
    assert.ok(store.get("1", 0) !== undefined);
    assert.ok(store.get("3", 0) !== undefined);
  });

  it("holds to maxBytes, and refuses an entry larger than it alone", () => {
    const one = entry("1", "k", producerA, "x".repeat(100));
    const store = new CacheStore<object>(100, one.bytes * 2);
    store.set(one);
    store.set(entry("2", "k", producerA, "x".repeat(100)));
    store.set(entry("3", "k", producerA, "x".repeat(100)));
    assert.equal(store.size, 2);
    assert.ok(store.bytes <= one.bytes * 2);
    assert.equal(store.set(entry("4", "k", producerA, "x".repeat(1000))), false);
    assert.equal(store.size, 2);
  });

  it("drops every entry of a key, of a producer; expired entries are not served", () => {
    const store = new CacheStore<object>(100, 1 << 20);
    store.set(entry("GET k", "k", producerA));
    store.set(entry("STRLEN k", "k", producerB));
    store.set(entry("GET j", "j", producerB));
    store.set(entry("GET old", "old", producerA, "v", 10));
    assert.equal(store.deleteKey("k"), 2);
    assert.equal(store.size, 2);
    assert.equal(store.dropProducer(producerB), 1);
    assert.equal(store.get("GET old", 11), undefined);
    assert.equal(store.size, 0);
    assert.equal(store.bytes, 0);
  });

  it("replacing an id keeps the byte count and the indexes right", () => {
    const store = new CacheStore<object>(100, 1 << 20);
    store.set(entry("id", "k", producerA, "short"));
    store.set(entry("id", "k", producerB, "a longer value"));
    assert.equal(store.size, 1);
    assert.equal(store.dropProducer(producerA), 0);
    assert.equal(store.bytes, approximateBytes("id", "a longer value"));
    store.clear();
    assert.equal(store.bytes, 0);
  });
});

describe("cache helpers", () => {
  it("copyReply shares nothing mutable", () => {
    const raw = [Buffer.from("a"), new Map([["f", ["x"]]]), "s", 1];
    const copy = copyReply(raw);
    assert.deepEqual(copy, raw);
    assert.notEqual(copy[0], raw[0]);
    assert.notEqual(copy[1], raw[1]);
  });

  it("entry ids keep decoding, database and argument boundaries apart", () => {
    assert.notEqual(entryId("GET", ["GET", "k"], 1, true, 0), entryId("GET", ["GET", "k"], 1, false, 0));
    assert.notEqual(entryId("GET", ["GET", "k"], 1, true, 0), entryId("GET", ["GET", "k"], 1, true, 1));
    assert.notEqual(entryId("HGET", ["HGET", "a|s1:b", "c"], 1, true, 0), entryId("HGET", ["HGET", "a", "b|s1:c"], 1, true, 0));
    assert.notEqual(entryId("GET", ["GET", Buffer.from([0xff])], 1, false, 0), entryId("GET", ["GET", Buffer.from([0xfe])], 1, false, 0));
    assert.equal(entryId("GET", ["GET", 5], 1, true, 0), entryId("GET", ["GET", "5"], 1, true, 0));
  });

  it("cacheRole: single-key reads, MGET, writes of keys, writes of anything", () => {
    const role = (...argv: string[]): number => cacheRole(commandSpecForArgv(argv), argv);
    assert.equal(role("GET", "k"), CacheRole.Read);
    assert.equal(role("HGETALL", "k"), CacheRole.Read);
    assert.equal(role("EXISTS", "k"), CacheRole.Read);
    assert.equal(role("EXISTS", "k", "j"), CacheRole.None);
    assert.equal(role("TTL", "k"), CacheRole.None);
    assert.equal(role("MGET", "a", "b"), CacheRole.MultiGet);
    assert.equal(role("SET", "k", "v"), CacheRole.WriteKeys);
    assert.equal(role("EVAL", "return 1", "1", "k"), CacheRole.WriteKeys);
    assert.equal(role("FLUSHALL"), CacheRole.WriteAny);
    assert.equal(role("SWAPDB", "0", "1"), CacheRole.WriteAny);
    assert.equal(role("NOSUCHCOMMAND"), CacheRole.WriteAny);
    assert.equal(role("PING"), CacheRole.None);
  });

  it("options: defaults, and clear errors", () => {
    assert.deepEqual(resolveCacheOptions(true), { maxKeys: 10_000, maxBytes: 64 * 1024 * 1024, mode: "default", prefixes: [], ttlMs: undefined, consistency: "strict" });
    assert.equal(resolveCacheOptions(false), undefined);
    assert.throws(() => validateCacheOption({ maxBytes: 1.5 }), /cache.maxBytes/);
    assert.throws(() => validateCacheOption({ mode: "bcast" as "broadcast" }), /cache.mode must be one of/);
    assert.throws(() => validateCacheOption("yes" as unknown as boolean), /cache must be true, false or an options object/);
  });
});
