/**
 * `RedisCluster` against a real cluster (3 primaries, 3 replicas), started once for the file:
 * routing by slot, fan-out and its aggregation, cross-slot splitting, per-node access, blocking
 * commands within per-node limits, the pool's stats, lifetimes and errors.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keySlot } from "../../../src/cluster/slot.js";
import {
  ClusterConnectionPool,
  ClusterError,
  CrossSlotError,
  InvalidArgumentError,
  RedisCluster,
  ClientClosedError,
  type CommandClient,
  type RedisClusterClientOptions,
  type RedisClusterConnectionOptions,
} from "../../../src/index.js";
import { onNode } from "../../harness/cluster-ops.js";
import { freePorts } from "../../harness/ports.js";
import { clusterForFile } from "../../harness/cluster-fixture.js";
import type { RedisServer } from "../../harness/servers.js";
import { until } from "../../harness/wait.js";

const theCluster = clusterForFile({ primaries: 3, replicasPerPrimary: 1 });

/** A fresh client on the harness cluster; the test closes it. */
function clientFor(options: RedisClusterClientOptions & RedisClusterConnectionOptions = {}): RedisCluster {
  return new RedisCluster({ startupNodes: theCluster().startupNodes, ...options });
}

/** A non-empty list, as multi-key commands take. */
function some<T>(items: readonly T[]): [T, ...T[]] {
  if (items.length === 0) throw new Error("an empty list");
  return items as [T, ...T[]];
}

/** A key whose slot is served by the `index`-th primary of the client's topology. */
function keyOn(client: RedisCluster, index: number, prefix = "k"): string {
  const primary = client.topology.primaries[index];
  if (primary === undefined) throw new Error(`no primary ${index}`);
  for (let i = 0; ; i++) {
    const key = `${prefix}:${i}`;
    if (client.topology.nodeForKey(key)?.port === primary.port) return key;
  }
}

/** The harness server of a topology node. */
function serverAt(port: number): RedisServer {
  const server = theCluster().nodes.find((node) => node.port === port);
  if (server === undefined) throw new Error(`no node on ${port}`);
  return server;
}

/** Connections CLIENT LIST shows on `node` with client name `name`. */
async function connectionsNamed(node: RedisServer, name: string): Promise<number> {
  const list = String(await onNode(node, "CLIENT", "LIST"));
  return list.split("\n").filter((line) => line.includes(` name=${name} `)).length;
}

describe("RedisCluster routing", () => {
  it("sends each key to the primary serving its slot, with no redirection", async () => {
    await using client = clientFor();
    await client.flushall();
    const keys = Array.from({ length: 300 }, (_, i) => `route:${i}`);
    await Promise.all(keys.map((key, i) => client.set(key, String(i))));
    for (const [i, key] of keys.entries()) {
      const owner = client.topology.nodeForKey(key);
      assert.ok(owner !== undefined);
      assert.equal(await client.forNode(owner).get(key), String(i), `${key} lives on its slot's owner`);
    }
    assert.deepEqual(await Promise.all(keys.map((key) => client.get(key))), keys.map((_, i) => String(i)));
    assert.equal(client.connectionPool.refreshes, 1, "no MOVED, so no refresh beyond the first");
  });

  it("keeps Buffer keys and values intact, and decodes as the view asks", async () => {
    await using client = clientFor();
    const key = Buffer.from([0xff, 0x00, 0x7b, 0x61, 0x7d]); // "\xff\0{a}": hash tag "a"
    await client.set(key, Buffer.from([1, 2, 3]));
    assert.equal(keySlot(key), keySlot("{a}"));
    assert.deepEqual(await client.decoding(false).get(key), Buffer.from([1, 2, 3]));
    assert.deepEqual(await client.decoding(false).mget([key, "{a}:none"]), [Buffer.from([1, 2, 3]), null]);
  });

  it("runs a blocking command on a connection of its key's node", async () => {
    await using client = clientFor();
    await client.connect();
    const key = keyOn(client, 2, "blpop");
    const popped = client.blpop([key], 5);
    const owner = serverAt(client.topology.primaries[2]?.port ?? 0);
    await until(async () => /blocked_clients:1\r?$/m.test(String(await onNode(owner, "INFO", "clients"))), "BLPOP blocked on its key's node", {
      withinMs: 5_000,
      everyMs: 20,
    });
    assert.equal(client.connectionPool.stats.dedicated, 1, "on a connection of its own");
    await client.rpush(key, ["x"]);
    assert.deepEqual(await popped, [key, "x"]);
  });
});

describe("RedisCluster keyless commands", () => {
  it("fans DBSIZE, KEYS and FLUSHALL out to every primary and combines the replies", async () => {
    await using client = clientFor();
    await client.flushall();
    const keys = Array.from({ length: 90 }, (_, i) => `fan:${i}`);
    await client.mset(Object.fromEntries(keys.map((key) => [key, "v"])));
    const perNode = await Promise.all(client.topology.primaries.map((node) => client.forNode(node).dbsize()));
    assert.ok(perNode.every((count) => count > 0), "the keys are spread over every primary");
    assert.equal(await client.dbsize(), 90);
    assert.deepEqual((await client.keys("fan:*")).sort(), [...keys].sort());
    assert.equal(await client.flushall(), "OK");
    assert.equal(await client.dbsize(), 0);
  });

  it("loads a script on every node, replicas included, and SCRIPT EXISTS is true only where every shard has it", async () => {
    await using client = clientFor();
    await client.scriptFlush();
    const sha = await client.scriptLoad("return 'everywhere'");
    for (const node of [...client.topology.primaries, ...client.topology.replicas]) {
      assert.deepEqual(await client.forNode(node).scriptExists([sha]), [1], `loaded on ${node.role} ${node.port}`);
    }
    const [first] = client.topology.primaries;
    assert.ok(first !== undefined);
    const onlyOne = await client.forNode(first).scriptLoad("return 'only one'");
    assert.deepEqual(await client.scriptExists([sha, onlyOne]), [1, 0]);
    assert.equal(await client.ping(), "PONG");
  });

  it("sends CLUSTER COUNTKEYSINSLOT and GETKEYSINSLOT to the slot's owner", async () => {
    await using client = clientFor();
    await client.flushall();
    const key = keyOn(client, 1, "slotted");
    await client.set(key, "1");
    const slot = keySlot(key);
    assert.equal(await client.clusterCountkeysinslot(slot), 1);
    assert.deepEqual(await client.clusterGetkeysinslot(slot, 10), [key]);
  });

  it("scans every primary with scanIterator()", async () => {
    await using client = clientFor();
    await client.flushall();
    const keys = Array.from({ length: 250 }, (_, i) => `scan:${i}`);
    await client.mset(Object.fromEntries(keys.map((key) => [key, "v"])));
    const seen: string[] = [];
    for await (const key of client.scanIterator({ match: "scan:*", count: 50 })) seen.push(key);
    assert.deepEqual(seen.sort(), [...keys].sort());
  });

  it("gives a client for one node with forNode (INFO, CONFIG on the node chosen)", async () => {
    await using client = clientFor();
    await client.connect();
    const [, second] = client.topology.primaries;
    assert.ok(second !== undefined);
    const info = await client.forNode(second).info(["server"]);
    assert.match(JSON.stringify(info), new RegExp(`"tcp_port":"?${second.port}`));
    const byAddress: CommandClient = client.forNode(`${second.host}:${second.port}`);
    assert.equal((await byAddress.configGet(["port"])).port, String(second.port));
  });
});

describe("RedisCluster cross-slot commands", () => {
  it("splits MGET, MSET, DEL, EXISTS, TOUCH and UNLINK by slot and answers in the caller's order", async () => {
    await using client = clientFor();
    await client.flushall();
    const keys = Array.from({ length: 40 }, (_, i) => `cross:${i}`);
    assert.ok(new Set(keys.map((key) => keySlot(key))).size > 30, "the keys span many slots");
    assert.equal(await client.mset(Object.fromEntries(keys.map((key, i) => [key, `v${i}`]))), "OK");
    const asked = [...keys.slice(20), "cross:missing", ...keys.slice(0, 20)];
    assert.deepEqual(await client.mget(some(asked)), asked.map((key) => (key === "cross:missing" ? null : `v${key.slice(6)}`)));
    assert.equal(await client.exists(some([...keys, "cross:missing"])), 40);
    assert.equal(await client.touch(some(keys.slice(0, 10))), 10);
    assert.equal(await client.del(some(keys.slice(0, 25))), 25);
    assert.equal(await client.unlink(some([...keys.slice(20), "cross:missing"])), 15);
    assert.equal(await client.dbsize(), 0);
  });

  it("with nonAtomicCrossSlot: false, refuses them with CrossSlotError before sending anything", async () => {
    await using client = clientFor({ nonAtomicCrossSlot: false });
    await client.flushall();
    await assert.rejects(client.mset([["atomic:a", "1"], ["atomic:b", "2"]]), CrossSlotError);
    assert.equal(await client.dbsize(), 0, "no part of the MSET ran");
    await assert.rejects(client.mget(["atomic:a", "atomic:b"]), CrossSlotError);
    assert.deepEqual(await client.mget(["{atomic}:a", "{atomic}:b"]), [null, null], "one slot is fine");
  });

  it("refuses other multi-key commands whose keys span slots, whatever the option", async () => {
    await using client = clientFor();
    await assert.rejects(client.sunion(["cross:a", "cross:b"]), (error: unknown) => error instanceof CrossSlotError && /SUNION/.test(error.message));
    await assert.rejects(client.rename("cross:a", "cross:b"), CrossSlotError);
    await client.sadd("{tag}:a", ["1"]);
    assert.deepEqual(await client.sunion(["{tag}:a", "{tag}:b"]), ["1"]);
  });
});

describe("ClusterConnectionPool", () => {
  it("runs 36 one-second BLPOPs, 12 per primary, in about 3 s with 4 connections per node (+1 at most)", { timeout: 30_000 }, async () => {
    const name = `blpop-${process.pid}`;
    await using client = clientFor({ maxConnections: 4, maxConnectionsPerNode: true, clientName: name });
    await client.connect();
    const servers = client.topology.primaries.map((node) => serverAt(node.port));
    const keys = client.topology.primaries.map((_, index) => keyOn(client, index, "seed-blpop"));
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const counts = await Promise.all(servers.map((server) => connectionsNamed(server, name)));
        most = Math.max(most, ...counts);
      }
    })();
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 36 }, (_, i) => client.blpop([keys[i % 3] as string], 1)),
    );
    const elapsedMs = performance.now() - started;
    sampling = false;
    await sampler;
    assert.ok(results.every((result) => result === null), "every BLPOP timed out on the server");
    console.log(`# 36 BLPOPs of 1 s over 3 primaries, 4 connections per node: ${elapsedMs.toFixed(0)} ms, at most ${most} connections on a node`);
    assert.ok(elapsedMs >= 2_900 && elapsedMs < 4_500, `36 BLPOPs over 3 nodes × 4 connections took ${elapsedMs.toFixed(0)} ms`);
    assert.ok(most >= 3 && most <= 5, `at most 4 (+1) connections per node; saw ${most}`);
    const stats = client.connectionPool.stats;
    assert.equal(stats.maxConnectionsPerNode, true);
    for (const [address, node] of stats.nodes) assert.ok(node.open <= 4, `${address}: ${node.open} open`);
  });

  it("shares one budget across nodes by default, and refuses a limit below the primaries", async () => {
    await using client = clientFor({ maxConnections: 5 });
    await client.connect();
    const keys = client.topology.primaries.map((_, index) => keyOn(client, index, "budget"));
    await Promise.all(Array.from({ length: 12 }, (_, i) => client.blpop([keys[i % 3] as string], 0.2)));
    const stats = client.connectionPool.stats;
    assert.ok(stats.open + stats.connecting <= 5, `${stats.open} open across the cluster`);
    assert.equal(stats.nodes.size, 3);
    assert.equal(
      [...stats.nodes.values()].reduce((sum, node) => sum + node.open, 0),
      stats.open,
      "the totals are the sums of the nodes'",
    );
    const tooSmall = clientFor({ maxConnections: 2 });
    await assert.rejects(tooSmall.connect(), (error: unknown) => error instanceof InvalidArgumentError && /maxConnectionsPerNode/.test(error.message));
    await tooSmall.close();
  });

  it("leaves no connection on any node after close()", async () => {
    const name = `closed-${process.pid}`;
    const client = clientFor({ clientName: name });
    await client.connect();
    const keys = client.topology.primaries.map((_, index) => keyOn(client, index, "closing"));
    await Promise.all(keys.map((key) => client.set(key, "1")));
    const blocked = client.blpop([`${keys[0] as string}:list`], 0).catch((error: unknown) => error);
    await until(async () => client.connectionPool.stats.dedicated === 1, "BLPOP leased", { withinMs: 5_000, everyMs: 10 });
    await client.close();
    assert.ok((await blocked) instanceof ClientClosedError, "the blocked call was rejected with a typed error");
    await until(
      async () => (await Promise.all(theCluster().nodes.map((node) => connectionsNamed(node, name)))).every((count) => count === 0),
      "no connection named for this client on any node",
      { withinMs: 5_000, everyMs: 20 },
    );
    await assert.rejects(client.get("x"), ClientClosedError);
  });

  it("is shared by clients, owned by whoever connects it, and its owner's close ends it", async () => {
    const pool = new ClusterConnectionPool({ startupNodes: theCluster().startupNodes });
    await pool.connect();
    const first = new RedisCluster({ connectionPool: pool });
    const second = new RedisCluster({ connectionPool: pool });
    const key = "shared:{pool}";
    const [firstId, secondId] = [await first.forNode(first.topology.nodeForKey(key) as never).clientId(), await second.forNode(second.topology.nodeForKey(key) as never).clientId()];
    assert.equal(firstId, secondId, "both clients multiplex over the node's one shared connection");
    await pool.close();
    await assert.rejects(first.get(key), (error: unknown) => error instanceof ClientClosedError && /closed by its owner/.test(error.message));
    assert.equal(pool.stats.open, 0);
    await first.close();
    await second.close();
  });

  it("reads from replicas with readFromReplicas, and writes on primaries", async () => {
    await using client = clientFor({ readFromReplicas: true });
    await client.connect();
    const key = keyOn(client, 0, "replica-read");
    await client.set(key, "v");
    const shard = client.topology.shards.find((candidate) => candidate.primary.port === client.topology.nodeForKey(key)?.port);
    const replica = shard?.replicas[0];
    assert.ok(replica !== undefined);
    const readsBefore = await getCalls(serverAt(replica.port));
    // The replica may not have the write yet: wait on its own word, then read through the cluster.
    await until(async () => (await onNode(serverAt(replica.port), "READONLY").then(() => onNode(serverAt(replica.port), "DBSIZE"))) !== 0, "the write replicated", { withinMs: 5_000, everyMs: 20 });
    const values = await Promise.all(Array.from({ length: 20 }, () => client.get(key)));
    assert.ok(values.every((value) => value === "v"));
    assert.ok((await getCalls(serverAt(replica.port))) >= readsBefore + 20, "the GETs ran on the replica");
    assert.equal(await client.incr(`${key}:n`), 1, "a write went to a primary (a replica would refuse it)");
  });

  it("names each node's own cause when no node gives the topology", async () => {
    const [closedPort] = await freePorts(1);
    const nobody = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: closedPort as number }], connectTimeout: 1_000 });
    await assert.rejects(nobody.connect(), (error: unknown) => error instanceof ClusterError && error.message.includes(`127.0.0.1:${closedPort}`) && /ECONNREFUSED|refused/i.test(error.message));
    await nobody.close();
    const wrongPassword = clientFor({ username: "nobody", password: "not-the-password" });
    await assert.rejects(wrongPassword.connect(), (error: unknown) => error instanceof ClusterError && /WRONGPASS/.test(error.message));
    await wrongPassword.close();
  });

  it("is made from a URL", async () => {
    const [node] = theCluster().startupNodes;
    assert.ok(node !== undefined);
    await using client = RedisCluster.fromUrl(`redis://${node.host}:${node.port}?maxConnections=12&poolTimeout=500`);
    assert.equal(await client.ping(), "PONG");
    assert.equal(client.connectionPool.maxConnections, 12);
    assert.equal(client.connectionPool.timeoutMs, 500);
    const pool = ClusterConnectionPool.fromUrl(`redis://${node.host}:${node.port}`, { maxConnectionsPerNode: true });
    assert.equal(pool.maxConnectionsPerNode, true);
    assert.throws(() => RedisCluster.fromUrl(`redis://${node.host}:${node.port}/2`), InvalidArgumentError);
  });
});

async function getCalls(node: RedisServer): Promise<number> {
  const stats = String(await onNode(node, "INFO", "commandstats"));
  return Number(/cmdstat_get:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}
