/**
 * Type tests for the cluster client: the same typed surface as `Redis`, its own options (no
 * `db`, no Unix socket, no pool options beside a shared pool), per-node views, sharded pubsub.
 * Checked by `npm run test:types`; nothing here runs.
 */
import { expectTypeOf } from "expect-type";
import {
  ClusterConnectionPool,
  RedisCluster,
  type ClusterNode,
  type ClusterPoolStats,
  type CommandClient,
  type PoolStats,
  type PubSubItem,
  type ShardedPubSub,
} from "../../src/index.js";

declare const cluster: RedisCluster;
declare const bufferCluster: RedisCluster<Buffer>;
declare const node: ClusterNode;

expectTypeOf(cluster.get("k")).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(bufferCluster.get("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(cluster.mget(["a", "b"])).toEqualTypeOf<Promise<(string | null)[]>>();
expectTypeOf(new RedisCluster<Buffer>({ decodeResponses: false })).toEqualTypeOf<RedisCluster<Buffer>>();
expectTypeOf(cluster.forNode(node)).toEqualTypeOf<CommandClient<string>>();
expectTypeOf(cluster.forNode("127.0.0.1:7000").dbsize()).toEqualTypeOf<Promise<number>>();
expectTypeOf(cluster.shardedPubsub({ channels: ["c"] })).toEqualTypeOf<ShardedPubSub<string>>();
expectTypeOf(cluster.shardedPubsub()[Symbol.asyncIterator]()).toEqualTypeOf<AsyncIterableIterator<PubSubItem>>();
expectTypeOf(cluster.connectionPool.stats).toEqualTypeOf<ClusterPoolStats>();
expectTypeOf(cluster.connectionPool.stats.nodes.get("127.0.0.1:7000")).toEqualTypeOf<PoolStats | undefined>();
expectTypeOf(cluster.topology.nodeForKey("k")).toEqualTypeOf<ClusterNode | undefined>();

new RedisCluster({ startupNodes: [{ host: "localhost", port: 7000 }], maxConnections: 8, maxConnectionsPerNode: true, poolTimeout: 1000 });
new RedisCluster({ connectionPool: new ClusterConnectionPool({ startupNodes: [{ host: "localhost", port: 7000 }] }) });
// @ts-expect-error a cluster has one database
new RedisCluster({ db: 1 });
// @ts-expect-error a cluster is reached over TCP
new RedisCluster({ unixSocketPath: "/tmp/redis.sock" });
// @ts-expect-error pool options belong to the shared pool
new RedisCluster({ connectionPool: new ClusterConnectionPool(), maxConnections: 8 });
// @ts-expect-error sharded pubsub has no patterns
cluster.shardedPubsub({ patterns: ["p*"] });
