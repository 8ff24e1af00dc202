/**
 * The options of a {@link ConnectionPool}: its own settings, plus the options of its connection
 * class, passed through untouched.
 *
 * @module
 */
import type { ConnectionOptions as TLSConnectionOptions } from "node:tls";
import type { BaseConnection, BaseConnectionOptions } from "../connection/base-connection.js";
import type { Location } from "../connection/location.js";

/** Settings that belong to the pool itself. Durations are milliseconds. */
export interface PoolSettings {
  /** Most connections open at once, counting multiplexed, dedicated and connecting ones. @defaultValue 64 */
  maxConnections?: number;
  /**
   * Milliseconds a request may wait for a connection before it fails with a `TimeoutError`
   * (phase `pool`); such a request never reaches Redis. @defaultValue wait forever
   */
  timeout?: number;
  /**
   * Milliseconds a connection with nothing in flight may stay open unused before it is closed.
   * A connection serving a request (a long BLPOP included) is never closed for idleness.
   * @defaultValue keep idle connections open
   */
  maxIdleTime?: number;
}

/** A connection class a pool can instantiate with one options object. */
export type ConnectionClass<O extends BaseConnectionOptions> = new (options: O) => BaseConnection;

/** Options of the built-in connections, the ones a pool uses when no `connectionClass` is given. */
export interface DefaultConnectionOptions extends BaseConnectionOptions {
  /** Where to connect; wins over `host`/`port`/`unixSocketPath`. */
  location?: Location;
  /** @defaultValue "localhost" */
  host?: string;
  /** @defaultValue 6379 */
  port?: number;
  /** Connect over this Unix domain socket instead of TCP. */
  unixSocketPath?: string;
  /** TLS: `true` for Node's defaults (verification on), or Node's TLS options. */
  tls?: boolean | TLSConnectionOptions;
}

/**
 * Options of a {@link ConnectionPool}. With a `connectionClass`, `O` is that class's options type,
 * so the pool accepts (and requires) exactly what the class needs, and hands it over.
 */
export type ConnectionPoolOptions<O extends BaseConnectionOptions = DefaultConnectionOptions> = PoolSettings &
  NoInfer<O> & {
    /** The class of the pool's connections. @defaultValue TCPConnection, or UnixDomainSocketConnection for a socket path */
    connectionClass?: ConnectionClass<O>;
  };

/** The keys of {@link PoolSettings}, which are not passed to connections. */
export const POOL_SETTING_KEYS: ReadonlySet<string> = new Set(["maxConnections", "timeout", "maxIdleTime", "connectionClass"]);
