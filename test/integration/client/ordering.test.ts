/**
 * Program order per key, tried the way users break it: a write not awaited, then a read of the
 * same key, where the two would travel on different connections (the bulk lane for large values,
 * a second shared connection once the first is backed up, a dedicated one). The read must see
 * the write, every time.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "../../../src/index.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";

let server: RedisServer;

before(async () => {
  server = await startStandalone();
});
after(async () => {
  await server?.stop();
});

const ONE_MIB = "x".repeat(1024 * 1024);
const ROUNDS = 30;

describe("program order per key across lanes", () => {
  it("MSET with a large value, not awaited, then GET of that key", async () => {
    await using client = new Redis({ port: server.port });
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:mset:${i}`;
      void client.mset([["order:small", String(i)], [key, ONE_MIB]]);
      assert.equal((await client.get(key))?.length, ONE_MIB.length, `round ${i}`);
    }
  });

  it("a Buffer key: a large SET then GET", async () => {
    await using client = new Redis({ port: server.port });
    for (let i = 0; i < ROUNDS; i++) {
      const key = Buffer.from(`order:buffer:${i}`);
      void client.set(key, ONE_MIB);
      assert.equal((await client.get(key))?.length, ONE_MIB.length, `round ${i}`);
    }
  });

  it("a key over 1 KiB: a large SET then GET", async () => {
    await using client = new Redis({ port: server.port });
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:long:${i}:${"k".repeat(2048)}`;
      void client.set(key, ONE_MIB);
      assert.equal((await client.get(key))?.length, ONE_MIB.length, `round ${i}`);
    }
  });

  it("HSET of a large field then HGET", async () => {
    await using client = new Redis({ port: server.port });
    for (let i = 0; i < ROUNDS; i++) {
      void client.hset(`order:hash:${i}`, [["f", ONE_MIB]]);
      assert.equal((await client.hget(`order:hash:${i}`, "f"))?.length, ONE_MIB.length, `round ${i}`);
    }
  });

  it("a large SET, then DEL, then EXISTS", async () => {
    await using client = new Redis({ port: server.port });
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:del:${i}`;
      void client.set(key, ONE_MIB);
      void client.del([key]);
      assert.equal(await client.exists([key]), 0, `round ${i}`);
    }
  });

  it("a large SET, then a small SET, then GET: the small value wins", async () => {
    await using client = new Redis({ port: server.port });
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:overwrite:${i}`;
      void client.set(key, ONE_MIB);
      void client.set(key, "small");
      assert.equal(await client.get(key), "small", `round ${i}`);
    }
  });

  it("a key read back large goes bulk; a SET of it issued after a small GET still runs after", async () => {
    await using client = new Redis({ port: server.port });
    await client.set("order:remembered", ONE_MIB);
    assert.equal((await client.get("order:remembered"))?.length, ONE_MIB.length); // now remembered as large
    for (let i = 0; i < ROUNDS; i++) {
      void client.set("order:remembered", `v${i}`); // small write of a key remembered large: bulk lane
      assert.equal(await client.getrange("order:remembered", 0, -1), `v${i}`, `round ${i}`);
      void client.set("order:remembered", ONE_MIB);
    }
  });

  it("FLUSHALL, not awaited, then a large SET: the SET runs after the flush", async () => {
    await using client = new Redis({ port: server.port });
    for (let i = 0; i < 10; i++) {
      await client.set("order:flush:before", "1");
      void client.flushall();
      void client.set(`order:flush:${i}`, ONE_MIB);
      assert.equal(await client.exists([`order:flush:${i}`]), 1, `round ${i}`);
      assert.equal(await client.exists(["order:flush:before"]), 0, `round ${i}`);
    }
  });

  it("a large SET, then a blocking pop of the same key on a dedicated connection", async () => {
    await using client = new Redis({ port: server.port });
    for (let i = 0; i < 10; i++) {
      const key = `order:list:${i}`;
      void client.rpush(key, [ONE_MIB]);
      const popped = await client.blpop([key], 1);
      assert.equal(popped?.[1].length, ONE_MIB.length, `round ${i}`);
    }
  });

  it("a burst deep enough to open a second shared connection, then SET/SET/GET of one key", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 4 });
    await client.ping();
    for (let round = 0; round < 3; round++) {
      // More requests in flight than one shared connection takes before it counts as backed up.
      const burst = Array.from({ length: 20_000 }, (_, i) => client.set(`order:burst:${i % 100}`, String(i)));
      const first = client.set("order:burst:target", "first");
      const second = client.set("order:burst:target", `second-${round}`);
      const read = client.get("order:burst:target");
      const more = Array.from({ length: 5_000 }, (_, i) => client.get(`order:burst:${i % 100}`));
      assert.equal(await read, `second-${round}`, `round ${round}`);
      await Promise.all([...burst, first, second, ...more]);
    }
    assert.ok(client.connectionPool.stats.created >= 2, "the burst opened a second shared connection");
  });

  it("small commands on other keys still pass a large value in flight", async () => {
    await using client = new Redis({ port: server.port });
    await client.set("order:small:key", "v");
    const settled: string[] = [];
    const large = client.set("order:pass:large", "y".repeat(16 * 1024 * 1024)).then(() => settled.push("large"));
    const small = client.get("order:small:key").then(() => settled.push("small"));
    await Promise.all([large, small]);
    // Queued behind 16 MiB on one connection, the GET could only be answered after the SET.
    assert.deepEqual(settled, ["small", "large"]);
    assert.equal(client.connectionPool.stats.created, 2, "the large value went on the bulk lane");
  });
});
