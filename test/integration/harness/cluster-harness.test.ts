/**
 * Proves the cluster harness: six nodes, three primaries with one replica
 * each, all slots served, redirections working, and every process gone after
 * stop(). Kept apart from harness.test.ts because the start-up is slow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseInfo, rawCommand, rawCommandAs, startCluster } from '../../harness/servers.js';
import type { RedisCluster } from '../../harness/servers.js';

describe('startCluster', () => {
  let cluster: RedisCluster | undefined;
  let startMs = 0;
  before(async () => {
    const started = performance.now();
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
    startMs = performance.now() - started;
  });
  after(() => cluster?.stop());

  it('starts 3 primaries and 3 replicas that agree the cluster is ok', async (t) => {
    t.diagnostic(`startCluster took ${startMs.toFixed(0)} ms`);
    assert.ok(cluster);
    assert.equal(cluster.nodes.length, 6);
    assert.equal(cluster.primaries.length, 3);
    assert.equal(cluster.replicas.length, 3);
    assert.deepEqual(cluster.startupNodes.map((node) => node.port), cluster.nodes.map((node) => node.port));
    for (const node of cluster.nodes) {
      const info = parseInfo(await rawCommand(node, 'CLUSTER', 'INFO'));
      assert.equal(info.get('cluster_state'), 'ok', `:${node.port}`);
      assert.equal(info.get('cluster_slots_assigned'), '16384');
      assert.equal(info.get('cluster_known_nodes'), '6');
    }
    for (const replica of cluster.replicas) {
      const replication = parseInfo(await rawCommand(replica, 'INFO', 'replication'));
      assert.equal(replication.get('role'), 'slave');
      assert.equal(replication.get('master_link_status'), 'up');
    }
  });

  it('serves keys in every slot range, following redirections', async () => {
    assert.ok(cluster);
    const [first, second] = cluster.nodes;
    assert.ok(first && second);
    // Keys whose hash tags land on different primaries.
    for (const key of ['{a}k', '{b}k', '{c}k', '{d}k']) {
      assert.equal(await rawCommandAs(first, { cluster: true }, 'SET', key, `v-${key}`), 'OK');
      assert.equal(await rawCommandAs(second, { cluster: true }, 'GET', key), `v-${key}`);
    }
  });

  it('stops every node', async () => {
    assert.ok(cluster);
    const pids = cluster.nodes.map((node) => node.pid);
    const stopping = performance.now();
    await cluster.stop();
    await cluster.stop();
    const stopMs = performance.now() - stopping;
    assert.ok(stopMs < 5000, `stop took ${stopMs} ms, so something needed SIGKILL`);
    for (const pid of pids) {
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
    }
  });
});
