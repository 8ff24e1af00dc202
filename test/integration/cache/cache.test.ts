/**
 * Client-side caching against a real server, under RESP3 (tracking on the shared connections)
 * and RESP2 (the REDIRECT form, invalidations on a connection of the cache's own): reads served
 * from memory, and never a stale one once another client's write was acknowledged.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { Redis, type RESPValue } from "../../../src/index.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";
import { until } from "../../harness/wait.js";

let server: RedisServer | undefined;
before(async () => {
  server = await startStandalone();
});
after(() => server?.stop());

function theServer(): RedisServer {
  if (server === undefined) throw new Error("the server starts in before()");
  return server;
}

/** CLIENT LIST lines of the connections named `name`. */
async function connectionsNamed(side: Redis, name: string): Promise<string[]> {
  const list = String(await side.sendCommand(["CLIENT", "LIST"]));
  return list.split("\n").filter((line) => line.includes(` name=${name} `));
}

/** Calls of a command since the last CONFIG RESETSTAT, from INFO commandstats. */
async function calls(side: Redis, command: string): Promise<number> {
  const text = String(await side.sendCommand(["INFO", "commandstats"]));
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(text)?.[1] ?? 0);
}

/** Reads `read` until a read of it is a hit: the key is cached (RESP2's channel may still be opening at first). */
async function cached(client: Redis, read: () => Promise<unknown>): Promise<void> {
  await until(async () => {
    await read();
    // The entry is stored when the PTTL after the read is answered: one more round trip.
    await client.ping();
    const hits = client.cache?.stats.hits ?? 0;
    await read();
    return (client.cache?.stats.hits ?? 0) > hits;
  }, "the read is cached", { withinMs: 5_000 });
}

/** Waits until every connection of the cached client tracks (flag t) and, under RESP2, its invalidation connection is subscribed. */
async function tracking(side: Redis, name: string, protocolVersion: 2 | 3): Promise<void> {
  await until(async () => {
    const lines = await connectionsNamed(side, name);
    const data = lines.filter((line) => !/ sub=1 /.test(line));
    const ok = data.length > 0 && data.every((line) => /flags=\S*t/.test(line));
    return ok && (protocolVersion === 3 || lines.some((line) => / sub=1 /.test(line)));
  }, "the client's connections track");
}

for (const protocolVersion of [3, 2] as const) {
  describe(`client-side caching [RESP${protocolVersion}]`, () => {
    const prefix = `cache${protocolVersion}:`;
    let counter = 0;
    const make = (options: { cache?: boolean | { maxKeys?: number; ttl?: number }; db?: number } = {}): { client: Redis; name: string } => {
      const name = `cached-${protocolVersion}-${++counter}`;
      const client = new Redis({ port: theServer().port, protocolVersion, clientName: name, cache: options.cache ?? true, db: options.db ?? 0 });
      return { client, name };
    };
    const side = (): Redis => new Redis({ port: theServer().port });

    it("50 reads of one key reach the server once; the other 49 are hits", async () => {
      await using other = side();
      const { client, name } = make();
      await using _ = client;
      await other.set(`${prefix}once`, "v");
      await client.connect();
      await tracking(other, name, protocolVersion);
      await other.sendCommand(["CONFIG", "RESETSTAT"]);
      for (let i = 0; i < 50; i++) assert.equal(await client.get(`${prefix}once`), "v");
      assert.equal(await calls(other, "get"), 1);
      assert.equal(client.cache?.stats.hits, 49);
      assert.equal(client.cache?.stats.misses, 1);
      assert.equal(client.cache?.stats.entries, 1);
    });

    for (const kind of ["SET", "DEL", "HSET", "FLUSHALL"] as const) {
      it(`200 trials of another client's ${kind}: the first read after its acknowledgement is never stale`, async () => {
        await using other = side();
        const { client } = make();
        await using _ = client;
        const key = `${prefix}fresh:${kind}`;
        let stale = 0;
        const read = (): Promise<unknown> => (kind === "HSET" ? client.hgetall(key) : client.get(key));
        for (let trial = 0; trial < 200; trial++) {
          const before = `v${trial}`;
          if (kind === "HSET") await other.hset(key, { f: before });
          else await other.set(key, before);
          await read();
          await read(); // a hit, most times: the entry is there when the other client writes
          let expected: unknown;
          if (kind === "SET") {
            await other.set(key, `w${trial}`);
            expected = `w${trial}`;
          } else if (kind === "DEL") {
            await other.del([key]);
            expected = null;
          } else if (kind === "HSET") {
            await other.hset(key, { f: `w${trial}` });
            expected = { f: `w${trial}` };
          } else {
            await other.flushall();
            expected = kind === "FLUSHALL" ? null : undefined;
          }
          const after = await read();
          if (JSON.stringify(after) !== JSON.stringify(expected)) stale++;
        }
        assert.equal(stale, 0, `${stale} stale reads`);
        assert.ok((client.cache?.stats.hits ?? 0) > 0, "the cache served hits");
      });
    }

    it("200 trials of a key that expires: never served after its expiry by the wall clock", async () => {
      await using other = side();
      const { client } = make();
      await using _ = client;
      const key = `${prefix}expiring`;
      let stale = 0;
      let hits = 0;
      for (let trial = 0; trial < 200; trial++) {
        await other.set(key, `v${trial}`, { px: 15 });
        // The server set the key before it answered: it has expired 15 ms after the answer at the latest.
        const written = performance.now();
        await client.get(key);
        const hitsBefore = client.cache?.stats.hits ?? 0;
        await client.get(key);
        hits += (client.cache?.stats.hits ?? 0) - hitsBefore;
        // The one place a timing is the point: read once the key's TTL has passed by the clock
        // (and 3 ms more: the server itself counts whole, cached milliseconds).
        const left = 18 - (performance.now() - written);
        if (left > 0) await delay(left);
        if ((await client.get(key)) !== null) stale++;
      }
      assert.equal(stale, 0, `${stale} expired values served`);
      assert.ok(hits > 0, "values were served from the cache before they expired");
    });

    it("after CLIENT KILL of the tracking connection and a write meanwhile: never stale", async () => {
      await using other = side();
      const { client, name } = make();
      await using _ = client;
      const key = `${prefix}killed`;
      let stale = 0;
      for (let trial = 0; trial < 20; trial++) {
        await other.set(key, `v${trial}`);
        await client.connect();
        await tracking(other, name, protocolVersion);
        await cached(client, () => client.get(key));
        // RESP3: the data connection tracks; RESP2: kill the invalidation connection (and, every other trial, the data one).
        const lines = await connectionsNamed(other, name);
        const victims = lines.filter((line) => (protocolVersion === 3 ? true : / sub=1 / .test(line) || trial % 2 === 0));
        for (const line of victims) {
          const id = /^id=(\d+)/.exec(line)?.[1];
          if (id !== undefined) await other.sendCommand(["CLIENT", "KILL", "ID", id]);
        }
        await other.set(key, `w${trial}`);
        if ((await client.get(key)) !== `w${trial}`) stale++;
      }
      assert.equal(stale, 0, `${stale} stale reads`);
    });

    it("an MGET of 10 keys with 7 cached sends an MGET of the 3 others; values in the caller's order", async () => {
      await using other = side();
      const { client } = make();
      await using _ = client;
      const keys = Array.from({ length: 10 }, (_, i) => `${prefix}m${i}`);
      await other.sendCommand(["MSET", ...keys.flatMap((key, i) => [key, `value${i}`])]);
      const cachedKeys = [0, 1, 3, 4, 6, 7, 9];
      for (const i of cachedKeys) await cached(client, () => client.get(keys[i] as string));
      await other.sendCommand(["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
      await other.sendCommand(["SLOWLOG", "RESET"]);
      const values = await client.mget(keys as [string, ...string[]]);
      const log = (await other.sendCommand(["SLOWLOG", "GET", "1000"])) as RESPValue[][];
      await other.sendCommand(["CONFIG", "SET", "slowlog-log-slower-than", "10000"]);
      assert.deepEqual(values, keys.map((_, i) => `value${i}`));
      const mgets = log.map((entry) => entry[3] as string[]).filter((argv) => String(argv[0]).toUpperCase() === "MGET");
      assert.deepEqual(mgets, [["MGET", keys[2], keys[5], keys[8]]]);
      // The three are cached now, each as a GET entry.
      await client.ping();
      const hits = client.cache?.stats.hits ?? 0;
      assert.deepEqual(await client.mget([keys[2] as string, keys[8] as string]), ["value2", "value8"]);
      assert.equal(client.cache?.stats.hits, hits + 2);
    });

    it("2 000 distinct keys with maxKeys 100 hold at most 100 entries", async () => {
      await using other = side();
      const { client } = make({ cache: { maxKeys: 100 } });
      await using _ = client;
      const keys = Array.from({ length: 2000 }, (_, i) => `${prefix}many:${i}`);
      for (let i = 0; i < keys.length; i += 500) await other.sendCommand(["MSET", ...keys.slice(i, i + 500).flatMap((key) => [key, key])]);
      let most = 0;
      for (let i = 0; i < keys.length; i += 100) {
        const values = await Promise.all(keys.slice(i, i + 100).map((key) => client.get(key)));
        assert.deepEqual(values, keys.slice(i, i + 100));
        most = Math.max(most, client.cache?.stats.entries ?? 0);
      }
      await client.ping();
      most = Math.max(most, client.cache?.stats.entries ?? 0);
      assert.ok(most <= 100, `${most} entries`);
      assert.ok(most > 0);
    });

    it("50 readers beside a writer counting up never see the counter go backwards", async () => {
      await using other = side();
      const { client } = make();
      await using _ = client;
      const key = `${prefix}counter`;
      await other.set(key, "0");
      let writing = true;
      const writer = (async () => {
        for (let i = 0; i < 500; i++) await other.incr(key);
        writing = false;
      })();
      let backwards = 0;
      let reads = 0;
      const readers = Array.from({ length: 50 }, async () => {
        let last = -1;
        while (writing) {
          const value = Number(await client.get(key));
          reads++;
          if (value < last) backwards++;
          last = value;
        }
      });
      await Promise.all([writer, ...readers]);
      assert.equal(backwards, 0);
      assert.ok(reads > 500);
      assert.equal(await client.get(key), "500");
    });

    it("the client's own writes invalidate at once", async () => {
      const { client } = make();
      await using _ = client;
      const key = `${prefix}own`;
      await client.set(key, "a");
      await cached(client, () => client.get(key));
      await client.set(key, "b");
      assert.equal(await client.get(key), "b");
      void client.set(key, "c"); // not awaited: a read issued after it still sees it
      assert.equal(await client.get(key), "c");
      await client.hset(`${key}:h`, { f: "1" });
      await cached(client, () => client.hgetall(`${key}:h`));
      await client.hset(`${key}:h`, { g: "2" });
      assert.deepEqual({ ...(await client.hgetall(`${key}:h`)) }, { f: "1", g: "2" });
      await client.flushdb();
      assert.equal(await client.get(key), null);
    });

    it("a Buffer view never gets a cached string, nor a string view a cached Buffer; callers never share a reply", async () => {
      const { client } = make();
      await using _ = client;
      const key = `${prefix}views`;
      await client.hset(key, { f: "v" });
      await cached(client, () => client.hgetall(key));
      const buffers = client.decoding(false);
      const asBuffers = await buffers.hgetall(key);
      assert.ok(Buffer.isBuffer(asBuffers["f"]));
      await cached(client, () => buffers.hgetall(key));
      const first = await client.hgetall(key);
      assert.equal(typeof first["f"], "string");
      first["f"] = "changed";
      assert.deepEqual({ ...(await client.hgetall(key)) }, { f: "v" });
      const bytes = (await buffers.hgetall(key))["f"] as Buffer;
      bytes[0] = 0;
      assert.deepEqual((await buffers.hgetall(key))["f"], Buffer.from("v"));
    });

    it("entries are per database: two clients on db 0 and db 1", async () => {
      const zero = make({ db: 0 }).client;
      const one = make({ db: 1 }).client;
      await using _a = zero;
      await using _b = one;
      const key = `${prefix}db`;
      await zero.set(key, "zero");
      await one.set(key, "one");
      await cached(zero, () => zero.get(key));
      await cached(one, () => one.get(key));
      assert.equal(await zero.get(key), "zero");
      assert.equal(await one.get(key), "one");
      await one.set(key, "one again");
      assert.equal(await zero.get(key), "zero");
      assert.equal(await one.get(key), "one again");
    });

    it("per call: { cache: false } neither reads nor fills the cache; { cache: { ttl } } caps an entry's life", async () => {
      await using other = side();
      const { client } = make();
      await using _ = client;
      const key = `${prefix}percall`;
      await other.set(key, "v");
      const uncached = client.withOptions({ cache: false });
      await uncached.get(key);
      await client.ping();
      assert.equal(client.cache?.stats.entries, 0);
      await cached(client, () => client.withOptions({ cache: { ttl: 30 } }).get(key));
      await until(async () => {
        const misses = client.cache?.stats.misses ?? 0;
        await client.get(key);
        return (client.cache?.stats.misses ?? 0) > misses;
      }, "the capped entry expired");
      client.cache?.clear();
      assert.equal(client.cache?.stats.entries, 0);
    });
  });
}

describe("client-side caching: broadcast mode", () => {
  it("caches keys under its prefixes only, and sees other clients' writes", async () => {
    await using other = new Redis({ port: theServer().port });
    await using client = new Redis({ port: theServer().port, cache: { mode: "broadcast", prefixes: ["bc:"] } });
    await other.set("bc:a", "1");
    await other.set("nb:a", "1");
    await cached(client, () => client.get("bc:a"));
    await client.get("nb:a");
    await client.get("nb:a");
    await client.ping();
    assert.equal(client.cache?.stats.entries, 1);
    await other.set("bc:a", "2");
    assert.equal(await client.get("bc:a"), "2");
  });

  it("rejects bad cache options with a clear message", () => {
    assert.throws(() => new Redis({ cache: { maxKeys: 0 } }), /cache.maxKeys must be an integer/);
    assert.throws(() => new Redis({ cache: { prefixes: ["a"] } }), /applies only with cache.mode "broadcast"/);
    assert.throws(() => new Redis({ cache: { mode: "broadcast", prefixes: ["a", "ab"] } }), /overlap/);
    assert.throws(() => new Redis({ cache: { ttl: -1 } }), /cache.ttl must be a duration/);
  });
});

describe('client-side caching: consistency "received"', () => {
  it("answers hits with no round trip: 50 hits send no PING", async () => {
    await using other = new Redis({ port: theServer().port });
    await using client = new Redis({ port: theServer().port, cache: { consistency: "received" } });
    await other.set("rcv:once", "v");
    await cached(client, () => client.get("rcv:once"));
    await other.sendCommand(["CONFIG", "RESETSTAT"]);
    const hits = client.cache?.stats.hits ?? 0;
    for (let i = 0; i < 50; i++) assert.equal(await client.get("rcv:once"), "v");
    assert.equal((client.cache?.stats.hits ?? 0) - hits, 50);
    assert.equal(await calls(other, "ping"), 0);
    assert.equal(await calls(other, "get"), 0);
  });

  it("is never answered ahead of an invalidation the client has received: 200 trials", async () => {
    await using other = new Redis({ port: theServer().port });
    await using client = new Redis({ port: theServer().port, cache: { consistency: "received" } });
    let stale = 0;
    for (let trial = 0; trial < 200; trial++) {
      const key = `rcv:k:${trial}`; // never read before: the first read is a miss, and tracked
      await other.set(key, "before");
      assert.equal(await client.get(key), "before");
      await client.ping(); // the PTTL after the read is answered: the entry is stored
      assert.equal(await client.get(key), "before"); // a hit
      const invalidations = client.cache?.stats.invalidations ?? 0;
      await other.set(key, "after");
      // Received: the invalidation has been read off the socket (the cache counted it).
      await until(() => (client.cache?.stats.invalidations ?? 0) > invalidations, "the invalidation arrived", { everyMs: 1 });
      if ((await client.get(key)) !== "after") stale++;
    }
    assert.equal(stale, 0, `${stale} stale reads`);
  });
});
