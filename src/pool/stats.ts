/**
 * `PoolStats`: a plain snapshot of a pool's connections and counters, taken by `pool.stats`.
 *
 * @module
 */

/** A snapshot of a connection pool. Counts are connections unless said otherwise. */
export interface PoolStats {
  /** Open connections: idle + multiplexed + dedicated + retiring. */
  readonly open: number;
  /** Connections being opened (counted against `maxConnections` too). */
  readonly connecting: number;
  /** Connections closed for idleness whose socket has not closed yet (still counted against `maxConnections`). */
  readonly retiring: number;
  /** Open connections nobody uses. */
  readonly idle: number;
  /** Connections shared by ordinary commands. */
  readonly multiplexed: number;
  /** Connections held by one owner (blocking commands, pipelines, pubsub). */
  readonly dedicated: number;
  /** Requests waiting for a connection. */
  readonly waiters: number;
  /** Connections created since the pool was made. */
  readonly created: number;
  /** Connections closed since the pool was made. */
  readonly closed: number;
  /** References held: the owners' (`connect()`) and the clients' that borrow the pool. */
  readonly references: number;
  /** Whether an owner holds the pool (`connect()`): its `close()` then ends the pool. */
  readonly owned: boolean;
}
