/**
 * `ClusterConnectionPool`: a Redis Cluster as one {@link RequestTarget} — a slot map over one
 * {@link ConnectionPool} per node.
 *
 * Each node's pool has the standalone pool's semantics (multiplexed and leased connections, the
 * bulk lane, one FIFO of waiters, `timeout`). A request's {@link RouteHint} picks the pool: the
 * node it names, else the primary serving its key's slot (a replica of it for reads, with
 * `readFromReplicas`), else any primary. Limits: `maxConnections` counts the whole cluster by
 * default (one {@link ConnectionBudget} shared by the node pools, idle connections of one node
 * given up for another's waiters), or each node with `maxConnectionsPerNode: true`.
 *
 * The slot map comes from CLUSTER SHARDS (CLUSTER SLOTS on older servers), asked on a node's
 * shared connection — so refreshes open no connection of their own beyond the one a node's pool
 * has anyway (a start-up node that is not in the map is the exception: its pool is closed once
 * the map is read). A refresh runs at start, on MOVED, on CLUSTERDOWN, when a node cannot be
 * reached, and every `topologyRefreshInterval`; however many ask at once, one runs (`Topology`).
 *
 * Redirections ({@link ClusterConnectionPool.redirect}) are answered only for errors that prove
 * the request did not run — MOVED, ASK, TRYAGAIN, CLUSTERDOWN, a node that refused or lost the
 * request before it was written — so a redirected write still runs at most once.
 *
 * @module
 */
import type { BaseConnection, BaseConnectionOptions } from "../connection/base-connection.js";
import { TCPLocation } from "../connection/location.js";
import { requestOn } from "../connection/request.js";
import {
  AskError,
  ClusterDownError,
  ClusterError,
  ConnectionError,
  InvalidArgumentError,
  MovedError,
  ResponseError,
  TimeoutError,
  TryAgainError,
  type RedisError,
} from "../errors.js";
import { keySlot, SLOT_COUNT } from "../cluster/slot.js";
import { SlotMap, type ClusterNode, type Shard } from "../cluster/slot-map.js";
import { Topology, type NodeAddress } from "../cluster/topology.js";
import type { RedisArgument } from "../protocol/values.js";
import { assertDuration, assertInteger, assertOneOf } from "../internal/validate.js";
import { parseRedisUrl } from "../internal/url.js";
import { ConnectionBudget } from "./budget.js";
import { ConnectionPool } from "./connection-pool.js";
import { PoolLifetime } from "./lifetime.js";
import type { ConnectionClass, DefaultConnectionOptions } from "./pool-options.js";
import type { PoolStats } from "./stats.js";
import type { AcquireOptions, Lease, LeaseOptions, Redirect, RequestTarget, RouteHint } from "./target.js";


/** Told of a node pool's new connection and the node's address; see {@link ClusterConnectionPool.addConnectionListener}. */
export type ClusterConnectionListener = (connection: BaseConnection, node: string) => void;
export type { NodeAddress } from "../cluster/topology.js";
export type { ClusterNode, Shard } from "../cluster/slot-map.js";

/** Settings of the cluster pool itself. Durations are milliseconds. */
export interface ClusterPoolSettings {
  /** Nodes to read the topology from first (any node of the cluster will do). Or `host` and `port`. */
  startupNodes?: readonly NodeAddress[];
  /** One start-up node's host, when `startupNodes` is not given. @defaultValue "localhost" */
  host?: string;
  /** One start-up node's port, when `startupNodes` is not given. @defaultValue 7000 */
  port?: number;
  /**
   * Most connections open at once: across the whole cluster, or on each node with
   * `maxConnectionsPerNode`. A cluster-wide limit must leave each primary at least one.
   * @defaultValue 64
   */
  maxConnections?: number;
  /** `maxConnections` is each node's limit rather than the cluster's. @defaultValue false */
  maxConnectionsPerNode?: boolean;
  /** Milliseconds a request may wait for a connection before a `TimeoutError` (phase `pool`). @defaultValue wait forever */
  timeout?: number;
  /** Milliseconds an unused connection stays open. @defaultValue as for `ConnectionPool` */
  maxIdleTime?: number;
  /**
   * Send read-only commands (the table's READONLY flag) to replicas, over connections that sent
   * READONLY; a replica's MOVED sends them back to the primary. Writes, blocking commands and
   * subscriptions stay on primaries. @defaultValue false
   */
  readFromReplicas?: boolean;
  /** Redirections (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, unreachable node) one request follows before its error stands. @defaultValue 16 */
  maxRedirects?: number;
  /** Milliseconds between periodic topology refreshes. @defaultValue 30 000 */
  topologyRefreshInterval?: number;
}

/** Options of the built-in connections to cluster nodes: TCP (optionally TLS); the pool sets each node's location. */
export type ClusterNodeConnectionOptions = Omit<DefaultConnectionOptions, "location" | "host" | "port" | "unixSocketPath">;

/**
 * Options of a {@link ClusterConnectionPool}: its settings, and the options of its nodes'
 * connections (with a `connectionClass`, that class's options; each gets its node's `location`).
 */
export type ClusterConnectionPoolOptions<O extends BaseConnectionOptions = ClusterNodeConnectionOptions> = ClusterPoolSettings &
  NoInfer<Omit<O, "location">> & {
    /** The class of the nodes' connections; its options get `location` set to each node. @defaultValue TCPConnection */
    connectionClass?: ConnectionClass<O>;
  };

/** A snapshot of a cluster pool: totals over its node pools, and each node's own. */
export interface ClusterPoolStats extends PoolStats {
  /** Each node pool's snapshot, by address (`host:port`). */
  readonly nodes: ReadonlyMap<string, PoolStats>;
  /** Whether `maxConnections` is a per-node limit. */
  readonly maxConnectionsPerNode: boolean;
}

/** A read-only view of the cluster's topology as the pool last read it. */
export interface ClusterTopology {
  /** The shards (a primary, its replicas, its slot ranges). */
  readonly shards: readonly Shard[];
  /** Every primary. */
  readonly primaries: readonly ClusterNode[];
  /** Every replica. */
  readonly replicas: readonly ClusterNode[];
  /** The slot of a key (CRC16 of the key or its hash tag, modulo 16 384). */
  slotOf(key: RedisArgument): number;
  /** The primary serving a slot, if the map has one for it. */
  nodeForSlot(slot: number): ClusterNode | undefined;
  /** The primary serving a key's slot, if the map has one for it. */
  nodeForKey(key: RedisArgument): ClusterNode | undefined;
}

/** Settings keys that are the cluster pool's, not passed on to its nodes' connections. */
const CLUSTER_SETTING_KEYS: ReadonlySet<string> = new Set([
  "startupNodes",
  "host",
  "port",
  "maxConnections",
  "maxConnectionsPerNode",
  "timeout",
  "maxIdleTime",
  "readFromReplicas",
  "maxRedirects",
  "topologyRefreshInterval",
  "connectionClass",
]);
const DEFAULT_MAX_CONNECTIONS = 64;
const DEFAULT_MAX_REDIRECTS = 16;
const DEFAULT_REFRESH_INTERVAL_MS = 30_000;
/** How long one node may take to answer CLUSTER SHARDS (its connection included) before the next is asked. */
const REFRESH_ANSWER_MS = 2_000;
/** Refreshes asked for within this long of the last one's end wait until it has passed: a migration's MOVED storm reads the map a few times, not thousands. */
const REFRESH_SPACING_MS = 100;
/** Pauses between attempts of a request told to wait (TRYAGAIN, CLUSTERDOWN, a node unreachable): doubling from the first to the last. */
const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 200;

/** One shard's pools: where its slots' requests go. */
interface ShardRoute {
  readonly address: string;
  readonly primary: ConnectionPool<BaseConnectionOptions>;
  readonly replicas: readonly ConnectionPool<BaseConnectionOptions>[];
  /** The replica the next read goes to (round robin). */
  next: number;
}

/** No shard serves the slot. */
const NO_ROUTE = 0xffff;

/**
 * Each slot's shard route, as an index per slot into a short list: a lookup reads a typed array
 * and a small one, never a 16 384-element array of objects (which V8 may keep sparse).
 */
class SlotTable {
  readonly #index = new Uint16Array(SLOT_COUNT).fill(NO_ROUTE);
  readonly #routes: ShardRoute[] = [];

  /** The route of a slot, if a shard serves it. */
  get(slot: number): ShardRoute | undefined {
    const index = this.#index[slot] as number;
    return index === NO_ROUTE ? undefined : this.#routes[index];
  }

  /** `route` serves the slots `first` to `last`, both included. */
  fill(route: ShardRoute, first: number, last: number): void {
    let index = this.#routes.indexOf(route);
    if (index === -1) index = this.#routes.push(route) - 1;
    this.#index.fill(index, first, last + 1);
  }
}

/** `host:port`, the name of a node's pool. */
export function nodeAddress(node: NodeAddress): string {
  return `${node.host}:${node.port}`;
}

function parseAddress(address: string): NodeAddress {
  const colon = address.lastIndexOf(":");
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port)) throw new InvalidArgumentError(`"${address}" is not a node address (host:port)`);
  return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port };
}

/**
 * A blocking, multiplexing pool for a Redis Cluster: one pool per node behind the slot map; see
 * the module's description.
 *
 * @example
 * ```ts
 * import { ClusterConnectionPool, RedisCluster } from "coredis";
 *
 * const pool = new ClusterConnectionPool({ startupNodes: [{ host: "localhost", port: 7000 }], maxConnections: 8, maxConnectionsPerNode: true });
 * await using _ = await pool.connect(); // this scope owns the pool's lifetime
 * await using client = new RedisCluster({ connectionPool: pool });
 * await client.set("k", "v");
 * ```
 */
export class ClusterConnectionPool<O extends BaseConnectionOptions = ClusterNodeConnectionOptions> implements RequestTarget {
  /** {@link RequestTarget}: requests carry their keys, which pick the node. */
  readonly routesByKey = true;
  /** Most connections open at once, in the cluster or (with `maxConnectionsPerNode`) on each node. */
  readonly maxConnections: number;
  /** Whether `maxConnections` is each node's limit. */
  readonly maxConnectionsPerNode: boolean;
  /** Milliseconds a request waits for a connection before a `TimeoutError`, if set. */
  readonly timeoutMs: number | undefined;
  /** Milliseconds an unused connection stays open, if set. */
  readonly maxIdleTimeMs: number | undefined;
  /** Whether reads may go to replicas. */
  readonly readFromReplicas: boolean;
  /** Redirections one request follows at most. */
  readonly maxRedirects: number;

  readonly #topology: Topology;
  readonly #budget: ConnectionBudget | undefined;
  readonly #refreshIntervalMs: number;
  /** How to make a node's pool: the connection options with that node's location. */
  readonly #poolOptionsFor: (node: NodeAddress, replica: boolean) => Record<string, unknown>;
  /** Every node pool, by address, and the address of each. */
  readonly #pools = new Map<string, ConnectionPool<BaseConnectionOptions>>();
  #connectionListeners: readonly ClusterConnectionListener[] = [];
  readonly #addresses = new WeakMap<ConnectionPool<BaseConnectionOptions>, string>();
  /** The route of each slot (`undefined` while no shard serves it). */
  #slotRoutes = new SlotTable();
  /** The shards' routes, primaries' addresses as keys, in the map's order. */
  #shardRoutes = new Map<string, ShardRoute>();
  #refreshTimer: NodeJS.Timeout | undefined;
  #spacingTimer: NodeJS.Timeout | undefined;
  #lastRefreshEndMs = -Infinity;
  readonly #lifetime = new PoolLifetime({ open: () => this.#start(), shutDown: () => this.#shutDown() });

  constructor(options: ClusterConnectionPoolOptions<O> = {} as ClusterConnectionPoolOptions<O>) {
    assertInteger("maxConnections", options.maxConnections, 1);
    assertInteger("maxRedirects", options.maxRedirects, 0);
    assertInteger("port", options.port, 0, 65_535);
    assertDuration("timeout", options.timeout);
    assertDuration("maxIdleTime", options.maxIdleTime);
    assertDuration("topologyRefreshInterval", options.topologyRefreshInterval);
    assertOneOf("maxConnectionsPerNode", options.maxConnectionsPerNode, [true, false]);
    assertOneOf("readFromReplicas", options.readFromReplicas, [true, false]);
    const given = options as Record<string, unknown>;
    if (given.unixSocketPath !== undefined || given.location !== undefined) {
      throw new InvalidArgumentError("a cluster pool takes startupNodes (or host and port), not a location or unixSocketPath");
    }
    if (given.noreply === true) {
      // Its connections would answer nothing, the topology included.
      throw new InvalidArgumentError("noreply cannot be used on a cluster: the client must read the cluster's topology");
    }
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.maxConnectionsPerNode = options.maxConnectionsPerNode ?? false;
    this.timeoutMs = options.timeout;
    this.maxIdleTimeMs = options.maxIdleTime;
    this.readFromReplicas = options.readFromReplicas ?? false;
    this.maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.#refreshIntervalMs = options.topologyRefreshInterval ?? DEFAULT_REFRESH_INTERVAL_MS;
    this.#budget = this.maxConnectionsPerNode ? undefined : new ConnectionBudget(this.maxConnections);
    const startupNodes = options.startupNodes ?? [{ host: options.host ?? "localhost", port: options.port ?? 7000 }];
    for (const node of startupNodes) assertInteger("startupNodes port", node.port, 0, 65_535);

    const connectionOptions: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options)) {
      if (!CLUSTER_SETTING_KEYS.has(key)) connectionOptions[key] = value;
    }
    const handshake = (connectionOptions.handshakeCommands ?? []) as readonly (readonly RedisArgument[])[];
    const settings = {
      maxConnections: this.maxConnections,
      timeout: this.timeoutMs,
      maxIdleTime: this.maxIdleTimeMs,
      connectionClass: options.connectionClass,
    };
    this.#poolOptionsFor = (node, replica) => ({
      ...connectionOptions,
      ...settings,
      location: new TCPLocation(node.host, node.port),
      // A replica serves reads only to connections that said READONLY, before any request.
      ...(replica ? { handshakeCommands: [...handshake, ["READONLY"]] } : {}),
    });
    this.#topology = new Topology(startupNodes, { slotMap: (node) => this.#askSlotMap(node) });
  }

  /**
   * A pool for the cluster a URL names: `redis://[[user]:password@]host[:port][?query]` (or
   * `rediss://` for TLS), the host and port being a start-up node. The query takes what
   * `ConnectionPool.fromUrl` takes (`db` excepted: a cluster has one database); explicit options win.
   */
  static fromUrl(url: string, options: ClusterConnectionPoolOptions = {}): ClusterConnectionPool {
    return new ClusterConnectionPool(clusterOptionsFromUrl(url, options));
  }

  /** The topology as last read: shards, primaries, replicas, and the node for a key or slot. */
  get topology(): ClusterTopology {
    const map = this.#topology.map;
    const shards = map?.shards ?? [];
    return {
      shards,
      primaries: shards.map((shard) => shard.primary),
      replicas: shards.flatMap((shard) => shard.replicas),
      slotOf: keySlot,
      nodeForSlot: (slot) => map?.shardFor(slot)?.primary,
      nodeForKey: (key) => map?.shardFor(keySlot(key))?.primary,
    };
  }

  /** Topology refreshes completed (or failed) so far. */
  get refreshes(): number {
    return this.#topology.refreshes;
  }

  /** A snapshot: totals over the node pools, and each one's stats by address. */
  get stats(): ClusterPoolStats {
    const nodes = new Map<string, PoolStats>();
    const total = { open: 0, connecting: 0, retiring: 0, idle: 0, multiplexed: 0, dedicated: 0, waiters: 0, created: 0, closed: 0 };
    for (const [address, pool] of this.#pools) {
      const stats = pool.stats;
      nodes.set(address, stats);
      for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += stats[key];
    }
    return {
      ...total,
      references: this.#lifetime.references,
      owned: this.#lifetime.owned,
      nodes,
      maxConnectionsPerNode: this.maxConnectionsPerNode,
    };
  }

  /**
   * Enters the pool as its owner (as `ConnectionPool.connect`): reads the topology and connects
   * to every primary, in parallel. Its last `close()` ends the pool whoever borrows it.
   * @throws {ClusterError} naming each node asked and its own cause when no node gave a slot map.
   */
  async connect(): Promise<this> {
    await this.#lifetime.take(true);
    return this;
  }

  /** Ends an owner's reference; the last closes every node's pool (see `ConnectionPool.close`). */
  close(): Promise<void> {
    return this.#lifetime.close();
  }

  /** `await using pool = …`: the same as {@link ClusterConnectionPool.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** {@link RequestTarget}: a client's reference; the first one reads the topology. */
  borrow(): Promise<number> {
    return this.#lifetime.take(false);
  }

  /** {@link RequestTarget}: gives a client's reference back. */
  giveBack(token: number): Promise<void> {
    return this.#lifetime.giveBack(token);
  }

  /** {@link RequestTarget}: a shared connection of the node the route leads to, if it has one ready. */
  multiplexed(large: boolean, route?: RouteHint): BaseConnection | undefined {
    if (!this.#lifetime.isOpen) return undefined;
    return this.#poolFor(route).multiplexed(large);
  }

  /** {@link RequestTarget}: whether the connection is one of its node's shared connections. */
  isMultiplexed(connection: BaseConnection): boolean {
    return this.#poolOf(connection)?.isMultiplexed(connection) ?? false;
  }

  /** {@link RequestTarget}: waits for a connection on the node the route leads to. */
  acquire(options: AcquireOptions): Promise<BaseConnection> {
    if (!this.#lifetime.isOpen) return Promise.reject(this.#lifetime.closedError());
    return this.#poolFor(options.route).acquire(options);
  }

  /** {@link RequestTarget}: gives a dedicated connection back to its node's pool. */
  release(connection: BaseConnection): void {
    this.#poolOf(connection)?.release(connection);
  }

  /** {@link RequestTarget}: a lease on the node the route leads to (any primary without one). */
  lease(options: LeaseOptions = {}): Promise<Lease> {
    if (!this.#lifetime.isOpen) return Promise.reject(this.#lifetime.closedError());
    return this.#poolFor(options.route).lease(options);
  }

  /** {@link RequestTarget}: whether `connection` is on the node `route` leads to. */
  serves(connection: BaseConnection, route: RouteHint | undefined): boolean {
    return this.#poolOf(connection) === this.#poolFor(route);
  }

  /** {@link RequestTarget}: the address of the node the route leads to now. */
  locate(route: RouteHint | undefined): string {
    // The common case without a lookup: a primary serving the key's slot (pipelines group by this).
    if (route?.node === undefined && route?.key !== undefined && route.readOnly !== true) {
      const shard = this.#slotRoutes.get(keySlot(route.key));
      if (shard !== undefined) return shard.address;
    }
    return this.#addressOf(this.#poolFor(route));
  }

  #addressOf(pool: ConnectionPool<BaseConnectionOptions>): string {
    return this.#addresses.get(pool) ?? "";
  }

  /**
   * {@link RequestTarget}: MOVED updates the slot's owner (and refreshes the map) and sends the
   * request there; ASK sends it once to the importing node, after ASKING; TRYAGAIN waits and
   * tries again; CLUSTERDOWN and a node that cannot be reached (the request unwritten) refresh
   * the map, wait and try again — except a read a replica could not take, which goes to its
   * primary at once. Pauses double from 10 ms to 200 ms; after `maxRedirects` the error stands.
   * Nothing else is redirected: an error that may follow a write stays.
   */
  redirect(error: RedisError, redirects: number, route: RouteHint | undefined): Redirect | undefined {
    if (redirects >= this.maxRedirects || !this.#lifetime.isOpen) return undefined;
    const pause = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** redirects);
    if (error instanceof MovedError) {
      const address = nodeAddress(error);
      this.#moved(error.slot, address);
      return { delayMs: 0, node: address };
    }
    if (error instanceof AskError) return { delayMs: 0, node: nodeAddress(error), asking: true };
    if (error instanceof TryAgainError) return { delayMs: pause };
    if (error instanceof ConnectionError && !error.written && route?.readOnly === true && this.readFromReplicas) {
      // A read that could not reach a replica (down, or not yet known to be): its primary serves it.
      this.refreshSoon();
      const shard = route.key === undefined ? undefined : this.#slotRoutes.get(keySlot(route.key));
      return { delayMs: shard === undefined ? pause : 0, node: shard?.address };
    }
    if (error instanceof ClusterDownError || (error instanceof ConnectionError && !error.written)) {
      this.refreshSoon();
      return { delayMs: pause };
    }
    return undefined;
  }

  /** Reads the topology again soon (sharing a refresh in flight); failures wait for the next ask. */
  refreshSoon(): void {
    if (!this.#lifetime.isOpen || this.#spacingTimer !== undefined) return;
    const waitMs = this.#lastRefreshEndMs + REFRESH_SPACING_MS - performance.now();
    if (waitMs <= 0) {
      this.refresh().catch(() => undefined);
      return;
    }
    this.#spacingTimer = setTimeout(() => {
      this.#spacingTimer = undefined;
      this.refresh().catch(() => undefined);
    }, waitMs);
    this.#spacingTimer.unref();
  }

  /**
   * Reads the topology now (sharing a refresh in flight) and routes by it.
   * @throws {ClusterError} naming each node asked and its own cause when none gave a slot map.
   */
  async refresh(): Promise<void> {
    try {
      const map = await this.#topology.refresh();
      if (this.#lifetime.isOpen) this.#apply(map);
    } finally {
      this.#lastRefreshEndMs = performance.now();
    }
  }

  /** The lifetime's opening: the map, then every primary connected in parallel (each within its connect timeout). */
  async #start(): Promise<void> {
    await this.refresh();
    const primaries = [...this.#shardRoutes.values()].map((route) => route.primary);
    if (primaries.length === 0) throw new ClusterError("the cluster's slot map names no primary");
    if (!this.maxConnectionsPerNode && this.maxConnections < primaries.length) {
      throw new InvalidArgumentError(
        `maxConnections (${this.maxConnections}) is below the cluster's ${primaries.length} primaries; raise it, or set maxConnectionsPerNode`,
      );
    }
    // A node that cannot be reached now fails only the requests that go there.
    await Promise.allSettled(primaries.map((pool) => pool.acquire({ dedicated: false })));
    this.#refreshTimer = setInterval(() => this.refreshSoon(), this.#refreshIntervalMs);
    this.#refreshTimer.unref();
  }

  async #shutDown(): Promise<void> {
    clearInterval(this.#refreshTimer);
    clearTimeout(this.#spacingTimer);
    this.#refreshTimer = undefined;
    this.#spacingTimer = undefined;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    this.#shardRoutes = new Map();
    this.#slotRoutes = new SlotTable();
    await Promise.all(pools.map((pool) => this.#drop(pool)));
  }

  /** Closes a node pool this cluster pool owns (it leaves the budget as it closes). */
  async #drop(pool: ConnectionPool<BaseConnectionOptions>): Promise<void> {
    await pool.close();
  }

  /** Routes by a new slot map: each shard's pools, each slot's route; pools of nodes no longer in it are closed. */
  #apply(map: SlotMap): void {
    const routes = new Map<string, ShardRoute>();
    const slotRoutes = new SlotTable();
    for (const shard of map.shards) {
      const address = nodeAddress(shard.primary);
      const replicas = this.readFromReplicas
        ? shard.replicas.filter((replica) => replica.healthy).map((replica) => this.#poolAt(nodeAddress(replica), true))
        : [];
      const route: ShardRoute = { address, primary: this.#poolAt(address, false), replicas, next: 0 };
      routes.set(address, route);
      for (const [first, last] of shard.ranges) slotRoutes.fill(route, first, last);
    }
    this.#shardRoutes = routes;
    this.#slotRoutes = slotRoutes;
    const known = new Set(map.nodes.map(nodeAddress));
    for (const [address, pool] of this.#pools) {
      if (known.has(address)) continue;
      this.#pools.delete(address);
      void this.#drop(pool);
    }
  }

  /** MOVED: the slot is served by `address` now (until the next map says otherwise); the map is read again. */
  #moved(slot: number, address: string): void {
    if (!(slot >= 0 && slot < SLOT_COUNT)) return;
    let route = this.#shardRoutes.get(address);
    if (route === undefined) {
      route = { address, primary: this.#poolAt(address, false), replicas: [], next: 0 };
      this.#shardRoutes.set(address, route);
    }
    this.#slotRoutes.fill(route, slot, slot);
    this.refreshSoon();
  }

  /** The pool a route leads to: its node, else its key's shard (a replica for reads when allowed), else the first primary. */
  #poolFor(route: RouteHint | undefined): ConnectionPool<BaseConnectionOptions> {
    if (route !== undefined) {
      if (route.node !== undefined) return this.#poolAt(route.node, false);
      if (route.key !== undefined) {
        const shard = this.#slotRoutes.get(keySlot(route.key));
        if (shard !== undefined) {
          const replicas = shard.replicas;
          if (route.readOnly !== true || replicas.length === 0) return shard.primary;
          shard.next = (shard.next + 1) % replicas.length;
          return replicas[shard.next] as ConnectionPool<BaseConnectionOptions>;
        }
      }
    }
    const first = this.#shardRoutes.values().next();
    if (!first.done) return first.value.primary;
    const [startup] = this.#topology.candidates();
    return this.#poolAt(nodeAddress(startup as NodeAddress), false);
  }

  /** The pool of the node at `address`, made (and opened) on first use. */
  #poolAt(address: string, replica: boolean): ConnectionPool<BaseConnectionOptions> {
    const existing = this.#pools.get(address);
    if (existing !== undefined) return existing;
    const pool = new ConnectionPool<BaseConnectionOptions>(this.#poolOptionsFor(parseAddress(address), replica), this.#budget);
    // Owned by this pool, and open at once (a new pool has no close in progress, so the reference
    // is taken before `open()` returns its promise); connections open as requests need them.
    void pool.open();
    for (const listener of this.#connectionListeners) this.#tellOf(pool, address, listener);
    this.#pools.set(address, pool);
    this.#addresses.set(pool, address);
    return pool;
  }

  /**
   * Tells `listener` of every connection any node pool opens (with the node's address), once its
   * handshake is done and before it is lent; see {@link ConnectionPool.addConnectionListener}.
   * Node pools made later get the listener too. Returns the function that removes it.
   */
  addConnectionListener(listener: ClusterConnectionListener): () => void {
    this.#connectionListeners = [...this.#connectionListeners, listener];
    for (const [address, pool] of this.#pools) this.#tellOf(pool, address, listener);
    return () => {
      this.#connectionListeners = this.#connectionListeners.filter((candidate) => candidate !== listener);
    };
  }

  /** Passes a node pool's connections to a listener while it is still registered here. */
  #tellOf(pool: ConnectionPool<BaseConnectionOptions>, address: string, listener: ClusterConnectionListener): void {
    const remove = pool.addConnectionListener((connection) => {
      if (this.#connectionListeners.includes(listener)) listener(connection, address);
      else remove();
    });
  }

  /** The node pool a connection belongs to (each pool observes its own connections). */
  #poolOf(connection: BaseConnection): ConnectionPool<BaseConnectionOptions> | undefined {
    const observer = connection.observer;
    return observer instanceof ConnectionPool ? observer : undefined;
  }

  /** {@link TopologySource}: one node's slot map, asked on its shared connection, within {@link REFRESH_ANSWER_MS}. */
  async #askSlotMap(node: NodeAddress): Promise<SlotMap> {
    const pool = this.#poolAt(nodeAddress(node), false);
    const ask = async (): Promise<SlotMap> => {
      const connection = await pool.acquire({ dedicated: false, timeoutMs: REFRESH_ANSWER_MS });
      try {
        return SlotMap.fromShards(await requestOn(connection, ["CLUSTER", "SHARDS"]));
      } catch (error) {
        // CLUSTER SHARDS is Redis 7's; older servers answer CLUSTER SLOTS.
        if (!(error instanceof ResponseError) || !/unknown (sub)?command/i.test(error.message)) throw error;
        return SlotMap.fromSlots(await requestOn(connection, ["CLUSTER", "SLOTS"]));
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TimeoutError(`${nodeAddress(node)} did not give its slot map within ${REFRESH_ANSWER_MS} ms`, "reply")),
        REFRESH_ANSWER_MS,
      );
    });
    try {
      return await Promise.race([ask(), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The options of a cluster pool from a URL's: its host and port as the start-up node. */
export function clusterOptionsFromUrl<T extends ClusterPoolSettings>(url: string, options: T): T {
  const { host, port, db, poolTimeout, unixSocketPath, ...fromUrl } = parseRedisUrl(url);
  if (unixSocketPath !== undefined) throw new InvalidArgumentError("a cluster URL names a TCP host, not a Unix socket");
  if (db !== undefined && db !== 0) throw new InvalidArgumentError("a cluster has only database 0");
  return {
    ...fromUrl,
    ...(options.startupNodes === undefined ? { startupNodes: [{ host: host ?? "localhost", port: port ?? 6379 }] } : {}),
    ...(poolTimeout === undefined ? {} : { timeout: poolTimeout }),
    ...options,
  };
}
