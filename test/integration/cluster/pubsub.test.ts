/**
 * Pubsub on a real cluster (3 primaries, 3 replicas), started once for the file: sharded
 * channels on their slots' primaries, through a slot migration and a lost node connection;
 * classic pubsub on one node.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keySlot } from "../../../src/cluster/slot.js";
import { RedisCluster, type PubSubItem, type ShardedPubSub } from "../../../src/index.js";
import { clusterForFile } from "../../harness/cluster-fixture.js";
import { migrateSlot, onNode, slotMapOf } from "../../harness/cluster-ops.js";
import type { RedisServer } from "../../harness/servers.js";
import { until } from "../../harness/wait.js";

const theCluster = clusterForFile({ primaries: 3, replicasPerPrimary: 1 });

function clientFor(): RedisCluster {
  return new RedisCluster({ startupNodes: theCluster().startupNodes });
}

/** Reads items until `count` messages came (notices kept too), within `withinMs`. */
async function read(ps: ShardedPubSub, count: number, withinMs = 5_000): Promise<PubSubItem[]> {
  const items: PubSubItem[] = [];
  let messages = 0;
  const iterator = ps[Symbol.asyncIterator]();
  const deadline = setTimeout(() => void iterator.return?.(), withinMs);
  try {
    while (messages < count) {
      const next = await iterator.next();
      if (next.done === true) break;
      items.push(next.value);
      if (next.value.type === "message") messages++;
    }
  } finally {
    clearTimeout(deadline);
  }
  return items;
}

describe("cluster sharded pubsub", () => {
  it("subscribes each channel on its slot's primary and merges their messages", async () => {
    await using client = clientFor();
    await client.connect();
    const channels = Array.from({ length: 12 }, (_, i) => `news:${i}`);
    await using ps = await client.shardedPubsub({ channels }).connect();
    assert.equal(ps.nodes.length, 3, "the channels are spread over the three primaries");
    for (const channel of channels) assert.equal(await client.spublish(channel, `hello ${channel}`), 1, `one subscriber for ${channel}`);
    const items = await read(ps, 12);
    assert.deepEqual(
      items.filter((item) => item.type === "message").map((item) => (item.type === "message" ? [item.channel, item.data] : [])).sort(),
      channels.map((channel) => [channel, `hello ${channel}`]).sort(),
    );
    await ps.unsubscribe(channels[0] as string);
    assert.equal(await client.spublish(channels[0] as string, "gone"), 0);
  });

  it("follows a channel whose slot migrates: messages published after the move arrive", { timeout: 30_000 }, async () => {
    await using client = clientFor();
    await client.connect();
    const map = await slotMapOf(theCluster().nodes[0] as RedisServer);
    const channel = "moving:{ch1}";
    const owner = map.shardFor(keySlot(channel))?.primary;
    const from = theCluster().nodes.find((node) => node.port === owner?.port) as RedisServer;
    const to = theCluster().nodes.find((node) => node !== from && map.shards.some((shard) => shard.primary.port === node.port)) as RedisServer;
    await using ps = await client.shardedPubsub({ channels: [channel] }).connect();
    await client.spublish(channel, "before");
    await migrateSlot(theCluster().nodes, keySlot(channel), from, to);
    // The old owner dropped the subscription (an unasked SUNSUBSCRIBE); the instance moves it.
    await until(async () => (await onNode(to, "PUBSUB", "SHARDNUMSUB", channel) as unknown[])[1] === 1, "subscribed on the new owner", {
      withinMs: 10_000,
      everyMs: 20,
    });
    assert.equal(await client.spublish(channel, "after"), 1);
    const items = await read(ps, 2);
    const kinds = items.map((item) => (item.type === "message" ? `message:${item.data}` : item.type));
    assert.deepEqual(kinds, ["message:before", "resubscribed", "message:after"]);
    assert.deepEqual(ps.nodes, [`${to.host}:${to.port}`]);
  });

  it("moves channels off a node whose connection is killed, and keeps receiving", { timeout: 30_000 }, async () => {
    await using client = clientFor();
    await client.connect();
    const channel = "killed:{k1}";
    await using ps = await client.shardedPubsub({ channels: [channel], reconnectDelay: 10 }).connect();
    const owner = client.topology.nodeForKey(channel);
    const server = theCluster().nodes.find((node) => node.port === owner?.port) as RedisServer;
    await onNode(server, "CLIENT", "KILL", "TYPE", "pubsub");
    await until(async () => (await onNode(server, "PUBSUB", "SHARDNUMSUB", channel) as unknown[])[1] === 1, "subscribed again", {
      withinMs: 10_000,
      everyMs: 20,
    });
    assert.equal(await client.spublish(channel, "still here"), 1);
    const items = await read(ps, 1);
    assert.ok(items.some((item) => item.type === "message" && item.data === "still here"));
  });
});

describe("cluster classic pubsub", () => {
  it("subscribes on one node; PUBLISH on any node reaches it", async () => {
    await using client = clientFor();
    await using ps = await client.pubsub({ channels: ["classic"] }).connect();
    const [, second] = client.topology.primaries;
    assert.ok(second !== undefined);
    assert.equal(await client.forNode(second).publish("classic", "hi"), 0, "no subscriber on that node itself");
    for await (const item of ps) {
      assert.equal(item.type === "message" ? item.data : item.type, "hi");
      break;
    }
  });
});
