/**
 * coredis: an asynchronous, fully typed Redis client for Node.js, with blocking, multiplexing
 * connection pools. Public re-exports only.
 *
 * @packageDocumentation
 */
export { Redis } from "./client/redis.js";
export { RedisCluster } from "./client/redis-cluster.js";
export { Sentinel } from "./client/sentinel.js";
export type { SentinelOptions, SentinelConnectionOptions, SentinelAddress } from "./client/sentinel.js";
export type {
  RedisClusterOptions,
  RedisClusterClientOptions,
  RedisClusterConnectionOptions,
  SharedClusterPoolOptions,
  ClusterConnectionPoolClass,
} from "./client/cluster-options.js";
export { CommandClient, ConnectableClient } from "./client/command-client.js";
export type { CallOptions } from "./client/client-core.js";
export type {
  RedisOptions,
  RedisClientOptions,
  RedisConnectionOptions,
  SharedPoolOptions,
  ConnectionPoolClass,
} from "./client/options.js";
export { exponentialBackoff, noRetry, defaultRetryPolicy } from "./client/retry.js";
export type { RetryContext, RetryPolicy, ExponentialBackoffOptions } from "./client/retry.js";

export { ConnectionPool, BACKED_UP_BYTES, BACKED_UP_PENDING, EXTRA_IDLE_MS } from "./pool/connection-pool.js";
export type { AcquireOptions } from "./pool/target.js";
export type { ConnectionListener, RetargetOptions } from "./pool/connection-pool.js";
export type {
  ConnectionPoolOptions,
  PoolSettings,
  ConnectionClass,
  DefaultConnectionOptions,
} from "./pool/pool-options.js";
export type { PoolStats } from "./pool/stats.js";
export { ClusterConnectionPool } from "./pool/cluster-pool.js";
export type { ClusterConnectionListener } from "./pool/cluster-pool.js";
export { SentinelConnectionPool, DEFAULT_LIVENESS_TIMEOUT_MS } from "./pool/sentinel-pool.js";
export type {
  SentinelConnectionPoolOptions,
  SentinelPoolSettings,
  SentinelDirectory,
  SentinelEvent,
  SentinelEventListener,
  SentinelRole,
} from "./pool/sentinel-pool.js";
export type {
  ClusterConnectionPoolOptions,
  ClusterPoolSettings,
  ClusterNodeConnectionOptions,
  ClusterPoolStats,
  ClusterTopology,
  ClusterNode,
  Shard,
  NodeAddress,
} from "./pool/cluster-pool.js";
export type { RequestTarget, RouteHint, Redirect, Lease, LeaseOptions, LeaseSource } from "./pool/target.js";

export { ClientCache } from "./cache/client-cache.js";
export type { CacheStats } from "./cache/client-cache.js";
export type { CacheOptions, CacheMode, CacheConsistency } from "./cache/options.js";

export { Pipeline } from "./pipeline/pipeline.js";
export type { PipelineOptions, ExecOptions, SettledResults, PipelineKind } from "./pipeline/pipeline.js";
export { Transaction } from "./pipeline/transaction.js";
export type { TransactionOptions, TransactionBody } from "./pipeline/transaction.js";
export { Script, RedisFunction } from "./pipeline/script.js";
export type { ScriptOptions, ScriptClient, FunctionClient } from "./pipeline/script.js";

export { BaseConnection } from "./connection/base-connection.js";
export type { BaseConnectionOptions, ConnectionObserver, HandshakeCheck, PushListener, PushMode } from "./connection/base-connection.js";
export { TCPConnection } from "./connection/tcp-connection.js";
export type { TCPConnectionOptions } from "./connection/tcp-connection.js";
export { UnixDomainSocketConnection } from "./connection/unix-connection.js";
export type { UnixDomainSocketConnectionOptions } from "./connection/unix-connection.js";
export { TCPLocation, UnixDomainSocketLocation } from "./connection/location.js";
export type { Location } from "./connection/location.js";
export type { Credentials, CredentialProvider } from "./connection/handshake.js";

export type { RedisArgument, RESPValue, RESPVersion, PushMessage } from "./protocol/values.js";
export * from "./commands/index.js";

export {
  RedisError,
  InvalidArgumentError,
  ConnectionError,
  TimeoutError,
  AbortError,
  ProtocolError,
  ClientClosedError,
  WatchError,
  PipelineError,
  ClusterError,
  SentinelError,
  ResponseError,
  WrongTypeError,
  NoScriptError,
  BusyLoadingError,
  ReadOnlyError,
  ExecAbortError,
  UnknownCommandError,
  AuthenticationError,
  AuthorizationError,
  RedirectionError,
  MovedError,
  AskError,
  TryAgainError,
  ClusterDownError,
  CrossSlotError,
} from "./errors.js";
export type { RedisErrorOptions, TimeoutPhase } from "./errors.js";

export { PubSub } from "./pubsub/pubsub.js";
export type {
  PubSubOptions,
  PubSubMessage,
  PubSubChannelMessage,
  PubSubPatternMessage,
  PubSubResubscribed,
  PubSubOverflow,
  PubSubItem,
  PubSubStats,
} from "./pubsub/pubsub.js";
export { ShardedPubSub } from "./pubsub/sharded-pubsub.js";
export type { ShardedPubSubOptions, ShardedSource } from "./pubsub/sharded-pubsub.js";
export type { NodeShard } from "./pubsub/pubsub.js";
export { Monitor } from "./pubsub/monitor.js";
export type { MonitorOptions, MonitorCommand } from "./pubsub/monitor.js";
