/**
 * Client-side caching on a cluster: tracking per node connection, and freshness through a slot
 * migration (MIGRATE deletes each key on its old owner, which invalidates it there; reads follow
 * MOVED/ASK to the new owner and are tracked there).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keySlot } from "../../../src/cluster/slot.js";
import { RedisCluster } from "../../../src/index.js";
import { migrateSlot, slotMapOf } from "../../harness/cluster-ops.js";
import { clusterForFile } from "../../harness/cluster-fixture.js";
import type { RedisServer } from "../../harness/servers.js";

const theCluster = clusterForFile({ primaries: 3, replicasPerPrimary: 0 });

/** The primaries now, and a hash tag whose slot the first of them serves. */
async function layout(prefix: string): Promise<{ from: RedisServer; to: RedisServer; tag: string }> {
  const nodes = theCluster().nodes;
  const map = await slotMapOf(nodes[0] as RedisServer);
  const primaries = map.shards.map((shard) => nodes.find((node) => node.port === shard.primary.port) as RedisServer);
  const [from, to] = primaries as [RedisServer, RedisServer];
  for (let i = 0; ; i++) {
    const tag = `${prefix}${i}`;
    if (map.shardFor(keySlot(`{${tag}}`))?.primary.port === from.port) return { from, to, tag };
  }
}

for (const protocolVersion of [3, 2] as const) {
  describe(`client-side caching on a cluster [RESP${protocolVersion}]`, () => {
    it("another client's SETs are never hidden by the cache, before, during and after a slot migration", async () => {
      await using other = new RedisCluster({ startupNodes: theCluster().startupNodes });
      await using client = new RedisCluster({ startupNodes: theCluster().startupNodes, protocolVersion, cache: true });
      const { from, to, tag } = await layout(`mig${protocolVersion}-`);
      const keys = Array.from({ length: 60 }, (_, i) => `{${tag}}:k${i}`);
      let round = 0;
      let stale = 0;
      /** Writes a new value to each key by the other client, then reads it through the cache (twice: a hit the second time, mostly). */
      const check = async (subset: readonly string[]): Promise<void> => {
        round++;
        for (const key of subset) {
          await client.get(key); // cached (or not yet) before the write
          await other.set(key, `${key}@${round}`);
          if ((await client.get(key)) !== `${key}@${round}`) stale++;
          if ((await client.get(key)) !== `${key}@${round}`) stale++;
        }
      };
      for (const key of keys) await other.set(key, "initial");
      // Under RESP2 each node's invalidation connection opens on first use: read until hits come.
      for (let i = 0; i < 200 && (client.cache?.stats.hits ?? 0) === 0; i++) {
        await client.get(keys[0] as string);
        await client.ping();
      }
      assert.ok((client.cache?.stats.hits ?? 0) > 0, "the cache serves hits");
      await check(keys);
      await migrateSlot(theCluster().nodes, keySlot(`{${tag}}`), from, to, {
        batch: 10,
        between: async (moved) => check(keys.slice(Math.max(0, moved - 12), moved + 3)),
      });
      await check(keys);
      assert.equal(stale, 0, `${stale} stale reads`);
      const values = await client.mget(keys.slice(0, 10) as [string, ...string[]]);
      assert.deepEqual(values, keys.slice(0, 10).map((key) => `${key}@${round}`));
      assert.ok((client.cache?.stats.hits ?? 0) > keys.length, `hits: ${client.cache?.stats.hits}`);
    });
  });
}
