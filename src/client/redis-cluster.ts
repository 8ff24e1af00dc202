/**
 * `RedisCluster`: the Redis Cluster client.
 *
 * @module
 */
import type { StringType } from "../commands/executor.js";
import type { ScanOptions } from "../commands/generated/generic.js";
import {
  ClusterConnectionPool,
  clusterOptionsFromUrl,
  nodeAddress,
  type ClusterNode,
  type ClusterTopology,
  type NodeAddress,
} from "../pool/cluster-pool.js";
import { ShardedPubSub, type ShardedPubSubOptions } from "../pubsub/sharded-pubsub.js";
import { installCache } from "./cache-setup.js";
import { ClientCore } from "./client-core.js";
import { ClusterPlanner } from "./cluster-planner.js";
import { clusterPoolOptionsFor, validateClusterOptions, type RedisClusterClientOptions, type RedisClusterConnectionOptions, type RedisClusterOptions } from "./cluster-options.js";
import { type CommandClient, CommandView, ConnectableClient } from "./command-client.js";
import { defaultRetryPolicy } from "./retry.js";

/**
 * A client for a Redis Cluster, backed by a {@link ClusterConnectionPool}: one blocking,
 * multiplexing pool per node behind the slot map. The same commands and per-call options as
 * `Redis`: each keyed command goes to the node of its slot (MOVED, ASK, TRYAGAIN and CLUSTERDOWN
 * followed, a write never applied twice), keyless commands fan out as the command table says
 * (see `cluster-planner.ts`), and blocking commands hold a connection of their key's node.
 *
 * @example
 * ```ts
 * import { RedisCluster } from "coredis";
 *
 * await using cluster = new RedisCluster({ startupNodes: [{ host: "localhost", port: 7000 }], maxConnections: 8, maxConnectionsPerNode: true });
 * await cluster.set("user:{42}:name", "Ada");
 * const [name, mail] = await cluster.mget(["user:{42}:name", "user:{42}:mail"]);
 * ```
 */
export class RedisCluster<S extends StringType = string> extends ConnectableClient<S> {
  /** The pool this client sends its commands through. */
  readonly connectionPool: ClusterConnectionPool;
  readonly #decodeStrings: boolean;

  constructor(options: RedisClusterOptions<S> = {}) {
    validateClusterOptions(options);
    const pool = options.connectionPool ?? new (options.connectionPoolClass ?? ClusterConnectionPool)(clusterPoolOptionsFor(options));
    const core = new ClientCore(pool, options.retryPolicy ?? defaultRetryPolicy, options.captureCallerStack === true);
    core.planner = new ClusterPlanner(core, pool, options.nonAtomicCrossSlot ?? true);
    installCache(core, pool, options.cache, 0);
    const decodeStrings = options.decodeResponses !== false;
    super(core, decodeStrings, undefined);
    this.connectionPool = pool;
    this.#decodeStrings = decodeStrings;
  }

  /**
   * A client for the cluster a URL names: `redis://[[user]:password@]host[:port][?query]` (or
   * `rediss://`), the host and port being a start-up node. The query is `Redis.fromUrl`'s, `db`
   * excepted. Explicit options win over the URL's.
   * @example
   * ```ts
   * const cluster = RedisCluster.fromUrl("redis://alice:secret@cache.internal:7000?maxConnections=32");
   * ```
   */
  static fromUrl<S extends StringType = string>(
    url: string,
    options: RedisClusterClientOptions<S> & RedisClusterConnectionOptions = {},
  ): RedisCluster<S> {
    return new RedisCluster<S>(clusterOptionsFromUrl(url, options));
  }

  /** The topology as last read: shards, primaries, replicas, the node for a key or a slot. */
  get topology(): ClusterTopology {
    return this.connectionPool.topology;
  }

  /**
   * A view of this client whose commands all go to one node, whatever their keys (INFO, CONFIG,
   * DEBUG, CLIENT LIST on a chosen node). It shares this client's life cycle and pools.
   * @example
   * ```ts
   * for (const node of cluster.topology.primaries) console.log(await cluster.forNode(node).dbsize());
   * ```
   */
  forNode(node: ClusterNode | NodeAddress | string): CommandClient<S> {
    const address = typeof node === "string" ? node : nodeAddress(node);
    return new CommandView<S>(this.core, this.#decodeStrings, { node: address });
  }

  /**
   * Sharded pubsub: each channel subscribed (SSUBSCRIBE) on the primary serving its slot, every
   * node's messages read as one async iterable, channels moved when their slot moves (see
   * `sharded-pubsub.ts`). Publish with `spublish(channel, message)`. Classic `pubsub()` works on
   * a cluster too, on one node (Redis forwards PUBLISH to every node).
   * @example
   * ```ts
   * await using ps = await cluster.shardedPubsub({ channels: ["orders:{eu}"] }).connect();
   * await cluster.spublish("orders:{eu}", "new");
   * for await (const item of ps) if (item.type === "message") console.log(item.channel, item.data);
   * ```
   */
  shardedPubsub(options: ShardedPubSubOptions = {}): ShardedPubSub<S> {
    const core = this.core;
    const pool = this.connectionPool;
    return new ShardedPubSub<S>(
      { lease: (lease) => core.lease(lease), locate: (route) => pool.locate(route), refreshTopology: () => pool.refresh() },
      this.#decodeStrings,
      options,
    );
  }

  /** Every key of the cluster: SCAN on each primary in turn (see `CommandClient.scanIterator`). */
  override async *scanIterator(options: ScanOptions = {}): AsyncGenerator<S, void, undefined> {
    await this.connect();
    for (const primary of this.topology.primaries) yield* this.forNode(primary).scanIterator(options);
  }
}
