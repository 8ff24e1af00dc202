/**
 * The seed page's examples, as acceptance tests: connection limits, the pool timeout, sharing a
 * pool, and pool lifetimes owned (or not) by a parent.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConnectionPool, Redis, TCPLocation, TimeoutError } from "../../../src/index.js";
import { TCPConnection } from "../../../src/connection/tcp-connection.js";
import { openSideConnection, runRequest } from "../../harness/run-request.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";

let server: RedisServer;
let side: TCPConnection;

before(async () => {
  server = await startStandalone();
  side = await openSideConnection(server);
});
after(async () => {
  await side?.close();
  await server?.stop();
});

/** Connections the server sees, other than the side connection used to look. */
async function serverConnections(): Promise<number> {
  const list = String(await runRequest(side, ["CLIENT", "LIST"]));
  return list.split("\n").filter((line) => line.includes("id=") && !line.includes("name=side ")).length;
}

/** The number of times Redis executed `command`, from INFO commandstats. */
async function callsOf(command: string): Promise<number> {
  const stats = String(await runRequest(side, ["INFO", "commandstats"]));
  const line = stats.split("\r\n").find((l) => l.startsWith(`cmdstat_${command}:`));
  return line === undefined ? 0 : Number(/calls=(\d+)/.exec(line)?.[1]);
}

describe("connection limits (the seed's timings)", () => {
  it("10 concurrent 3-second BLPOPs take about 6 s with maxConnections 8", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 8 });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 10 }, () => client.blpop(["seed:8"], 3)));
    const seconds = (performance.now() - started) / 1000;
    assert.deepEqual(results, Array(10).fill(null));
    assert.ok(seconds >= 5.9 && seconds < 7.5, `took ${seconds} s`);
    assert.ok(client.connectionPool.stats.created <= 8);
  });

  it("and about 3 s with maxConnections 10", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 10 });
    const started = performance.now();
    await Promise.all(Array.from({ length: 10 }, () => client.blpop(["seed:10"], 3)));
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds >= 2.9 && seconds < 4.5, `took ${seconds} s`);
  });

  it("with poolTimeout 1000, exactly two fail with TimeoutError after about 1 s and never reach Redis", async () => {
    await runRequest(side, ["CONFIG", "RESETSTAT"]);
    await using client = new Redis({ port: server.port, maxConnections: 8, poolTimeout: 1000 });
    const started = performance.now();
    const failedAt: number[] = [];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        client.blpop(["seed:timeout"], 3).catch((error: unknown) => {
          failedAt.push(performance.now() - started);
          throw error;
        }),
      ),
    );
    const rejected = outcomes.filter((o) => o.status === "rejected");
    assert.equal(rejected.length, 2);
    for (const outcome of rejected) {
      const reason = (outcome).reason as TimeoutError;
      assert.ok(reason instanceof TimeoutError);
      assert.equal(reason.phase, "pool");
    }
    for (const ms of failedAt) assert.ok(ms >= 950 && ms < 1500, `failed after ${ms} ms`);
    assert.equal(await callsOf("blpop"), 8);
  });
});

describe("sharing a pool", () => {
  it("two clients on one pool report the same client id", async () => {
    const pool = new ConnectionPool({ location: new TCPLocation(server.host, server.port), maxConnections: 8 });
    {
      await using _ = await pool.connect();
      await using client1 = new Redis({ connectionPool: pool });
      await using client2 = new Redis({ connectionPool: pool });
      const [id1, id2] = await Promise.all([client1.clientId(), client2.clientId()]);
      assert.equal(typeof id1, "number");
      assert.equal(id1, id2);
    }
    assert.equal(pool.stats.open, 0);
    assert.equal(await serverConnections(), 0);
  });

  it("1024 workers on a parent-owned pool never open more than maxConnections", async () => {
    const maxConnections = 6;
    const pool = new ConnectionPool({ location: new TCPLocation(server.host, server.port), maxConnections });
    let peakAtServer = 0;
    let peakInPool = 0;
    {
      await using _ = await pool.connect();
      let running = true;
      const watcher = (async () => {
        while (running) {
          peakAtServer = Math.max(peakAtServer, await serverConnections());
          peakInPool = Math.max(peakInPool, pool.stats.open + pool.stats.connecting);
        }
      })();
      const worker = async (index: number): Promise<void> => {
        await using client = new Redis({ connectionPool: pool });
        for (let i = 0; i < 20; i++) {
          await client.ping();
          // Every worker also takes a dedicated connection now and then.
          if ((index + i) % 16 === 0) await client.blpop([`seed:worker:${index}`], 0.01);
        }
      };
      await Promise.all(Array.from({ length: 1024 }, (_, i) => worker(i)));
      running = false;
      await watcher;
      assert.ok(pool.stats.open > 0, "the parent's reference keeps the pool open after the workers close");
    }
    assert.ok(peakAtServer >= 2 && peakAtServer <= maxConnections, `server saw ${peakAtServer}`);
    assert.ok(peakInPool <= maxConnections, `pool held ${peakInPool}`);
    assert.equal(pool.stats.open, 0);
    assert.equal(await serverConnections(), 0);
  });

  it("a pool no parent connected is still safe: no leaked socket, no pool closed under a client", async () => {
    const pool = new ConnectionPool({ location: new TCPLocation(server.host, server.port), maxConnections: 8 });
    let pings = 0;
    const worker = async (): Promise<void> => {
      await using client = new Redis({ connectionPool: pool });
      for (;;) {
        await client.ping();
        pings++;
        if (Math.random() < 0.1) break;
      }
    };
    await Promise.all(Array.from({ length: 1024 }, worker));
    assert.ok(pings >= 1024);
    assert.equal(pool.stats.references, 0);
    assert.equal(pool.stats.open, 0);
    assert.equal(await serverConnections(), 0);
  });
});

describe("lifecycle", () => {
  it("after the last close() no connection remains open at the server", async () => {
    const client = new Redis({ port: server.port, maxConnections: 4 });
    await Promise.all([client.ping(), client.blpop(["seed:life"], 0.01), client.blpop(["seed:life2"], 0.01)]);
    assert.ok((await serverConnections()) >= 1);
    await client.close();
    assert.equal(client.connectionPool.stats.open, 0);
    assert.equal(await serverConnections(), 0);
  });

  it("a command after close() fails with ClientClosedError; connect() reopens", async () => {
    const client = new Redis({ port: server.port });
    await client.ping();
    await client.close();
    await assert.rejects(client.ping(), { name: "ClientClosedError" });
    await client.connect();
    assert.equal(await client.ping(), "PONG");
    await client.close();
  });

  it("Redis.fromUrl and ConnectionPool.fromUrl read host, port and db", async () => {
    await using client = Redis.fromUrl(`redis://127.0.0.1:${server.port}/3`);
    await client.set("url:key", "db3");
    const pool = ConnectionPool.fromUrl(`redis://127.0.0.1:${server.port}/3`);
    await using _ = await pool.connect();
    await using viaPool = new Redis({ connectionPool: pool });
    assert.equal(await viaPool.get("url:key"), "db3");
  });
});
