/**
 * What pipelines and transactions need of the client that made them. The client implements it;
 * this layer never imports the client.
 *
 * @module
 */
import type { RedisError } from "../errors.js";
import type { BaseConnection } from "../connection/base-connection.js";
import type { LeaseOptions, Redirect, RouteHint } from "../pool/target.js";
import type { RedisArgument } from "../protocol/values.js";
import type { BatchOutcome, ShareableBatch } from "./batch.js";

/**
 * A leased connection that also holds a place in the client's program order per key: calls the
 * client issued earlier on the batch's keys have run; calls issued later on them wait until the
 * lease ends (or, for a WATCH, until it is granted).
 */
export interface OrderedLease {
  /** The connection currently leased. */
  readonly connection: BaseConnection;
  /**
   * Swaps a connection that was lost for a fresh one, keeping the place in the order (a retried
   * batch still runs before the calls issued after it).
   */
  renew(): Promise<BaseConnection>;
  /** Ends the lease: the connection goes back to the pool (or, if it closed, its slot frees itself). */
  release(): void;
  /** Ends the lease and closes the connection (its state cannot be trusted). */
  destroy(error?: RedisError): void;
}

/** How a batch's turn came: sent on a shared connection (its outcome to come), or with a lease to send it on. */
export type BatchTurn = { readonly outcome: Promise<BatchOutcome>; readonly lease?: undefined } | { readonly lease: OrderedLease; readonly outcome?: undefined };

/** The client side of pipelines and transactions. */
export interface PipelineHost {
  /**
   * Leases a connection in program order: once every call the client issued before on `keys`
   * (`undefined`: the batch may touch any key) has run. Registers its place at once, so a call
   * issued right after this one is ordered after the batch. `holdOrder`: later calls on `keys`
   * wait until the lease ends (a pipeline); otherwise only until it is granted (a WATCH, whose
   * callback may itself write its keys through the client).
   */
  leaseInOrder(keys: readonly RedisArgument[] | undefined, holdOrder: boolean, options: LeaseOptions): Promise<OrderedLease>;
  /**
   * Takes a batch's place in program order, as {@link PipelineHost.leaseInOrder} does (later calls
   * on its keys wait until it is done), and when its turn comes sends it on a shared connection
   * if `shareable` is given and it may go there — contiguous, in one write, its
   * commands then tracked one by one as plain calls are, never retried — or else leases a
   * connection for it. A batch that may go on a shared connection at once never waits at all.
   */
  takeTurn(keys: readonly RedisArgument[] | undefined, shareable: ShareableBatch | undefined, options: LeaseOptions): Promise<BatchTurn>;
  /**
   * The retry policy's answer for a batch lost with its connection: milliseconds to wait before
   * sending it again, or `undefined` to fail it. `readOnly`: every command in it only reads.
   */
  retryDelayMs(error: RedisError, attempts: number, readOnly: boolean): number | undefined;
  /** Whether the client's target has several servers: batches are then split by node (see `cluster-batch.ts`). */
  readonly routed: boolean;
  /** The server a route leads to now (`RequestTarget.locate`). */
  locate(route: RouteHint | undefined): string;
  /** The target's redirection for an error, as for a single request (`RequestTarget.redirect`). */
  redirect(error: RedisError, redirects: number, route: RouteHint | undefined): Redirect | undefined;
}
