/**
 * The generic (keyspace) commands against a real server, under RESP2 and RESP3.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { Redis } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";

/** The target of MIGRATE. */
let target: RedisServer | undefined;
before(async () => {
  target = await startStandalone();
});
after(async () => {
  await target?.stop();
});

describeEachProtocol("generic commands", (ctx) => {
  it("DEL, EXISTS, TOUCH, UNLINK, TYPE", async () => {
    const { client, prefix } = ctx();
    const [a, b, c] = [`${prefix}del:a`, `${prefix}del:b`, `${prefix}del:c`];
    await client.set(a, "1");
    await client.set(b, "2");
    await client.rpush(c, ["x"]);
    assert.equal(await client.exists([a, b, c, `${prefix}del:none`]), 3);
    assert.equal(await client.exists([a, a]), 2);
    assert.equal(await client.touch([a, b, `${prefix}del:none`]), 2);
    assert.equal(await client.type(a), "string");
    assert.equal(await client.type(c), "list");
    assert.equal(await client.type(`${prefix}del:none`), "none");
    // A status reply: a string in the Buffer view too.
    assert.equal(await ctx().buffers.type(c), "list");
    assert.equal(await client.del([a, `${prefix}del:none`]), 1);
    assert.equal(await client.unlink([b, c]), 2);
    assert.equal(await client.exists([a, b, c]), 0);
  });

  it("COPY, RENAME, RENAMENX, MOVE", async () => {
    const { client, server, prefix } = ctx();
    const src = `${prefix}copy:src`;
    const dst = `${prefix}copy:dst`;
    await client.del([src, dst]);
    await client.set(src, "v");
    assert.equal(await client.copy(src, dst), 1);
    assert.equal(await client.copy(src, dst), 0);
    await client.set(src, "w");
    assert.equal(await client.copy(src, dst, { replace: true }), 1);
    assert.equal(await client.get(dst), "w");

    const renamed = `${prefix}copy:renamed`;
    assert.equal(await client.rename(dst, renamed), "OK");
    assert.equal(await client.renamenx(src, renamed), 0);
    const other = `${prefix}copy:other`;
    await client.del([other]);
    assert.equal(await client.renamenx(src, other), 1);
    assert.equal(await client.get(other), "w");

    // MOVE and COPY … DB: into database 9, seen from a client on db 9.
    const db9 = new Redis({ port: server.port, db: 9, protocolVersion: ctx().protocolVersion });
    try {
      await db9.del([other, renamed]);
      assert.equal(await client.move(other, 9), 1);
      assert.equal(await client.exists([other]), 0);
      assert.equal(await db9.get(other), "w");
      assert.equal(await client.copy(renamed, renamed, { db: 9 }), 1);
      assert.equal(await db9.get(renamed), "w");
      await db9.del([other, renamed]);
    } finally {
      await db9.close();
    }
  });

  it("EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST", async () => {
    const { client, prefix } = ctx();
    const key = `${prefix}ttl:k`;
    await client.set(key, "v");
    assert.equal(await client.ttl(key), -1);
    assert.equal(await client.pttl(key), -1);
    assert.equal(await client.expiretime(key), -1);
    assert.equal(await client.pexpiretime(key), -1);
    assert.equal(await client.ttl(`${prefix}ttl:none`), -2);

    assert.equal(await client.expire(key, 100), 1);
    assert.equal(await client.expire(key, 200, { nx: true }), 0);
    assert.equal(await client.expire(key, 50, { gt: true }), 0);
    assert.equal(await client.expire(key, 300, { gt: true }), 1);
    assert.equal(await client.expire(key, 10, { lt: true }), 1);
    assert.equal(await client.expire(key, 20, { xx: true }), 1);
    const ttl = await client.ttl(key);
    assert.ok(ttl > 0 && ttl <= 20, `ttl ${ttl}`);

    assert.equal(await client.pexpire(key, 60_000), 1);
    const pttl = await client.pttl(key);
    assert.ok(pttl > 50_000 && pttl <= 60_000, `pttl ${pttl}`);
    assert.equal(await client.pexpire(key, 1_000, { gt: true }), 0);

    const at = Math.floor(Date.now() / 1000) + 1000;
    assert.equal(await client.expireat(key, at), 1);
    assert.equal(await client.expiretime(key), at);
    assert.equal(await client.expireat(key, at + 5, { lt: true }), 0);
    const atMs = Date.now() + 500_000;
    assert.equal(await client.pexpireat(key, atMs), 1);
    assert.equal(await client.pexpiretime(key), atMs);
    assert.equal(await client.pexpireat(key, atMs, { nx: true }), 0);

    assert.equal(await client.persist(key), 1);
    assert.equal(await client.persist(key), 0);
    assert.equal(await client.ttl(key), -1);
  });

  it("KEYS, SCAN, RANDOMKEY", async () => {
    const { client, prefix } = ctx();
    const keys = Array.from({ length: 25 }, (_, i) => `${prefix}scan:${i}`);
    for (const key of keys) await client.set(key, "v");
    await client.sadd(`${prefix}scan:set`, ["m"]);
    const listed = await client.keys(`${prefix}scan:*`);
    assert.deepEqual([...listed].sort(), [...keys, `${prefix}scan:set`].sort());

    const seen = new Set<string>();
    let cursor = "0";
    do {
      const [next, batch] = await client.scan(cursor, { match: `${prefix}scan:*`, count: 10, type: "string" });
      assert.equal(typeof next, "string");
      for (const key of batch) seen.add(key);
      cursor = next;
    } while (cursor !== "0");
    assert.deepEqual([...seen].sort(), [...keys].sort());

    const random = await client.randomkey();
    assert.equal(typeof random, "string");
    assert.equal(await client.exists([random as string]), 1);
  });

  it("DUMP and RESTORE (Buffers)", async () => {
    const { client, buffers, prefix } = ctx();
    const key = `${prefix}dump:src`;
    const copy = `${prefix}dump:copy`;
    await client.del([key, copy]);
    await client.rpush(key, ["a", "b", "c"]);
    const payload = await buffers.dump(key);
    assert.ok(Buffer.isBuffer(payload));
    assert.equal(await buffers.dump(`${prefix}dump:none`), null);
    assert.equal(await client.restore(copy, 0, payload), "OK");
    assert.deepEqual(await client.lrange(copy, 0, -1), ["a", "b", "c"]);
    await assert.rejects(client.restore(copy, 0, payload), /BUSYKEY/);
    assert.equal(await client.restore(copy, 5_000, payload, { replace: true, idletime: 10 }), "OK");
    const pttl = await client.pttl(copy);
    assert.ok(pttl > 0 && pttl <= 5_000, `pttl ${pttl}`);
    assert.equal(await client.restore(copy, Date.now() + 60_000, payload, { replace: true, absttl: true }), "OK");
    assert.ok((await client.ttl(copy)) > 50);
  });

  it("DUMP is a Buffer under the default decoding too, and RESTORE takes it back intact", async () => {
    const { client, prefix } = ctx();
    const key = `${prefix}dump:binary`;
    const copy = `${prefix}dump:binary:copy`;
    await client.del([key, copy]);
    // Bytes that are not UTF-8: decoded to a string, each would become U+FFFD and the payload
    // (and its checksum) would be lost.
    const value = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0x41]);
    await client.set(key, value);
    const payload = await client.dump(key);
    assert.ok(Buffer.isBuffer(payload), `dump gave a ${typeof payload}`);
    assert.deepEqual(payload, await ctx().buffers.dump(key));
    assert.equal(await client.dump(`${prefix}dump:none`), null);
    assert.equal(await client.restore(copy, 0, payload), "OK");
    assert.deepEqual(await ctx().buffers.get(copy), value);
    // A list too, its payload holding the encoding's own binary header.
    await client.del([key, copy]);
    await client.rpush(key, [value, "plain"]);
    const listPayload = await client.dump(key);
    assert.ok(Buffer.isBuffer(listPayload));
    assert.equal(await client.restore(copy, 0, listPayload), "OK");
    assert.deepEqual(await ctx().buffers.lrange(copy, 0, -1), [value, Buffer.from("plain")]);
    // Other replies still follow the client's decoding.
    assert.equal(await client.lindex(copy, 1), "plain");
  });

  it("OBJECT ENCODING, REFCOUNT, IDLETIME, FREQ, HELP", async () => {
    const { client, prefix } = ctx();
    const key = `${prefix}object:k`;
    await client.set(key, "12345");
    assert.equal(await client.objectEncoding(key), "int");
    await client.set(key, "not a number");
    assert.equal(await client.objectEncoding(key), "embstr");
    assert.equal(await client.objectEncoding(`${prefix}object:none`), null);
    assert.equal(await client.objectRefcount(key), 1);
    const idle = await client.objectIdletime(key);
    assert.ok(idle >= 0 && idle < 5, `idle ${idle}`);
    const help = await client.objectHelp();
    assert.ok(help.some((line) => line.includes("FREQ")));
    assert.ok((await ctx().buffers.objectHelp()).every((line) => typeof line === "string"));

    // FREQ needs an LFU policy (and IDLETIME then fails): switched for this test only.
    const policy = (await client.configGet(["maxmemory-policy"]))["maxmemory-policy"] ?? "noeviction";
    await client.configSet({ "maxmemory-policy": "allkeys-lfu" });
    try {
      await client.get(key);
      const freq = await client.objectFreq(key);
      assert.ok(Number.isInteger(freq) && freq >= 0, `freq ${freq}`);
    } finally {
      await client.configSet({ "maxmemory-policy": policy });
    }
  });

  it("SORT and SORT_RO", async () => {
    const { client, prefix } = ctx();
    const list = `${prefix}sort:list`;
    const out = `${prefix}sort:out`;
    await client.del([list, out]);
    await client.rpush(list, ["3", "1", "2"]);
    // BY/GET patterns must hash to the same slot only in a cluster; here they are plain keys.
    for (const [id, weight, name] of [["1", "30", "one"], ["2", "10", "two"], ["3", "20", "three"]] as const) {
      await client.set(`${prefix}sort:w_${id}`, weight);
      await client.set(`${prefix}sort:n_${id}`, name);
    }
    assert.deepEqual(await client.sort(list), ["1", "2", "3"]);
    assert.deepEqual(await client.sort(list, { desc: true, limit: { offset: 0, count: 2 } }), ["3", "2"]);
    assert.deepEqual(await client.sort(list, { by: `${prefix}sort:w_*`, get: [`${prefix}sort:n_*`, "#"] }), [
      "two", "2", "three", "3", "one", "1",
    ]);
    assert.deepEqual(await client.sort(list, { get: [`${prefix}sort:missing_*`] }), [null, null, null]);
    assert.equal(await client.sort(list, { alpha: true, store: out }), 3);
    assert.deepEqual(await client.lrange(out, 0, -1), ["1", "2", "3"]);
    assert.deepEqual(await client.sortRo(list, { asc: true, alpha: true }), ["1", "2", "3"]);
    assert.deepEqual(await client.sortRo(list, { desc: true, limit: { offset: 1, count: 5 } }), ["2", "1"]);
  });

  it("MIGRATE", async () => {
    const { client, prefix, protocolVersion } = ctx();
    assert.ok(target !== undefined);
    const key = `${prefix}migrate:k`;
    const [k1, k2] = [`${prefix}migrate:k1`, `${prefix}migrate:k2`];
    await client.set(key, "moved");
    assert.equal(await client.migrate(target.host, target.port, key, 0, 5000), "OK");
    assert.equal(await client.exists([key]), 0);
    assert.equal(await client.migrate(target.host, target.port, key, 0, 5000), "NOKEY");
    await client.mset({ [k1]: "1", [k2]: "2" });
    assert.equal(await client.migrate(target.host, target.port, "", 0, 5000, { copy: true, keys: [k1, k2] }), "OK");
    assert.equal(await client.exists([k1, k2]), 2);
    await assert.rejects(client.migrate(target.host, target.port, "", 0, 5000, { copy: true, keys: [k1] }), /BUSYKEY/);
    assert.equal(await client.migrate(target.host, target.port, k1, 0, 5000, { replace: true }), "OK");
    assert.equal(await client.exists([k1]), 0);
    const onTarget = new Redis({ port: target.port, protocolVersion });
    try {
      assert.deepEqual(await onTarget.mget([key, k1, k2]), ["moved", "1", "2"]);
    } finally {
      await onTarget.close();
    }
  });

  it("MIGRATE … AUTH2 reaches a password-protected target", async () => {
    const { client, prefix } = ctx();
    await using secured = await startStandalone({ aclUsers: [{ name: "mover", password: "s3cret", rules: "~* +@all" }] });
    const key = `${prefix}migrate:auth`;
    await client.set(key, "x");
    assert.equal(
      await client.migrate(secured.host, secured.port, key, 0, 5000, { copy: true, auth2: { username: "mover", password: "s3cret" } }),
      "OK",
    );
    await assert.rejects(
      client.migrate(secured.host, secured.port, key, 0, 5000, { replace: true, auth: "wrong" }),
      /WRONGPASS|invalid|NOAUTH|AUTH/i,
    );
  });

  it("WAIT", async () => {
    const { client, prefix } = ctx();
    await client.set(`${prefix}wait:k`, "v");
    // No replicas: asking for none is satisfied at once.
    assert.equal(await client.wait(0, 100), 0);
  });

  it("WAITAOF", async (t) => {
    if (ctx().skipUnless(t, "7.2.0")) return;
    const { client } = ctx();
    const [local, replicas] = await client.waitaof(0, 0, 100);
    assert.equal(local, 0);
    assert.equal(replicas, 0);
  });
});
