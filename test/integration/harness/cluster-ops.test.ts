/**
 * The cluster operations tests will run under traffic: a slot migrated key batch by key batch,
 * a graceful failover, a SIGKILLed primary — each observed through the cluster's own reports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keySlot } from '../../../src/cluster/slot.js';
import { TCPLocation } from '../../../src/connection/location.js';
import { TCPConnection } from '../../../src/connection/tcp-connection.js';
import { failoverTo, isPrimary, killNode, migrateSlot, onNode, slotMapOf } from '../../harness/cluster-ops.js';
import { runRequest } from '../../harness/run-request.js';
import { startCluster, type RedisCluster, type RedisServer } from '../../harness/servers.js';
import { until } from '../../harness/wait.js';

let cluster: RedisCluster | undefined;
before(async () => {
  cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1_000 });
});
after(() => cluster?.stop());

function nodes(): readonly RedisServer[] {
  if (cluster === undefined) throw new Error('the cluster starts in before()');
  return cluster.nodes;
}

function byPort(port: number): RedisServer {
  const node = nodes().find((candidate) => candidate.port === port);
  if (node === undefined) throw new Error(`no node on port ${port}`);
  return node;
}

/** The primary serving `key`, and one of its replicas, by the cluster's own map. */
async function shardOf(key: string, observer: RedisServer): Promise<{ primary: RedisServer; replica: RedisServer }> {
  const shard = (await slotMapOf(observer)).shardFor(keySlot(key));
  const replica = shard?.replicas[0];
  if (shard === undefined || replica === undefined) throw new Error(`no shard with a replica for ${key}`);
  return { primary: byPort(shard.primary.port), replica: byPort(replica.port) };
}

describe('cluster operations', () => {
  it('migrateSlot moves a slot and its keys batch by batch', async () => {
    const observer = nodes()[0] as RedisServer;
    const { primary: from } = await shardOf('{ops}', observer);
    const to = (await slotMapOf(observer)).shards.map((shard) => byPort(shard.primary.port)).find((node) => node !== from) as RedisServer;
    const writer = new TCPConnection({ location: new TCPLocation(from.host, from.port) });
    await writer.connect();
    await Promise.all(Array.from({ length: 250 }, (_, i) => runRequest(writer, ['SET', `{ops}:${i}`, String(i)])));
    await writer.close();
    const batches: number[] = [];
    const moved = await migrateSlot(nodes(), keySlot('{ops}'), from, to, { batch: 100, between: async (count) => void batches.push(count) });
    assert.equal(moved, 250);
    assert.deepEqual(batches, [100, 200, 250]);
    for (const node of [from, to, observer]) {
      assert.equal((await slotMapOf(node)).shardFor(keySlot('{ops}'))?.primary.port, to.port, `as ${node.port} sees it`);
    }
    assert.equal(await onNode(to, 'GET', '{ops}:249'), '249');
    await assert.rejects(onNode(from, 'GET', '{ops}:249'), /MOVED/);
  });

  it('failoverTo promotes a replica gracefully, its old primary becomes a replica', async () => {
    const observer = nodes()[0] as RedisServer;
    const { primary, replica } = await shardOf('failover-key', observer);
    await failoverTo(replica, primary === observer ? replica : observer);
    assert.equal(await isPrimary(replica), true);
    await until(async () => !(await isPrimary(primary)), `${primary.port} demoted`, { withinMs: 10_000, everyMs: 50 });
    assert.equal(await onNode(replica, 'SET', 'failover-key', 'v'), 'OK');
  });

  it('killNode SIGKILLs a primary; its replica is promoted and serves writes', async () => {
    const observer = nodes()[0] as RedisServer;
    let { primary, replica } = await shardOf('crash-key', observer);
    if (primary === observer || replica === observer) {
      ({ primary, replica } = await shardOf('crash-key', nodes().find((node) => node !== primary && node !== replica) as RedisServer));
    }
    await killNode(primary);
    await until(async () => isPrimary(replica), `${replica.port} promoted after its primary was killed`, { withinMs: 20_000, everyMs: 50 });
    assert.equal(await onNode(replica, 'SET', 'crash-key', 'v'), 'OK');
  });
});
