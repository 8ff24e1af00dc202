/**
 * The CLUSTER commands, under RESP2 and RESP3.
 *
 * - Reads (INFO, NODES, SLOTS, SHARDS, LINKS, KEYSLOT …) run against one shared 6-node cluster
 *   started once for the file.
 * - Commands that change the topology (ADDSLOTS, DELSLOTS, FLUSHSLOTS, MEET, REPLICATE, FAILOVER,
 *   SETSLOT, FORGET, RESET, SET-CONFIG-EPOCH, BUMPEPOCH) run on a small cluster each test builds
 *   itself from three fresh cluster-enabled nodes, so the shared cluster is never damaged.
 */
/* eslint-disable @typescript-eslint/no-deprecated -- deprecated commands are still commands: their methods are tested too */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "../../../src/index.js";
import { versionAtLeast } from "../../harness/matrix.js";
import { startCluster, startStandalone, type RedisCluster, type RedisServer } from "../../harness/servers.js";
import { plain, sameUnderBothProtocols } from "./compare-protocols.js";

let cluster: RedisCluster | undefined;
let serverVersion = "0";
before(async () => {
  cluster = await startCluster();
  const probe = new Redis({ port: cluster.nodes[0]?.port ?? 0 });
  try {
    serverVersion = (await probe.info(["server"]))["server"]?.["redis_version"] ?? "0";
  } finally {
    await probe.close();
  }
});
after(async () => {
  await cluster?.stop();
});

/** Polls `check` every 20 ms until it returns true, for at most `ms`. */
async function eventually(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** The standard slot of a key (CRC16 of the key or its hash tag, mod 16384), as the server computes it. */
const FOO_SLOT = 12182;

for (const protocolVersion of [2, 3] as const) {
  describe(`cluster commands [RESP${protocolVersion}]`, () => {
    const clients: Redis[] = [];
    /** A client of `node` speaking this run's protocol, closed after the suite. */
    const clientOf = (node: Pick<RedisServer, "port">): Redis => {
      const client = new Redis({ port: node.port, protocolVersion });
      clients.push(client);
      return client;
    };
    const shared = (): RedisCluster => {
      assert.ok(cluster !== undefined);
      return cluster;
    };
    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
    });

    it("CLUSTER INFO, MYID, NODES, KEYSLOT, HELP", async () => {
      const [node] = shared().primaries;
      assert.ok(node !== undefined);
      const client = clientOf(node);
      const info = await client.clusterInfo();
      assert.equal(info["cluster_state"], "ok");
      assert.equal(info["cluster_slots_assigned"], "16384");
      assert.equal(info["cluster_known_nodes"], "6");
      assert.equal(info["cluster_size"], "3");
      const keys = await sameUnderBothProtocols(node, async (c) => Object.keys(await c.clusterInfo()).sort());
      assert.ok(keys.includes("cluster_current_epoch"));

      const id = await client.clusterMyid();
      assert.match(id, /^[0-9a-f]{40}$/);
      const nodes = await client.clusterNodes();
      const lines = nodes.trim().split("\n");
      assert.equal(lines.length, 6);
      const myself = lines.find((line) => line.includes("myself"));
      assert.ok(myself?.startsWith(`${id} 127.0.0.1:${node.port}@`));

      assert.equal(await client.clusterKeyslot("foo"), FOO_SLOT);
      assert.equal(await client.clusterKeyslot("{foo}bar"), FOO_SLOT);
      assert.ok((await client.clusterHelp()).some((line) => line.includes("KEYSLOT")));
      assert.ok((await client.decoding(false).clusterHelp()).every((line) => typeof line === "string"));
    });

    it("CLUSTER MYSHARDID", async (t) => {
      if (!versionAtLeast(serverVersion, "7.2.0")) {
        t.skip(`needs Redis 7.2.0; the server is ${serverVersion}`);
        return;
      }
      const [node] = shared().primaries;
      assert.ok(node !== undefined);
      assert.match(await clientOf(node).clusterMyshardid(), /^[0-9a-f]{40}$/);
    });

    it("CLUSTER SLOTS, SHARDS", async () => {
      const [node] = shared().nodes;
      assert.ok(node !== undefined);
      // A replica is listed once its primary has told the others its replication offset.
      await eventually(async () => {
        const shards = await clientOf(node).clusterShards();
        return shards.every((shard) => shard.nodes.length === 2 && shard.nodes.every((n) => n.health === "online"));
      }, "every replica to be online");
      const slots = await sameUnderBothProtocols(node, (c) => c.clusterSlots());
      assert.equal(slots.length, 3);
      const covered = slots.map(([start, end]) => [start, end]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
      assert.equal(covered[0]?.[0], 0);
      assert.equal(covered[2]?.[1], 16383);
      const primaryPorts = new Set(shared().primaries.map((p) => p.port));
      for (const [, , primary, ...replicas] of slots) {
        const [endpoint, port, id, metadata] = primary;
        assert.equal(endpoint, "127.0.0.1");
        assert.ok(primaryPorts.has(port));
        assert.match(id, /^[0-9a-f]{40}$/);
        assert.deepEqual(plain(metadata), {});
        assert.equal(replicas.length, 1);
      }

      // Replication offsets move: compare the rest.
      const shards = await sameUnderBothProtocols(node, async (c) =>
        (await c.clusterShards()).map((shard) => ({
          slots: shard.slots,
          nodes: shard.nodes.map(({ "replication-offset": _offset, ...rest }) => plain(rest)),
        })),
      );
      assert.equal(shards.length, 3);
      const all = await clientOf(node).clusterShards();
      // role and health are strings in the Buffer view too; the IDs stay Buffers.
      for (const shard of await clientOf(node).decoding(false).clusterShards()) {
        for (const n of shard.nodes) {
          assert.ok(n.role === "master" || n.role === "replica");
          assert.equal(n.health, "online");
          assert.ok(Buffer.isBuffer(n.id));
        }
      }
      for (const shard of all) {
        assert.equal(shard.slots.length % 2, 0);
        assert.ok(shard.slots.every((slot) => typeof slot === "number"));
        assert.deepEqual(shard.nodes.map((n) => n.role).sort(), ["master", "replica"]);
        for (const n of shard.nodes) {
          assert.match(n.id, /^[0-9a-f]{40}$/);
          assert.equal(n.ip, "127.0.0.1");
          assert.equal(n.endpoint, "127.0.0.1");
          assert.equal(typeof n.port, "number");
          assert.equal(typeof n["replication-offset"], "number");
          assert.equal(n.health, "online");
        }
      }
    });

    it("CLUSTER LINKS, COUNT-FAILURE-REPORTS, REPLICAS, SLAVES, SAVECONFIG", async () => {
      const [node] = shared().primaries;
      assert.ok(node !== undefined);
      const client = clientOf(node);
      const links = await client.clusterLinks();
      // One link to and one from each of the five other nodes.
      assert.equal(links.length, 10);
      for (const link of links) {
        assert.ok(link.direction === "to" || link.direction === "from");
        assert.match(link.node, /^[0-9a-f]{40}$/);
        assert.equal(typeof link["create-time"], "number");
        assert.equal(typeof link.events, "string");
        assert.equal(typeof link["send-buffer-allocated"], "number");
        assert.equal(typeof link["send-buffer-used"], "number");
      }
      for (const link of await client.decoding(false).clusterLinks()) {
        assert.ok(link.direction === "to" || link.direction === "from");
        assert.ok(Buffer.isBuffer(link.node));
      }
      await sameUnderBothProtocols(node, async (c) =>
        (await c.clusterLinks()).map((l) => `${l.direction} ${l.node} ${l["create-time"]}`).sort(),
      );

      const id = await client.clusterMyid();
      assert.equal(await client.clusterCountFailureReports(id), 0);
      await assert.rejects(client.clusterCountFailureReports("0".repeat(40)), /Unknown node/);
      const replicas = await client.clusterReplicas(id);
      assert.equal(replicas.length, 1);
      assert.match(replicas[0] ?? "", new RegExp(`slave ${id} `));
      assert.deepEqual(await client.clusterSlaves(id), replicas);
      assert.equal(await client.clusterSaveconfig(), "OK");
    });

    it("CLUSTER COUNTKEYSINSLOT, GETKEYSINSLOT", async () => {
      const [node] = shared().nodes;
      assert.ok(node !== undefined);
      const slots = await clientOf(node).clusterSlots();
      const owner = slots.find(([start, end]) => start <= FOO_SLOT && FOO_SLOT <= end);
      assert.ok(owner !== undefined);
      const primary = clientOf({ port: owner[2][1] });
      const keys = [`{foo}resp${protocolVersion}:a`, `{foo}resp${protocolVersion}:b`] as const;
      await primary.del(keys);
      const before = await primary.clusterCountkeysinslot(FOO_SLOT);
      await primary.mset({ [keys[0]]: "1", [keys[1]]: "2" });
      assert.equal(await primary.clusterCountkeysinslot(FOO_SLOT), before + 2);
      const inSlot = await primary.clusterGetkeysinslot(FOO_SLOT, 1000);
      assert.ok(keys.every((key) => inSlot.includes(key)));
      assert.equal((await primary.clusterGetkeysinslot(FOO_SLOT, 1)).length, 1);
      assert.equal(await primary.del(keys), 2);
    });

    it("CLUSTER SLOT-STATS", async (t) => {
      if (!versionAtLeast(serverVersion, "8.0.0")) {
        t.skip(`needs Redis 8.0.0; the server is ${serverVersion}`);
        return;
      }
      const [node] = shared().primaries;
      assert.ok(node !== undefined);
      const stats = await clientOf(node).clusterSlotStats({ slotsrange: { startSlot: 0, endSlot: 1 } });
      assert.ok(stats.every(([slot, s]) => typeof slot === "number" && typeof s["key-count"] === "number"));
      await clientOf(node).clusterSlotStats({ orderby: { metric: "key-count", limit: 5, desc: true } });
    });

    it("topology commands on a cluster of three fresh nodes", async () => {
      const start = (): Promise<RedisServer> =>
        startStandalone({
          // No replica migration: C, a primary that may end up without slots, stays a primary.
          extraArgs: ["--cluster-enabled", "yes", "--cluster-node-timeout", "2000", "--cluster-allow-replica-migration", "no"],
        });
      await using a = await start();
      await using b = await start();
      await using c = await start();
      const [ca, cb, cc] = [clientOf(a), clientOf(b), clientOf(c)];
      const [idA, idB, idC] = await Promise.all([ca.clusterMyid(), cb.clusterMyid(), cc.clusterMyid()]);

      // Slots on A alone.
      assert.equal(await ca.clusterAddslots([0, 1, 2]), "OK");
      assert.equal(await ca.clusterAddslotsrange([{ startSlot: 3, endSlot: 100 }, { startSlot: 200, endSlot: 300 }]), "OK");
      assert.equal((await ca.clusterInfo())["cluster_slots_assigned"], String(3 + 98 + 101));
      assert.equal(await ca.clusterDelslots([0, 1]), "OK");
      assert.equal(await ca.clusterDelslotsrange([{ startSlot: 2, endSlot: 50 }, { startSlot: 250, endSlot: 300 }]), "OK");
      assert.equal((await ca.clusterInfo())["cluster_slots_assigned"], String(50 + 50));
      assert.equal(await ca.clusterFlushslots(), "OK");
      assert.equal((await ca.clusterInfo())["cluster_slots_assigned"], "0");
      assert.equal(await ca.clusterAddslotsrange([{ startSlot: 0, endSlot: 16383 }]), "OK");

      // Epochs, while each node is still alone.
      assert.equal(await ca.clusterSetConfigEpoch(5), "OK");
      await assert.rejects(ca.clusterSetConfigEpoch(6), /config epoch .*non-zero|already/i);
      assert.match(await cc.decoding(false).clusterBumpepoch(), /^(BUMPED|STILL) \d+$/);

      // A meets B and C; B replicates A.
      assert.equal(await ca.clusterMeet("127.0.0.1", b.port), "OK");
      assert.equal(await ca.clusterMeet("127.0.0.1", c.port, { clusterBusPort: c.port + 10000 }), "OK");
      const knowsAll = (client: Redis) => async (): Promise<boolean> => {
        const lines = (await client.clusterNodes()).trim().split("\n");
        return lines.length === 3 && lines.every((line) => !/handshake|noaddr|fail/.test(line.split(" ")[2] ?? ""));
      };
      for (const client of [ca, cb, cc]) await eventually(knowsAll(client), "every node to know the others");
      assert.equal(await cb.clusterReplicate(idA), "OK");
      // Linked, and known as such by every node (a primary refuses its vote to a replica it
      // still takes for a primary).
      const replicates = (replica: Redis, primaryId: string) => async (): Promise<boolean> => {
        const role = await replica.role();
        if (role[0] !== "slave" || role[3] !== "connected") return false;
        const replicaId = await replica.clusterMyid();
        const views = await Promise.all([ca, cb, cc].map((n) => n.clusterReplicas(primaryId).catch(() => [] as string[])));
        return views.every((replicas) => replicas.some((line) => line.startsWith(`${replicaId} `)));
      };
      await eventually(replicates(cb, idA), "B to replicate A");
      assert.equal((await ca.clusterReplicas(idA)).length, 1);
      assert.equal(await ca.clusterCountFailureReports(idB), 0);

      // SETSLOT: C imports slot 100 from A and takes it (the importing node bumps its epoch
      // then, so its claim wins); an import of 101 is called off.
      assert.equal(await cc.clusterSetslot(100, { importing: idA }), "OK");
      assert.equal(await ca.clusterSetslot(100, { migrating: idC }), "OK");
      assert.match(await ca.clusterNodes(), new RegExp(`\\[100->-${idC}\\]`));
      assert.match(await cc.clusterNodes(), new RegExp(`\\[100-<-${idA}\\]`));
      assert.equal(await cc.clusterSetslot(100, { node: idC }), "OK");
      assert.equal(await ca.clusterSetslot(100, { node: idC }), "OK");
      assert.equal(await cc.clusterSetslot(101, { importing: idA }), "OK");
      assert.equal(await cc.clusterSetslot(101, { stable: true }), "OK");
      assert.doesNotMatch(await cc.clusterNodes(), /\[101-</);
      await eventually(async () => {
        const slots = await cc.clusterSlots();
        return slots.some(([s, e, primary]) => s === 100 && e === 100 && primary[2] === idC);
      }, "C to own slot 100");

      // Manual failovers: B takes over, then A takes back by force, then by takeover.
      const isPrimary = (client: Redis) => async (): Promise<boolean> => (await client.role())[0] === "master";
      assert.equal(await cb.clusterFailover(), "OK");
      await eventually(isPrimary(cb), "B to be promoted");
      await eventually(replicates(ca, idB), "A to follow B");
      assert.equal(await ca.clusterFailover({ force: true }), "OK");
      await eventually(isPrimary(ca), "A to be promoted (FORCE)");
      await eventually(replicates(cb, idA), "B to follow A");
      assert.equal(await cb.clusterFailover({ takeover: true }), "OK");
      await eventually(isPrimary(cb), "B to be promoted (TAKEOVER)");
      await assert.rejects(cb.clusterFailover(), /replica|slave/i);

      // C forgets A; then C and A are reset.
      assert.equal(await cc.clusterForget(idA), "OK");
      assert.ok(!(await cc.clusterNodes()).includes(idA));
      await assert.rejects(cc.clusterForget(idC), /myself/i);
      await cc.flushall();
      assert.equal(await cc.clusterReset({ hard: true }), "OK");
      assert.notEqual(await cc.clusterMyid(), idC, "HARD gives the node a new ID");
      assert.equal(await cc.clusterReset({ soft: true }), "OK");
      assert.equal(await cc.clusterReset(), "OK");
      assert.equal((await cc.clusterNodes()).trim().split("\n").length, 1);
    });
  });
}
