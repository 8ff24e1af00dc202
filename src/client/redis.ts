/**
 * `Redis`: the standalone client.
 *
 * @module
 */
import type { StringType } from "../commands/executor.js";
import { ConnectionPool } from "../pool/connection-pool.js";
import { parseRedisUrl } from "../internal/url.js";
import { installCache } from "./cache-setup.js";
import { ClientCore } from "./client-core.js";
import { ConnectableClient } from "./command-client.js";
import {
  poolOptionsFor,
  validateRedisOptions,
  type RedisClientOptions,
  type RedisConnectionOptions,
  type RedisOptions,
} from "./options.js";
import { defaultRetryPolicy } from "./retry.js";

/**
 * A client for one Redis server, backed by a blocking, multiplexing {@link ConnectionPool}.
 * Ordinary commands share a few connections; blocking commands get one of their own.
 *
 * It connects on first use or on `connect()`, and gives its pool reference back on `close()` (a
 * pool it created itself is closed with it). `S` is its string type: `Redis<Buffer>` with
 * `decodeResponses: false`.
 *
 * @example
 * ```ts
 * import { Redis } from "coredis";
 *
 * await using client = new Redis({ host: "localhost", port: 6379, maxConnections: 8, poolTimeout: 1000 });
 * await client.set("k", "v", { ex: 10 });
 * const value = await client.get("k"); // string | null
 * ```
 */
export class Redis<S extends StringType = string> extends ConnectableClient<S> {
  /** The pool this client sends its commands through. */
  readonly connectionPool: ConnectionPool;

  constructor(options: RedisOptions<S> = {}) {
    validateRedisOptions(options);
    const pool =
      options.connectionPool ??
      new (options.connectionPoolClass ?? ConnectionPool)(poolOptionsFor(options));
    const core = new ClientCore(pool, options.retryPolicy ?? defaultRetryPolicy, options.captureCallerStack === true);
    installCache(core, pool, options.cache, options.db ?? 0);
    super(core, options.decodeResponses !== false, undefined);
    this.connectionPool = pool;
  }

  /**
   * A client for the server a URL names: `redis://[[user]:password@]host[:port][/db][?query]`,
   * `rediss://…` for TLS, `unix://[[user]:password@]/path/to/socket[?query]`. Explicit options
   * win over the URL's. The query takes `db`, `protocol` (2 | 3), `clientName`, `connectTimeout`,
   * `streamTimeout`, `maxIdleTime`, `maxConnections`, `poolTimeout` (or `timeout`), `noreply`,
   * `noevict`, `notouch` — durations in milliseconds — and coredis's snake_case spellings
   * (`connect_timeout`, `stream_timeout`, `max_idle_time`, `pool_timeout`, `max_connections`,
   * `client_name`), whose durations are seconds. Any other key is an `InvalidArgumentError`.
   *
   * @example
   * ```ts
   * const client = Redis.fromUrl("redis://alice:secret@cache.internal:6379/2?clientName=api&maxConnections=16&poolTimeout=500");
   * ```
   */
  static fromUrl<S extends StringType = string>(
    url: string,
    options: RedisClientOptions<S> & RedisConnectionOptions = {},
  ): Redis<S> {
    return new Redis<S>({ ...parseRedisUrl(url), ...options });
  }
}
