/**
 * The options of a {@link RedisCluster} client, and their translation into cluster pool options.
 *
 * @module
 */
import type { StringType } from "../commands/executor.js";
import { InvalidArgumentError } from "../errors.js";
import { assertDuration, assertInteger, assertOneOf } from "../internal/validate.js";
import { validateCacheOption } from "../cache/options.js";
import type { ClusterConnectionPool, ClusterConnectionPoolOptions, ClusterPoolSettings } from "../pool/cluster-pool.js";
import type { RedisClientOptions, RedisConnectionOptions } from "./options.js";

/** A cluster pool class a client can create its pool with (a subclass of {@link ClusterConnectionPool}). */
export type ClusterConnectionPoolClass = new (options: ClusterConnectionPoolOptions) => ClusterConnectionPool;

/** Options of a {@link RedisCluster} client that shape the client itself. */
export interface RedisClusterClientOptions<S extends StringType = string> extends RedisClientOptions<S> {
  /**
   * Split MGET, MSET, DEL, EXISTS, UNLINK and TOUCH whose keys span slots into one command per
   * slot, sent in parallel, replies put back in the caller's order. Not atomic: each slot's part
   * runs on its own. With `false`, such a call fails with `CrossSlotError` before anything is
   * sent. @defaultValue true
   */
  nonAtomicCrossSlot?: boolean;
}

/**
 * Options that describe the nodes' connections and the pool a cluster client creates for itself.
 * As for `Redis`, except that there is no `db` (a cluster has one database) and no Unix socket;
 * `host`/`port` name one start-up node when `startupNodes` is not given.
 */
export interface RedisClusterConnectionOptions
  extends Omit<RedisConnectionOptions, "db" | "unixSocketPath" | "connectionPoolClass" | "host" | "port">,
    Omit<ClusterPoolSettings, "timeout" | "maxConnections"> {
  /** Most connections: across the cluster, or on each node with `maxConnectionsPerNode`. @defaultValue 64 */
  maxConnections?: number;
  /** The class of the pool the client creates. @defaultValue ClusterConnectionPool */
  connectionPoolClass?: ClusterConnectionPoolClass;
}

/** A cluster client on a shared pool: the connection options are the pool's. */
export type SharedClusterPoolOptions = {
  /** Share this pool instead of creating one. */
  connectionPool: ClusterConnectionPool;
} & { [K in keyof RedisClusterConnectionOptions]?: never };

/** Options of a {@link RedisCluster}: client options, and either connection options or `connectionPool`. */
export type RedisClusterOptions<S extends StringType = string> = RedisClusterClientOptions<S> &
  ((RedisClusterConnectionOptions & { connectionPool?: undefined }) | SharedClusterPoolOptions);

/** Checks a cluster client's options once, naming the option at fault. */
export function validateClusterOptions(options: RedisClusterOptions<StringType>): void {
  const given = options as Record<string, unknown>;
  for (const key of ["db", "unixSocketPath"]) {
    if (given[key] !== undefined) throw new InvalidArgumentError(`${key} does not apply to a cluster`);
  }
  assertOneOf("nonAtomicCrossSlot", options.nonAtomicCrossSlot, [true, false]);
  assertOneOf("decodeResponses", options.decodeResponses, [true, false]);
  assertOneOf("protocolVersion", options.protocolVersion, [2, 3]);
  assertInteger("maxConnections", options.maxConnections, 1);
  assertDuration("poolTimeout", options.poolTimeout);
  validateCacheOption(options.cache);
  if (options.connectionPool !== undefined) {
    const conflicting = Object.keys(options).filter((key) => !CLIENT_KEYS.has(key) && given[key] !== undefined);
    if (conflicting.length > 0) {
      throw new InvalidArgumentError(`${conflicting.join(", ")} cannot be combined with connectionPool: set them on the pool instead`);
    }
  }
}

/** Keys that belong to the client, not to its pool. */
const CLIENT_KEYS: ReadonlySet<string> = new Set([
  "decodeResponses",
  "encoding",
  "retryPolicy",
  "captureCallerStack",
  "cache",
  "nonAtomicCrossSlot",
  "connectionPool",
]);

/** The options of the cluster pool a client creates for itself: everything but the client's, `poolTimeout` as `timeout`. */
export function clusterPoolOptionsFor(options: RedisClusterOptions<StringType>): ClusterConnectionPoolOptions {
  const pool: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || CLIENT_KEYS.has(key) || key === "connectionPoolClass") continue;
    pool[key === "poolTimeout" ? "timeout" : key] = value;
  }
  return pool;
}
