/**
 * `ConnectionPool`: the blocking, multiplexing pool of one Redis server.
 *
 * Every open connection is in exactly one of these sets:
 * ```
 *   connecting ──ready──▶ multiplexed ◀──────▶ idle ◀──────▶ dedicated
 *        │                     │                 │                │
 *        │                     └─── retiring ◀───┘ (closed for idleness, socket still closing)
 *        │                               │
 *        └──────── closed ◀──────────────┴────────────────────────┘
 * ```
 * `onClose` (the connection's own close event) takes a connection out of whichever set holds it;
 * a retiring connection is in no set anyone is served from, but keeps its slot until then.
 *
 * Lifetime: the code that calls `connect()` owns the pool (the seed's parent), and its last
 * `close()` ends it whoever still borrows it; clients `borrow()` and `giveBack()`, and without an
 * owner the last borrower's give-back ends it. A token from before a shutdown gives back nothing.
 * - multiplexed: shared by any number of ordinary commands; a caller writes its command and
 *   hands the connection back at once, before the reply (replies match requests in order).
 * - dedicated: held by one owner (a blocking command, a pipeline, pubsub) until it releases it.
 * - idle: open and unused; either kind of request may take it.
 *
 * Which multiplexed connection a command uses: the first one that is not backed up. A connection
 * is backed up when it has more than {@link BACKED_UP_PENDING} requests in flight, or more than
 * {@link BACKED_UP_BYTES} bytes waiting to be written or of one reply still arriving. When every
 * multiplexed connection is backed up, the pool opens one more (within `maxConnections`, one at a
 * time) and the command waits for it: a handshake on a fresh socket is shorter than a queue behind
 * a large transfer. At the limit, the command goes to the least loaded connection. So one 10 MB
 * value does not stall every small command, a burst on a cold pool opens one connection rather
 * than one per command, and small commands stay batched on few sockets. Connections beyond the first that stay unused are closed after
 * `maxIdleTime` (or {@link EXTRA_IDLE_MS} when that is unset).
 *
 * Large requests (the client marks those that move a large value: see `AcquireOptions.large`) go
 * on a multiplexed connection of their own, the bulk lane, which small requests pass over while
 * another shared connection can take them: a small GET behind a megabyte in flight waits for the
 * megabyte, so keeping them apart is what keeps small commands fast while large values move. The
 * bulk connection is opened on the first large request (which waits for it), counts against
 * `maxConnections` and is reaped like any extra connection; at the limit, large requests share.
 *
 * When no connection can be taken or opened, requests wait in one first-come, first-served queue.
 *
 * @module
 */
import {
  AbortError,
  ClientClosedError,
  ConnectionError,
  InvalidArgumentError,
  RedisError,
  TimeoutError,
} from "../errors.js";
import type { BaseConnection, BaseConnectionOptions } from "../connection/base-connection.js";
import { type Location, TCPLocation, UnixDomainSocketLocation } from "../connection/location.js";
import { TCPConnection } from "../connection/tcp-connection.js";
import { UnixDomainSocketConnection } from "../connection/unix-connection.js";
import { Fifo } from "../internal/fifo.js";
import { parseRedisUrl } from "../internal/url.js";
import { assertDuration, assertInteger } from "../internal/validate.js";
import {
  POOL_SETTING_KEYS,
  type ConnectionPoolOptions,
  type DefaultConnectionOptions,
} from "./pool-options.js";
import type { ConnectionBudget, BudgetMember } from "./budget.js";
import { PoolLifetime } from "./lifetime.js";
import type { PoolStats } from "./stats.js";
import type { AcquireOptions, Lease, LeaseOptions, Redirect, RequestTarget, RouteHint } from "./target.js";

/**
 * Requests in flight beyond which a multiplexed connection counts as backed up. High on purpose:
 * small commands gain nothing from more sockets (Redis runs them one at a time, and the client's
 * CPU is the limit), while each extra socket costs system calls. Measured with 10 000 callers:
 * one connection gave 700k ops/s at 1.7 µs CPU per op, three (at a limit of 4096) 470k at 2.6 µs.
 */
export const BACKED_UP_PENDING = 16_384;
/** Bytes waiting to be written, or of a reply still arriving, beyond which a connection is backed up. */
export const BACKED_UP_BYTES = 256 * 1024;
/** How long a connection beyond the first stays open unused when `maxIdleTime` is not set. */
export const EXTRA_IDLE_MS = 30_000;
const DEFAULT_MAX_CONNECTIONS = 64;
/** What `#growMultiplexed` says when a connection is being opened: wait for it. */
const OPENING = Symbol("opening");

/** What a caller of {@link ConnectionPool.acquire} asks for. */
export type { AcquireOptions } from "./target.js";

/** How {@link ConnectionPool.retarget} treats the connections to the old server. */
export interface RetargetOptions {
  /**
   * Close leased and dedicated connections to the old server at once (their holders see a
   * `ConnectionError`, and a pubsub instance subscribes again on the new server), rather than
   * when given back. For a move the old server must not see any more of: a demoted primary.
   * @defaultValue false
   */
  closeLeased?: boolean;
}

/** Told of a pool's new connection; see {@link ConnectionPool.addConnectionListener}. */
export type ConnectionListener = (connection: BaseConnection) => void;

interface Waiter {
  readonly dedicated: boolean;
  readonly large: boolean;
  readonly resolve: (connection: BaseConnection) => void;
  readonly reject: (error: RedisError) => void;
  done: boolean;
  dispose: (() => void) | undefined;
}

/**
 * A blocking connection pool for one server: it multiplexes ordinary commands over few
 * connections and lends dedicated ones to blocking commands, pipelines and pubsub.
 *
 * @example
 * ```ts
 * import { ConnectionPool, Redis, TCPLocation } from "coredis";
 *
 * const pool = new ConnectionPool({ location: new TCPLocation("localhost", 6379), maxConnections: 8 });
 * await using _ = await pool.connect(); // this scope owns the pool's lifetime
 * await using client = new Redis({ connectionPool: pool });
 * await client.ping();
 * ```
 */
export class ConnectionPool<O extends BaseConnectionOptions = DefaultConnectionOptions> implements RequestTarget {
  /** {@link RequestTarget}: one server, so requests need no route. */
  readonly routesByKey = false;
  /** Most connections open at once. */
  readonly maxConnections: number;
  /** Milliseconds a request waits for a connection; undefined: forever. */
  readonly timeoutMs: number | undefined;
  /** Milliseconds an unused connection stays open; undefined: kept. */
  readonly maxIdleTimeMs: number | undefined;

  /**
   * Makes one connection of the pool's class with its options. A closure rather than fields typed
   * with `O`, so a pool's type does not depend on its connection class: any pool can be shared
   * with any client.
   */
  #createConnection: () => BaseConnection;
  /** Makes the connection factory for a location (see {@link ConnectionPool.retarget}). */
  readonly #factoryFor: (location: Location | undefined) => () => BaseConnection;
  /** Bumped by {@link ConnectionPool.retarget}: connections of an older generation are out of service. */
  #generation = 0;
  readonly #generationOf = new WeakMap<BaseConnection, number>();

  readonly #connecting = new Set<BaseConnection>();
  readonly #multiplexed: BaseConnection[] = [];
  /** Idle connections, most recently used last: taken from the end, reaped from the front. */
  readonly #idle: BaseConnection[] = [];
  readonly #dedicated = new Set<BaseConnection>();
  /** The multiplexed connection being opened, if any: later commands wait for it, not for new ones. */
  #openingMultiplexed: Promise<BaseConnection> | undefined;
  /** The multiplexed connection that carries large requests, once opened; one of `#multiplexed`. */
  #bulk: BaseConnection | undefined;
  /** The bulk connection being opened, if any. */
  #openingBulk: Promise<BaseConnection> | undefined;
  readonly #waiters = new Fifo<Waiter>();
  #servingWaiters = false;
  /**
   * Connections closed for idleness whose socket has not closed yet: out of every set above (so
   * nobody is lent one), still counted against `maxConnections` until their close event.
   */
  readonly #retiring = new Set<BaseConnection>();
  /**
   * Lends nothing and opens nothing while set (see {@link ConnectionPool.hold}): requests wait,
   * within their deadlines, for {@link ConnectionPool.retarget} or {@link ConnectionPool.resume}.
   */
  #held = false;
  /** Told of each connection once its handshake is done, before anything else is sent on it. */
  #connectionListeners: readonly ConnectionListener[] = [];

  /** Who keeps the pool open (owners, borrowers); see `lifetime.ts`. */
  readonly #lifetime = new PoolLifetime({
    // A shared connection: nothing to give back.
    open: () => this.prepare().then(() => this.acquire({ dedicated: false })).then(() => undefined),
    shutDown: () => this.#shutDown(),
  });
  #created = 0;
  #closed = 0;
  #reaper: NodeJS.Timeout | undefined;
  /** The limit this pool shares with others (a cluster's node pools), if any. */
  readonly #budget: ConnectionBudget | undefined;
  readonly #member: BudgetMember | undefined;

  /**
   * @param budget - a limit shared with other pools (a cluster's node pools when `maxConnections`
   *   counts the whole cluster): the pool opens a connection only when both its own
   *   `maxConnections` and the budget allow.
   */
  constructor(options: ConnectionPoolOptions<O> = {} as ConnectionPoolOptions<O>, budget?: ConnectionBudget) {
    assertInteger("maxConnections", options.maxConnections, 1);
    assertDuration("timeout", options.timeout);
    assertDuration("maxIdleTime", options.maxIdleTime);
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.timeoutMs = options.timeout;
    this.maxIdleTimeMs = options.maxIdleTime;
    const connectionOptions: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options)) {
      if (!POOL_SETTING_KEYS.has(key)) connectionOptions[key] = value;
    }
    const custom = options.connectionClass;
    this.#factoryFor = (location) => {
      const forLocation = location === undefined ? connectionOptions : { ...connectionOptions, location };
      if (custom !== undefined) return () => new custom(forLocation as O);
      return defaultConnectionFactory(forLocation);
    };
    this.#createConnection = this.#factoryFor(undefined);
    this.#budget = budget;
    if (budget !== undefined) {
      // Closures over the private state, not public methods: the budget's needs stay off the API.
      const counted = (): number => this.#total;
      const waiting = (): number => this.#waiters.length;
      const member: BudgetMember = {
        get counted() {
          return counted();
        },
        get waiting() {
          return waiting();
        },
        shedIdle: () => this.#shedIdle(),
        retryWaiters: () => this.#serveWaiters(),
      };
      this.#member = member;
      budget.join(member);
    }
  }

  /** Whether one more connection may be opened: within `maxConnections`, and within the shared budget. */
  get #mayOpen(): boolean {
    return this.#total < this.maxConnections && (this.#budget === undefined || this.#budget.mayOpen);
  }

  /** Closes the idle connection used longest ago, for another pool of the budget. */
  #shedIdle(): boolean {
    const idle = this.#idle.find((connection) => !connection.isClosed);
    if (idle === undefined) return false;
    this.#retire(idle);
    return true;
  }

  /**
   * Points the pool at another server — a sentinel's new primary after a failover — without
   * touching the clients that use it. Connections opened from now on go to `location`; every
   * connection to the old server is out of service at once: shared and idle ones are closed
   * gracefully (replies in flight still arrive, nothing new is sent on them), leased ones are
   * closed when their holder gives them back (at once with `closeLeased`), and ones still
   * connecting are closed at once (the requests waiting for them fail as never written, so
   * the client sends them again here). Ends a {@link ConnectionPool.hold}.
   */
  retarget(location: Location, options: RetargetOptions = {}): void {
    this.#createConnection = this.#factoryFor(location);
    this.#leaveService();
    if (options.closeLeased === true) {
      const error = new ConnectionError(`the pool moved to ${location.toString()}; this connection's server is out of service`);
      for (const connection of [...this.#dedicated]) connection.destroy(error);
    }
    this.#held = false;
    this.#serveWaiters();
  }

  /**
   * Stops sending to the pool's server at once, before a {@link ConnectionPool.retarget} that is
   * about to come (a sentinel has picked the replica it promotes: from now on, a write acknowledged
   * by the old primary could be lost). Shared and idle connections are closed gracefully, as for a
   * retarget; nothing is lent or opened until `retarget()` or {@link ConnectionPool.resume}, and
   * requests wait for a connection meanwhile, bounded by their deadlines and the pool's `timeout`.
   */
  protected hold(): void {
    this.#held = true;
    this.#leaveService();
  }

  /** Ends a {@link ConnectionPool.hold} without moving (the failover was aborted): the same server serves again. */
  protected resume(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#serveWaiters();
  }

  /** Whether the pool is held (see {@link ConnectionPool.hold}). */
  protected get isHeld(): boolean {
    return this.#held;
  }

  /** Takes every connection opened so far out of service: shared and idle ones close gracefully, connecting ones at once, dedicated ones when given back. */
  #leaveService(): void {
    this.#generation++;
    for (const connection of [...this.#multiplexed, ...this.#idle]) this.#retire(connection);
    // Nothing of a user's is written on a connection still connecting: its waiters are sent
    // again now, rather than when a server that may be gone or stalled lets it finish.
    for (const connection of [...this.#connecting]) {
      connection.destroy(new ConnectionError(`the pool left ${connection.address} while connecting`, { written: false }));
    }
    this.#openingMultiplexed = undefined;
    this.#openingBulk = undefined;
  }

  /**
   * Tells `listener` of every connection the pool opens, once its handshake is done and before
   * the pool lends it: a feature (client-side caching) can add a push listener and send its own
   * first request there, ahead of any request of the pool's users. Connections open already are
   * reported at once, in no particular order. Returns the function that removes the listener.
   */
  addConnectionListener(listener: ConnectionListener): () => void {
    this.#connectionListeners = [...this.#connectionListeners, listener];
    for (const connection of [...this.#multiplexed, ...this.#idle, ...this.#dedicated]) {
      if (!connection.isClosed) listener(connection);
    }
    return () => {
      this.#connectionListeners = this.#connectionListeners.filter((candidate) => candidate !== listener);
    };
  }

  /**
   * Runs when the pool's life begins, before its first connection is opened: a subclass finds its
   * server here (a sentinel pool asks the sentinels, then calls {@link ConnectionPool.retarget}).
   * A rejection fails the `connect()` or the first command.
   */
  protected prepare(): Promise<void> {
    return Promise.resolve();
  }

  /** Runs when the pool's life has ended (its last reference given back), its connections closed. */
  protected onShutDown(): void {}

  /** Whether `connection` was opened before the last {@link ConnectionPool.retarget}. */
  #isStale(connection: BaseConnection): boolean {
    return this.#generationOf.get(connection) !== this.#generation;
  }

  /**
   * A pool for the server a URL names: `redis://[[user]:password@]host[:port][/db][?query]`,
   * `rediss://…` (TLS) or `unix://[[user]:password@]/path/to/socket[?query]`. Explicit options
   * win over the URL's. The query takes `db`, `protocol`, `clientName`, `connectTimeout`,
   * `streamTimeout`, `maxIdleTime`, `maxConnections`, `timeout` (or `poolTimeout`: this pool's
   * `timeout`), `noreply`, `noevict`, `notouch` (milliseconds), and coredis's snake_case
   * spellings (seconds); any other key is an {@link InvalidArgumentError}. See `parseRedisUrl`.
   */
  static fromUrl(url: string, options: ConnectionPoolOptions = {}): ConnectionPool {
    // The URL speaks the client's language, where the wait for a connection is `poolTimeout`;
    // here that setting is the pool's own `timeout`.
    const { poolTimeout, ...fromUrl } = parseRedisUrl(url);
    return new ConnectionPool({ ...fromUrl, ...(poolTimeout === undefined ? {} : { timeout: poolTimeout }), ...options });
  }

  /** A snapshot of the pool's connections and counters. */
  get stats(): PoolStats {
    return {
      open: this.#multiplexed.length + this.#idle.length + this.#dedicated.size + this.#retiring.size,
      connecting: this.#connecting.size,
      retiring: this.#retiring.size,
      idle: this.#idle.length,
      multiplexed: this.#multiplexed.length,
      dedicated: this.#dedicated.size,
      waiters: this.#waiters.length,
      created: this.#created,
      closed: this.#closed,
      references: this.#lifetime.references,
      owned: this.#lifetime.owned,
    };
  }

  /** Every connection counted against `maxConnections`. */
  get #total(): number {
    return this.#connecting.size + this.#multiplexed.length + this.#idle.length + this.#dedicated.size + this.#retiring.size;
  }

  /** Whether anybody holds a reference: the pool lends connections only then. */
  get #isOpen(): boolean {
    return this.#lifetime.isOpen;
  }

  /**
   * Enters the pool as its owner (the parent code, as in the seed): from now on the pool's
   * lifetime is the owner's. When the owner's `close()` comes, the pool's connections close,
   * even if clients that borrowed the pool were never closed; their later calls fail with a
   * {@link ClientClosedError} saying the pool was closed. Opens the first connection, so a wrong
   * address or password fails here rather than at the first command. `connect()` may be called
   * more than once; each call needs its `close()`.
   * @returns the pool, for `await using _ = await pool.connect()`.
   */
  async connect(): Promise<this> {
    await this.#lifetime.take(true);
    return this;
  }

  /**
   * Enters the pool as its owner, as {@link ConnectionPool.connect} does, without opening a
   * connection first: for an owner that routes around servers that are down (a cluster's node
   * pools), whose requests then open connections as they need them.
   */
  async open(): Promise<this> {
    await this.#lifetime.take(true, false);
    return this;
  }

  /**
   * Ends an owner's reference taken by {@link ConnectionPool.connect}. The last one closes the
   * pool whoever else uses it: waiters fail with {@link ClientClosedError}, replies in flight on
   * shared connections are awaited (5 s at most), dedicated connections are closed at once. On a
   * pool no owner connected, `close()` does nothing: its clients' references keep it open until
   * the last of them is closed. A closed pool can be connected again.
   */
  close(): Promise<void> {
    return this.#lifetime.close();
  }

  /**
   * {@link RequestTarget}: a client's reference (clients call this when they connect; code that
   * owns the pool calls `connect()` instead). While the pool has
   * an owner, borrowing does not extend its lifetime; without one, the pool stays open until the
   * last borrower gives its reference back. Opens the first connection.
   * @returns the reference's token, for {@link ConnectionPool.giveBack}.
   */
  borrow(): Promise<number> {
    return this.#lifetime.take(false);
  }

  /**
   * {@link RequestTarget}: gives back a reference taken with {@link ConnectionPool.borrow}. The last one closes
   * a pool that has no owner. A token from before the pool was last closed is ignored.
   */
  giveBack(token: number): Promise<void> {
    return this.#lifetime.giveBack(token);
  }

  /** The error for a request made while no reference is held. */
  #closedError(): ClientClosedError {
    return this.#lifetime.closedError();
  }

  /** `await using pool = …`: the same as {@link ConnectionPool.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The multiplexed connection a command should use right now, without waiting: the first that
   * is ready and not backed up, else the least loaded; for a `large` one, the bulk connection.
   * `undefined` when there is none yet (the caller then uses {@link ConnectionPool.acquire}). May
   * start opening one more connection.
   */
  multiplexed(large = false, _route?: RouteHint): BaseConnection | undefined {
    const connections = this.#multiplexed;
    if (connections.length === 0 || !this.#isOpen || this.#held) return undefined;
    if (large) return this.#bulkConnection();
    const bulk = this.#bulk;
    let best: BaseConnection | undefined;
    let bestLoad = Infinity;
    for (const connection of connections) {
      if (connection === bulk || connection.isClosed) continue;
      const load = connection.pendingCount;
      if (load < BACKED_UP_PENDING && !isBackedUpByBytes(connection)) return connection;
      if (load < bestLoad) {
        best = connection;
        bestLoad = load;
      }
    }
    // Every shared connection is backed up (or the bulk one is all there is). An idle one is
    // taken over; else, if another can be opened, the command waits the round trip of a
    // handshake for it rather than queueing behind a large transfer.
    const grown = this.#growMultiplexed(false);
    if (grown === OPENING) return undefined;
    return grown ?? best ?? bulk;
  }

  /** The bulk connection, or `undefined` while one is being opened; at the limit, a shared one. */
  #bulkConnection(): BaseConnection | undefined {
    const bulk = this.#bulk;
    if (bulk !== undefined && !bulk.isClosed) return bulk;
    const grown = this.#growMultiplexed(true);
    if (grown === OPENING) return undefined;
    return grown ?? this.multiplexed(false);
  }

  /** Whether `connection` is (still) one of the shared connections. */
  isMultiplexed(connection: BaseConnection): boolean {
    return this.#multiplexed.includes(connection);
  }

  /**
   * Takes a connection: a shared (multiplexed) one, or one for the caller alone (`dedicated`).
   * Waits, first come first served, when none can be taken or opened.
   *
   * A dedicated connection MUST be given back with {@link ConnectionPool.release}, or destroyed
   * (its slot then frees itself). Multiplexed connections need no release.
   * @throws {TimeoutError} (phase `pool`) when the wait outlasts the pool's `timeout`.
   * @throws {AbortError} when the signal fires first.
   * @throws {ClientClosedError} when the pool is not connected.
   */
  acquire(options: AcquireOptions): Promise<BaseConnection> {
    if (!this.#isOpen) return Promise.reject(this.#closedError());
    const large = options.large === true && !options.dedicated;
    if (!options.dedicated) {
      const shared = this.multiplexed(large);
      if (shared !== undefined) return Promise.resolve(shared);
      const opening = large ? this.#openingBulk : this.#openingMultiplexed;
      if (opening !== undefined) return opening;
    }
    if (options.signal?.aborted === true) {
      return Promise.reject(new AbortError("the request was aborted before it was sent", false, { cause: options.signal.reason }));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { dedicated: options.dedicated, large, resolve, reject, done: false, dispose: undefined };
      this.#waiters.push(waiter);
      this.#armWaiter(waiter, options);
      this.#serveWaiters();
    });
  }

  /**
   * Gives back a dedicated connection. A closed one just frees its slot; an open one serves the
   * next waiter or becomes idle. The caller must not use it afterwards.
   */
  release(connection: BaseConnection): void {
    if (!this.#dedicated.delete(connection)) return;
    if (connection.isClosed) return;
    if (!this.#isOpen || this.#isStale(connection)) {
      // Out of service (the pool closed, or moved to another server): closed, its slot kept
      // until the socket has closed.
      this.#retiring.add(connection);
      void connection.close();
      this.#serveWaiters();
      return;
    }
    this.#idle.push(connection);
    this.#serveWaiters();
    // Unused here while another pool of a shared budget waits: its slot is worth more there.
    const member = this.#member;
    if (member !== undefined && this.#idle.includes(connection) && this.#budget?.wantedElsewhere(member) === true) {
      this.#retire(connection);
    }
  }

  /** {@link RequestTarget}: one server serves every request. */
  serves(_connection: BaseConnection, _route: RouteHint | undefined): boolean {
    return true;
  }

  /** {@link RequestTarget}: the one server, whatever the route. */
  locate(_route: RouteHint | undefined): string {
    return "";
  }

  /** {@link RequestTarget}: one server never redirects. */
  redirect(_error: RedisError, _redirects: number, _route: RouteHint | undefined): Redirect | undefined {
    return undefined;
  }

  /**
   * Leases a connection: held by the caller across many requests (a pipeline, a transaction, a
   * pubsub instance) until it releases or destroys the lease. Waits like a dedicated request.
   * @throws {TimeoutError} (phase `pool`) when the wait outlasts the pool's `timeout`.
   * @throws {AbortError} when the signal fires first.
   * @throws {ClientClosedError} when the pool is not connected.
   */
  async lease(options: LeaseOptions = {}): Promise<Lease> {
    const connection = await this.acquire({ ...options, dedicated: true });
    return new PoolLease(this, connection);
  }

  #armWaiter(waiter: Waiter, options: AcquireOptions): void {
    const timeoutMs = minDefined(this.timeoutMs, options.timeoutMs);
    const signal = options.signal;
    if (timeoutMs === undefined && signal === undefined) return;
    const fail = (error: RedisError): void => {
      if (waiter.done) return;
      waiter.done = true;
      waiter.dispose?.();
      waiter.reject(error);
    };
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            fail(
              new TimeoutError(
                `no connection became available within ${timeoutMs} ms (maxConnections: ${this.maxConnections})`,
                "pool",
              ),
            );
          }, timeoutMs);
    const onAbort = (): void =>
      fail(new AbortError("the request was aborted while waiting for a connection", false, { cause: signal?.reason }));
    signal?.addEventListener("abort", onAbort, { once: true });
    waiter.dispose = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
  }

  /**
   * Hands connections to waiters in order while it can. The head waiter blocks those behind it,
   * so nobody is overtaken. Re-entrancy guarded: settling a waiter can release a connection.
   */
  #serveWaiters(): void {
    if (this.#servingWaiters) return;
    this.#servingWaiters = true;
    try {
      for (let waiter = this.#waiters.peek(); waiter !== undefined; waiter = this.#waiters.peek()) {
        if (waiter.done) {
          this.#waiters.shift();
          continue;
        }
        if (!this.#serve(waiter)) break;
        this.#waiters.shift();
      }
    } finally {
      this.#servingWaiters = false;
    }
  }

  /** Serves one waiter if a connection can be taken or opened for it now. */
  #serve(waiter: Waiter): boolean {
    if (this.#held) return false;
    if (!waiter.dedicated) {
      const shared = this.multiplexed(waiter.large);
      if (shared !== undefined) {
        settle(waiter, shared);
        return true;
      }
      const opening = waiter.large ? this.#openingBulk : this.#openingMultiplexed;
      if (opening !== undefined) {
        waiter.done = true;
        waiter.dispose?.();
        opening.then(waiter.resolve, waiter.reject);
        return true;
      }
    }
    const idle = this.#takeIdle();
    if (idle !== undefined) {
      this.#place(idle, waiter.dedicated);
      settle(waiter, idle);
      return true;
    }
    if (this.#mayOpen) {
      waiter.done = true;
      waiter.dispose?.();
      this.#open(waiter.dedicated, waiter.large).then(waiter.resolve, waiter.reject);
      return true;
    }
    if (waiter.dedicated) {
      // At the limit, a shared connection with nothing in flight may be lent out whole.
      const index = this.#multiplexed.findIndex((connection) => connection.pendingCount === 0);
      if (index !== -1) {
        const [taken] = this.#multiplexed.splice(index, 1) as [BaseConnection];
        if (this.#bulk === taken) this.#bulk = undefined;
        this.#dedicated.add(taken);
        settle(waiter, taken);
        return true;
      }
    }
    // Spent on other pools' connections: ask one of them for an unused one (its close serves us).
    if (this.#total < this.maxConnections) this.#budget?.reclaim(this.#member as BudgetMember);
    return false;
  }

  /**
   * Opens a connection for a multiplexed (`bulk`: the bulk connection) or dedicated use; it counts
   * against the limit at once.
   */
  #open(dedicated: boolean, bulk = false): Promise<BaseConnection> {
    if (this.#member !== undefined) this.#budget?.join(this.#member); // again, after a shutdown left it
    const connection = this.#createConnection();
    this.#created++;
    this.#generationOf.set(connection, this.#generation);
    this.#connecting.add(connection);
    connection.observer = this;
    const opened = connection.connect().then(
      () => {
        this.#connecting.delete(connection);
        if (!this.#isOpen) {
          void connection.close();
          throw new ClientClosedError("the connection pool was closed while connecting");
        }
        if (this.#isStale(connection)) {
          this.#retiring.add(connection);
          void connection.close();
          this.#serveWaiters();
          throw new ConnectionError(`the pool moved off ${connection.address} while connecting`, { written: false });
        }
        for (const listener of this.#connectionListeners) listener(connection);
        this.#place(connection, dedicated);
        if (!dedicated && bulk && (this.#bulk === undefined || this.#bulk.isClosed)) this.#bulk = connection;
        this.#armReaper();
        return connection;
      },
      (error: unknown) => {
        this.#connecting.delete(connection);
        throw error;
      },
    );
    if (!dedicated) {
      if (bulk) this.#openingBulk = opened;
      else this.#openingMultiplexed = opened;
      const clear = (): void => {
        if (this.#openingMultiplexed === opened) this.#openingMultiplexed = undefined;
        if (this.#openingBulk === opened) this.#openingBulk = undefined;
        this.#serveWaiters();
      };
      opened.then(clear, clear);
    }
    return opened;
  }

  /**
   * Starts one more multiplexed connection (`bulk`: the bulk connection) when the limit allows:
   * for small requests when every shared one is backed up, for large ones when there is no bulk
   * connection yet.
   * @returns an idle connection taken over (usable at once), {@link OPENING} when one is being
   *   opened (wait for it), or `undefined` when none can be had (waiters come first, or the limit).
   */
  #growMultiplexed(bulk: boolean): BaseConnection | typeof OPENING | undefined {
    if ((bulk ? this.#openingBulk : this.#openingMultiplexed) !== undefined) return OPENING;
    if (this.#waiters.length > 0) return undefined;
    // An idle connection counts against the limit already: taking it over is always allowed.
    const idle = this.#takeIdle();
    if (idle !== undefined) {
      this.#multiplexed.push(idle);
      if (bulk) this.#bulk = idle;
      return idle;
    }
    if (!this.#mayOpen) return undefined;
    // Failures reach the commands waiting for it; the next such command tries again.
    this.#open(false, bulk).catch(() => undefined);
    return OPENING;
  }

  /** The most recently used idle connection that is still open, if any. */
  #takeIdle(): BaseConnection | undefined {
    for (let idle = this.#idle.pop(); idle !== undefined; idle = this.#idle.pop()) {
      if (!idle.isClosed) return idle;
    }
    return undefined;
  }

  /**
   * Closes an unused connection for idleness. It leaves its set at once, so it is never lent
   * again, and keeps its slot until its socket has closed.
   */
  #retire(connection: BaseConnection): void {
    removeFrom(this.#idle, connection);
    removeFrom(this.#multiplexed, connection);
    if (this.#bulk === connection) this.#bulk = undefined;
    this.#retiring.add(connection);
    void connection.close();
  }

  /** Puts an open connection in the set for its use. */
  #place(connection: BaseConnection, dedicated: boolean): void {
    if (dedicated) this.#dedicated.add(connection);
    else this.#multiplexed.push(connection);
  }

  /** @internal The observer hook: a connection closed, for whatever reason. Frees its slot. */
  onClose(connection: BaseConnection): void {
    this.#closed++;
    this.#connecting.delete(connection);
    this.#dedicated.delete(connection);
    this.#retiring.delete(connection);
    removeFrom(this.#multiplexed, connection);
    removeFrom(this.#idle, connection);
    if (this.#bulk === connection) this.#bulk = undefined;
    this.#serveWaiters();
    if (this.#member !== undefined) this.#budget?.freed(this.#member);
  }

  /** Closes unused connections: idle past `maxIdleTime`, and extra shared ones past {@link EXTRA_IDLE_MS}. */
  #reap(): void {
    const now = performance.now();
    const idleLimit = this.maxIdleTimeMs;
    const extraLimit = Math.min(idleLimit ?? EXTRA_IDLE_MS, EXTRA_IDLE_MS);
    const unused = (connection: BaseConnection, limit: number): boolean =>
      connection.pendingCount === 0 && now - connection.lastActivityMs >= limit;
    for (const connection of [...this.#idle]) {
      // Without maxIdleTime, one idle connection stays when no shared one is open.
      const keepable = idleLimit === undefined && this.#multiplexed.length === 0 && this.#idle[0] === connection;
      if (!keepable && unused(connection, idleLimit ?? extraLimit)) this.#retire(connection);
    }
    // The first shared connection that is not the bulk one is kept (unless maxIdleTime says
    // otherwise); the bulk connection and every other one are extras.
    let firstSeen = false;
    for (const connection of [...this.#multiplexed]) {
      const first = !firstSeen && connection !== this.#bulk;
      if (first) firstSeen = true;
      const limit = first ? idleLimit : extraLimit;
      if (limit !== undefined && unused(connection, limit)) this.#retire(connection);
    }
    if (this.#total === 0) this.#stopReaper();
  }

  #armReaper(): void {
    if (this.#reaper !== undefined) return;
    const periodMs = Math.max(10, Math.min(this.maxIdleTimeMs ?? EXTRA_IDLE_MS, EXTRA_IDLE_MS) / 2);
    this.#reaper = setInterval(() => this.#reap(), periodMs);
    // Reaping must never keep a process alive.
    this.#reaper.unref();
  }

  #stopReaper(): void {
    clearInterval(this.#reaper);
    this.#reaper = undefined;
  }

  async #shutDown(): Promise<void> {
    this.#stopReaper();
    // A closed pool holds nothing against a shared budget; it joins again when it opens a connection.
    if (this.#member !== undefined) this.#budget?.leave(this.#member);
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      if (waiter.done) continue;
      waiter.done = true;
      waiter.dispose?.();
      waiter.reject(new ClientClosedError("the connection pool was closed while waiting for a connection"));
    }
    const closing: Promise<void>[] = [];
    for (const connection of [...this.#multiplexed, ...this.#idle]) closing.push(connection.close());
    for (const connection of this.#retiring) closing.push(connection.close());
    for (const connection of [...this.#dedicated, ...this.#connecting]) {
      connection.destroy(new ClientClosedError(`the connection pool was closed; ${connection.address} disconnected`));
    }
    this.#multiplexed.length = 0;
    this.#bulk = undefined;
    this.#idle.length = 0;
    this.#dedicated.clear();
    this.#connecting.clear();
    this.#retiring.clear();
    this.#held = false;
    this.onShutDown();
    await Promise.all(closing);
  }
}

/** A lease on a pool's dedicated connection. */
class PoolLease implements Lease {
  #held = true;

  constructor(
    readonly pool: ConnectionPool<BaseConnectionOptions>,
    readonly connection: BaseConnection,
  ) {}

  get isHeld(): boolean {
    return this.#held && !this.connection.isClosed;
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.pool.release(this.connection);
  }

  destroy(error?: Error): void {
    if (!this.#held) return;
    this.#held = false;
    this.connection.destroy(error === undefined ? undefined : asRedisError(error));
    this.pool.release(this.connection);
  }
}

function asRedisError(error: Error): RedisError {
  return error instanceof RedisError ? error : new ConnectionError(error.message, { cause: error });
}

function settle(waiter: Waiter, connection: BaseConnection): void {
  waiter.done = true;
  waiter.dispose?.();
  waiter.resolve(connection);
}

function isBackedUpByBytes(connection: BaseConnection): boolean {
  return connection.bufferedWriteBytes > BACKED_UP_BYTES || connection.partialReplyBytes > BACKED_UP_BYTES;
}

function removeFrom(list: BaseConnection[], connection: BaseConnection): void {
  const index = list.indexOf(connection);
  if (index !== -1) list.splice(index, 1);
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** Chooses the built-in connection class and its location from host/port/unixSocketPath. */
function defaultConnectionFactory(options: DefaultConnectionOptions): () => BaseConnection {
  const { host, port, unixSocketPath, location: given, ...rest } = options;
  assertInteger("port", port, 0, 65_535);
  const location =
    given ??
    (unixSocketPath !== undefined
      ? new UnixDomainSocketLocation(unixSocketPath)
      : new TCPLocation(host ?? "localhost", port ?? 6379));
  if (location instanceof TCPLocation) return () => new TCPConnection({ ...rest, location });
  if (rest.tls !== undefined && rest.tls !== false) {
    throw new InvalidArgumentError("tls cannot be used with a Unix domain socket");
  }
  const { tls: _tls, ...unixOptions } = rest;
  return () => new UnixDomainSocketConnection({ ...unixOptions, location });
}
