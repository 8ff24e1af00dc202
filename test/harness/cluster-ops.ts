/**
 * What cluster tests do to a running cluster: move a slot key batch by key batch, fail a primary
 * over gracefully, and SIGKILL one. Each waits on the cluster's own word (CLUSTER SHARDS, INFO
 * replication), polling every 50 ms within a bound, never on a fixed sleep.
 */
import { SlotMap } from '../../src/cluster/slot-map.js';
import { TCPLocation } from '../../src/connection/location.js';
import { TCPConnection } from '../../src/connection/tcp-connection.js';
import type { RedisArgument, RESPValue } from '../../src/protocol/values.js';
import { runRequest } from './run-request.js';
import type { RedisServer } from './servers.js';
import { until } from './wait.js';

/** Runs one command on `node` over a short-lived connection; error replies reject. */
export async function onNode(node: RedisServer, ...argv: RedisArgument[]): Promise<RESPValue> {
  const connection = new TCPConnection({ location: new TCPLocation(node.host, node.port) });
  try {
    await connection.connect();
    const reply = await runRequest(connection, argv);
    if (reply instanceof Error) throw reply;
    return reply;
  } finally {
    await connection.close();
  }
}

/** The node's cluster id (CLUSTER MYID). */
export async function nodeId(node: RedisServer): Promise<string> {
  return String(await onNode(node, 'CLUSTER', 'MYID'));
}

/** The slot map as `node` sees it (CLUSTER SHARDS). */
export async function slotMapOf(node: RedisServer): Promise<SlotMap> {
  return SlotMap.fromShards(await onNode(node, 'CLUSTER', 'SHARDS'));
}

/**
 * Moves `slot` from `from` to `to` as `redis-cli --cluster reshard` does: IMPORTING on the
 * target, MIGRATING on the source, MIGRATE of its keys `batch` at a time (calling `between`
 * after each batch, so a test can run traffic mid-migration), then SETSLOT NODE on every primary.
 * @returns the number of keys moved.
 */
export async function migrateSlot(
  nodes: readonly RedisServer[],
  slot: number,
  from: RedisServer,
  to: RedisServer,
  options: { batch?: number; between?: (moved: number) => Promise<void> } = {},
): Promise<number> {
  const batch = options.batch ?? 100;
  const [fromId, toId] = await Promise.all([nodeId(from), nodeId(to)]);
  await onNode(to, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
  await onNode(from, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
  let moved = 0;
  for (;;) {
    const keys = await onNode(from, 'CLUSTER', 'GETKEYSINSLOT', slot, batch);
    if (!Array.isArray(keys) || keys.length === 0) break;
    await onNode(from, 'MIGRATE', to.host, to.port, '', 0, 5_000, 'KEYS', ...(keys as string[]));
    moved += keys.length;
    await options.between?.(moved);
  }
  // The target first, as redis-cli does: the slot is never owned by nobody.
  await onNode(to, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
  await onNode(from, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
  // And the other primaries (replicas refuse SETSLOT and learn it from their primary).
  const primaryPorts = new Set((await slotMapOf(to)).shards.map((shard) => shard.primary.port));
  const others = nodes.filter((node) => node !== from && node !== to && primaryPorts.has(node.port));
  await Promise.all(others.map((node) => onNode(node, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId)));
  return moved;
}

/** Whether `node` is a primary now (INFO replication's role). */
export async function isPrimary(node: RedisServer): Promise<boolean> {
  return /^role:master$/m.test(String(await onNode(node, 'INFO', 'replication')));
}

/**
 * Fails `replica`'s primary over to it gracefully (CLUSTER FAILOVER on the replica) and resolves
 * once the replica says it is a primary and `observer` serves the replica's slots from it.
 */
export async function failoverTo(replica: RedisServer, observer: RedisServer, withinMs = 15_000): Promise<void> {
  const replicaId = await nodeId(replica);
  await onNode(replica, 'CLUSTER', 'FAILOVER');
  await until(
    async () => (await isPrimary(replica)) && (await slotMapOf(observer)).shards.some((shard) => shard.primary.id === replicaId),
    `${replica.port} promoted and seen as a primary by ${observer.port}`,
    { withinMs, everyMs: 50 },
  );
}

/** SIGKILLs `node`'s process (by its pid) and resolves once the process is gone. */
export async function killNode(node: RedisServer, withinMs = 5_000): Promise<void> {
  process.kill(node.pid, 'SIGKILL');
  await until(
    () => {
      try {
        process.kill(node.pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    `process ${node.pid} gone`,
    { withinMs, everyMs: 20 },
  );
}
