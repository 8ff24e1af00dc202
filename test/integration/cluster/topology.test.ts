/**
 * The pure cluster layer against a real cluster (3 primaries, 3 replicas): slots computed here
 * are the ones Redis computes, and the slot map read from CLUSTER SHARDS and CLUSTER SLOTS, under
 * RESP2 and RESP3, sends each key to the primary that serves it (no MOVED).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { keySlot } from "../../../src/cluster/slot.js";
import { SlotMap } from "../../../src/cluster/slot-map.js";
import { TCPLocation } from "../../../src/connection/location.js";
import { TCPConnection } from "../../../src/connection/tcp-connection.js";
import { runRequest } from "../../harness/run-request.js";
import { startCluster, type RedisCluster } from "../../harness/servers.js";

let cluster: RedisCluster | undefined;
const connections: TCPConnection[] = [];

async function connectTo(host: string, port: number, protocolVersion: 2 | 3 = 3): Promise<TCPConnection> {
  const connection = new TCPConnection({ location: new TCPLocation(host, port), protocolVersion });
  await connection.connect();
  connections.push(connection);
  return connection;
}

before(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
});
after(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  await cluster?.stop();
});

function theCluster(): RedisCluster {
  if (cluster === undefined) throw new Error("the cluster starts in before()");
  return cluster;
}

describe("keySlot", () => {
  it("agrees with CLUSTER KEYSLOT, hash tags and multi-byte keys included", async () => {
    const [first] = theCluster().nodes;
    if (first === undefined) throw new Error("no node");
    const connection = await connectTo(first.host, first.port);
    const keys = fc.sample(
      fc.oneof(
        fc.string(),
        fc.string({ unit: "binary" }),
        fc.tuple(fc.string(), fc.string(), fc.string()).map(([a, b, c]) => `${a}{${b}}${c}`),
      ),
      { numRuns: 300, seed: 11 },
    );
    for (const key of [...keys, "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap", "{"]) {
      assert.equal(keySlot(key), await runRequest(connection, ["CLUSTER", "KEYSLOT", key]), JSON.stringify(key));
      assert.equal(keySlot(Buffer.from(key)), await runRequest(connection, ["CLUSTER", "KEYSLOT", Buffer.from(key)]));
    }
  });
});

for (const protocolVersion of [2, 3] as const) {
  describe(`SlotMap from a real cluster (RESP${protocolVersion})`, () => {
    for (const command of ["SHARDS", "SLOTS"] as const) {
      it(`CLUSTER ${command}: every slot served, one replica per shard, each key's primary serves it`, async () => {
        const [first] = theCluster().nodes;
        if (first === undefined) throw new Error("no node");
        const connection = await connectTo(first.host, first.port, protocolVersion);
        const reply = await runRequest(connection, ["CLUSTER", command]);
        const map = command === "SHARDS" ? SlotMap.fromShards(reply) : SlotMap.fromSlots(reply);
        assert.equal(map.unassignedSlots, 0);
        assert.equal(map.shards.length, 3);
        // CLUSTER SLOTS leaves out replicas whose replication offset is still unknown (7.0's
        // isReplicaAvailable): on a fresh, empty cluster that can be all of them.
        for (const shard of map.shards) assert.ok(shard.replicas.length === 1 || (command === "SLOTS" && shard.replicas.length === 0));
        const primaries = theCluster().primaries.map((node) => node.port).sort();
        assert.deepEqual(map.shards.map((shard) => shard.primary.port).sort(), primaries);
        for (let i = 0; i < 30; i++) {
          const key = `topology:${protocolVersion}:${command}:${i}`;
          const owner = map.shardFor(keySlot(key))?.primary;
          if (owner === undefined) throw new Error(`no owner for ${key}`);
          const node = await connectTo(owner.host, owner.port, protocolVersion);
          // A MOVED would be an error reply: the map sent the key to the node that serves it.
          assert.equal(await runRequest(node, ["SET", key, "v"]), "OK");
          await node.close();
        }
      });
    }
  });
}
