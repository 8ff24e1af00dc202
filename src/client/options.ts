/**
 * The options of a {@link Redis} client, and their translation into pool options.
 *
 * @module
 */
import type { ConnectionOptions as TLSConnectionOptions } from "node:tls";
import type { CredentialProvider } from "../connection/handshake.js";
import { InvalidArgumentError } from "../errors.js";
import { assertDuration, assertInteger, assertOneOf } from "../internal/validate.js";
import type { ConnectionPool } from "../pool/connection-pool.js";
import type { ConnectionPoolOptions } from "../pool/pool-options.js";
import type { StringType } from "../commands/executor.js";
import type { RetryPolicy } from "./retry.js";
import { validateCacheOption, type CacheOptions } from "../cache/options.js";

/** A pool class a client can create its pool with (a subclass of {@link ConnectionPool}). */
export type ConnectionPoolClass = new (options: ConnectionPoolOptions) => ConnectionPool;

/**
 * Options of a {@link Redis} client. Client-side durations are milliseconds.
 * `S` is the client's string type: `decodeResponses: false` goes with `Redis<Buffer>`.
 */
/** Options of a {@link Redis} client that shape the client itself. */
export interface RedisClientOptions<S extends StringType = string> {
  /**
   * Decode bulk strings to `string` (true) or keep them as `Buffer` (false, with `Redis<Buffer>`).
   * @defaultValue true
   */
  decodeResponses?: S extends Buffer ? false : true;
  /** Text encoding of decoded strings. Only UTF-8 is supported. @defaultValue "utf8" */
  encoding?: "utf8" | "utf-8";
  /** Which failed requests are sent again. @defaultValue retry only requests never written, 3 attempts */
  retryPolicy?: RetryPolicy;
  /**
   * Keep the stack of the code that made each call, so that an error shows where the call came
   * from (a multiplexed reply is decoded far from its caller, and its error's stack would show
   * only the decoder). Costs a stack capture per call, about 5 µs: for debugging, or for
   * applications where that is small beside their own work. @defaultValue false
   */
  captureCallerStack?: boolean;
  /**
   * Client-side caching: `true` for the defaults, or {@link CacheOptions}. Cacheable reads (GET,
   * HGETALL, SMEMBERS, MGET's keys …) are answered from memory, kept fresh by the server's CLIENT
   * TRACKING; `client.cache` shows its counters. See the README's "Client-side caching" for what
   * it guarantees. @defaultValue off
   */
  cache?: boolean | CacheOptions;
}

/** Options that describe the connections of the pool a client creates for itself. Durations are milliseconds. */
export interface RedisConnectionOptions {
  /** @defaultValue "localhost" */
  host?: string;
  /** @defaultValue 6379 */
  port?: number;
  /** Database index. @defaultValue 0 */
  db?: number;
  /** ACL username. */
  username?: string;
  /** Password (of `username`, or of the default user). */
  password?: string;
  /** Supplies credentials for each new connection; wins over `username`/`password`. */
  credentialProvider?: CredentialProvider;
  /** Connect over this Unix domain socket instead of TCP. */
  unixSocketPath?: string;
  /** TLS: `true` for Node's defaults (certificate verification on), or Node's TLS options. */
  tls?: boolean | TLSConnectionOptions;
  /** RESP version; 3 falls back to 2 on servers without HELLO. @defaultValue 3 */
  protocolVersion?: 2 | 3;
  /** Connection name shown by CLIENT LIST. */
  clientName?: string;
  /** Milliseconds to open a connection and finish its handshake. @defaultValue 10 000 */
  connectTimeout?: number;
  /** Milliseconds without a byte, with replies outstanding, before a connection is declared stalled. @defaultValue no limit */
  streamTimeout?: number;
  /** Milliseconds an unused connection stays open. @defaultValue kept open */
  maxIdleTime?: number;
  /** Most connections the client's pool opens. @defaultValue 64 */
  maxConnections?: number;
  /** Milliseconds to wait for a free connection before a `TimeoutError`. @defaultValue wait forever */
  poolTimeout?: number;
  /** The class of the pool the client creates. @defaultValue ConnectionPool */
  connectionPoolClass?: ConnectionPoolClass;
  /**
   * Fire and forget: connections send `CLIENT REPLY OFF`, Redis answers nothing, and every
   * command resolves to `null` once written (its typed reply is not delivered). For bulk writes
   * whose outcome does not matter. @defaultValue false
   */
  noreply?: boolean;
  /** `CLIENT NO-EVICT ON` on every connection. */
  noevict?: boolean;
  /** `CLIENT NO-TOUCH ON` on every connection (Redis 7.2+). */
  notouch?: boolean;
  /** Largest reply accepted, in bytes. @defaultValue 512 MiB */
  maxReplyBytes?: number;
}

/** A client on a shared pool: the connection options are the pool's, so none may be given here. */
export type SharedPoolOptions = {
  /** Share this pool instead of creating one; the connection options above are then the pool's. */
  connectionPool: ConnectionPool;
} & { [K in keyof RedisConnectionOptions]?: never };

/**
 * Options of a {@link Redis} client. Client-side durations are milliseconds.
 * `S` is the client's string type: `decodeResponses: false` goes with `Redis<Buffer>`.
 * Either connection options (the client creates its pool) or `connectionPool` (it shares one).
 */
export type RedisOptions<S extends StringType = string> = RedisClientOptions<S> &
  ((RedisConnectionOptions & { connectionPool?: undefined }) | SharedPoolOptions);

/** Options that describe connections; with `connectionPool` they belong to that pool instead. */
const CONNECTION_KEYS: readonly (keyof RedisConnectionOptions)[] = [
  "host",
  "port",
  "db",
  "username",
  "password",
  "credentialProvider",
  "unixSocketPath",
  "tls",
  "protocolVersion",
  "clientName",
  "connectTimeout",
  "streamTimeout",
  "maxIdleTime",
  "maxConnections",
  "poolTimeout",
  "noreply",
  "noevict",
  "notouch",
  "maxReplyBytes",
  "connectionPoolClass",
];

/** Checks a client's options once, naming the option at fault. */
export function validateRedisOptions(options: RedisOptions<StringType>): void {
  assertInteger("db", options.db, 0);
  assertInteger("port", options.port, 0, 65_535);
  assertInteger("maxConnections", options.maxConnections, 1);
  assertOneOf("protocolVersion", options.protocolVersion, [2, 3]);
  assertOneOf("encoding", options.encoding, ["utf8", "utf-8"]);
  assertOneOf("decodeResponses", options.decodeResponses, [true, false]);
  assertOneOf("captureCallerStack", options.captureCallerStack, [true, false]);
  assertDuration("connectTimeout", options.connectTimeout);
  assertDuration("streamTimeout", options.streamTimeout);
  assertDuration("maxIdleTime", options.maxIdleTime);
  assertDuration("poolTimeout", options.poolTimeout);
  validateCacheOption(options.cache);
  if (options.connectionPool !== undefined) {
    const conflicting = CONNECTION_KEYS.filter((key) => options[key] !== undefined);
    if (conflicting.length > 0) {
      throw new InvalidArgumentError(
        `${conflicting.join(", ")} cannot be combined with connectionPool: set them on the pool instead`,
      );
    }
  }
}

/** The options of the pool a client creates for itself: its connection options, `poolTimeout` as `timeout`. */
export function poolOptionsFor(options: RedisOptions<StringType>): ConnectionPoolOptions {
  const pool: Record<string, unknown> = {};
  for (const key of CONNECTION_KEYS) {
    const value = options[key];
    if (value === undefined || key === "connectionPoolClass") continue;
    pool[key === "poolTimeout" ? "timeout" : key] = value;
  }
  return pool;
}
