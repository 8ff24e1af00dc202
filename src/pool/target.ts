/**
 * The seam between a client and its pools: "where requests go".
 *
 * A client (and the features that hold connections: pipelines, transactions, pubsub) talks to one
 * {@link RequestTarget}, never to a concrete pool. It asks for a shared connection for a request
 * (the fast path, without a promise), waits for one when there is none, or takes a {@link Lease}:
 * a connection for one owner across many requests. Each ask carries a {@link RouteHint} — the
 * request's first key and whether it only reads — which a single-server pool ignores and a
 * slot-routed set of node pools uses to pick the node.
 *
 * ```
 *             client (order per key, retries)      pipeline · transaction · pubsub
 *                         │  multiplexed / acquire / release      │  lease
 *                         ▼                                       ▼
 *                 ┌──────────────────── RequestTarget ─────────────────────┐
 *                 │ ConnectionPool: one server (standalone: the one-node   │
 *                 │   case; sentinel: the server replaced on failover)     │
 *                 │ cluster: a slot map over node pools (the hint's key)   │
 *                 └────────────────────────────────────────────────────────┘
 * ```
 * Batches that fit one write need no lease: the client sends them contiguously on its shared
 * connection when program order allows (see `client/shared-batch.ts`); leases are for the work
 * that must own a connection — blocking calls, long batches, WATCH, subscriptions, MONITOR.
 *
 * Connections carry what features add to them without the client's help: push messages go to
 * any number of listeners (`BaseConnection.addPushListener`), and the handshake takes extra
 * commands (`handshakeCommands`) that complete before any request is written.
 *
 * @module
 */
import type { BaseConnection } from "../connection/base-connection.js";
import type { RedisError } from "../errors.js";
import type { RedisArgument } from "../protocol/values.js";

/** What a target may route a request by; a single-server pool ignores it. */
export interface RouteHint {
  /** The first key the request names (its slot picks a cluster node), if any. */
  readonly key?: RedisArgument | undefined;
  /** The request only reads: a replica may serve it when the target allows. */
  readonly readOnly?: boolean | undefined;
  /**
   * A server by address (`host:port`): the request goes there whatever its key — a client for
   * one node (`forNode`), one leg of a fanned-out command, a request an ASK sent there.
   */
  readonly node?: string | undefined;
}

/**
 * A target's answer to an error that says "not here, not now" — a cluster's MOVED, ASK,
 * TRYAGAIN, CLUSTERDOWN, or a node that cannot be reached: send the request again after
 * `delayMs`, to `node` when given. Only errors that prove the request did not run get one, so
 * a redirected write still runs at most once.
 */
export interface Redirect {
  /** Milliseconds to wait before sending again. */
  readonly delayMs: number;
  /** The server to send it to next (`host:port`); else wherever its route leads then. */
  readonly node?: string | undefined;
  /** ASKING must precede it there, on the same connection (an ASK redirection). */
  readonly asking?: boolean | undefined;
}

/** How to wait for a connection. */
export interface AcquireOptions {
  /** A connection for this caller alone (blocking commands, pipelines, pubsub) rather than a shared one. */
  dedicated: boolean;
  /** Gives up waiting when it fires; the request never reaches Redis. */
  signal?: AbortSignal | undefined;
  /** Milliseconds to wait at most; the smaller of this and the pool's `timeout` applies. */
  timeoutMs?: number | undefined;
  /**
   * The request moves a large value (written or expected back): keep it off the connections
   * small requests use. Only for shared connections. @defaultValue false
   */
  large?: boolean | undefined;
  /** Where the request should go, for targets with more than one server. */
  route?: RouteHint | undefined;
}

/** How to wait for a lease: as for any dedicated connection. */
export type LeaseOptions = Omit<AcquireOptions, "dedicated" | "large">;

/**
 * A connection held by one owner (a pipeline, a transaction with WATCH, a pubsub instance,
 * MONITOR) across many requests. It counts against the pool's `maxConnections` from the moment
 * it is granted until it is released or destroyed; both are idempotent, and the first one wins.
 */
export interface Lease {
  /** The leased connection. Send requests on it while the lease is held; never after. */
  readonly connection: BaseConnection;
  /** Whether the lease is still held (neither released nor destroyed). */
  readonly isHeld: boolean;
  /**
   * Gives the connection back for others to use. Give back only a connection left as it was
   * lent: no subscription, no MULTI or WATCH in force, nothing in flight; otherwise destroy it.
   */
  release(): void;
  /** Closes the connection at once (its state cannot be trusted, or cannot be undone); its slot frees itself. */
  destroy(error?: Error): void;
}

/**
 * Where a client's requests go; see the module's description. `ConnectionPool` is the one-server
 * implementation. The methods besides {@link RequestTarget.lease} are the client's fast path: a
 * feature should use leases.
 */
export interface RequestTarget {
  /**
   * Whether requests should carry a {@link RouteHint}: true for a target of several servers.
   * A single-server target says false, and its clients skip working the hint out.
   */
  readonly routesByKey: boolean;
  /** Takes a client's reference; resolves to a token for {@link RequestTarget.giveBack}. */
  borrow(): Promise<number>;
  /** Gives a client's reference back; a token from before the target was last closed is ignored. */
  giveBack(token: number): Promise<void>;
  /**
   * The shared connection a request should use now, without waiting, or `undefined` when there
   * is none yet (then {@link RequestTarget.acquire}).
   */
  multiplexed(large: boolean, route?: RouteHint): BaseConnection | undefined;
  /** Whether `connection` still takes shared requests. */
  isMultiplexed(connection: BaseConnection): boolean;
  /** Waits, first come first served, for a shared or a dedicated connection. */
  acquire(options: AcquireOptions): Promise<BaseConnection>;
  /** Gives back a dedicated connection from {@link RequestTarget.acquire}. */
  release(connection: BaseConnection): void;
  /** Waits, first come first served with dedicated requests, for a connection held across many requests. */
  lease(options: LeaseOptions): Promise<Lease>;
  /**
   * Whether `connection` serves requests routed by `route` (the same server): a request may
   * follow calls on its keys onto another connection only if that one serves it.
   */
  serves(connection: BaseConnection, route: RouteHint | undefined): boolean;
  /**
   * The server a route leads to now (`host:port` for a cluster node; a single-server target
   * names its one server): what groups a batch's commands by node.
   */
  locate(route: RouteHint | undefined): string;
  /**
   * Where and when to send again a request that failed with `error`, after `redirects` earlier
   * redirections; `undefined` when the error stands. A single-server target never redirects.
   */
  redirect(error: RedisError, redirects: number, route: RouteHint | undefined): Redirect | undefined;
}

/**
 * What a feature that holds connections (pubsub, MONITOR) needs of its client: a lease, taken
 * once the client is connected (connecting it first, as any command would).
 */
export interface LeaseSource {
  /** Connects the client if needed, then leases a connection from its target. */
  lease(options?: LeaseOptions): Promise<Lease>;
}
