/**
 * Leases in program order per key: how a pipeline or a transaction takes its place among the
 * client's calls (see `key-order.ts` and `PipelineHost.leaseInOrder`).
 *
 * A {@link LeaseTicket} stands for the batch in the client's {@link KeyOrder}, as a dedicated call
 * naming every key of the batch would: it waits (in the order's FIFO) for the calls issued before
 * it on those keys, then for the pool like any dedicated request; from then on it is tracked on
 * its leased connection, so calls issued after it on those keys wait until the ticket is done —
 * when the lease ends (a pipeline), or as soon as it is granted (a WATCH).
 *
 * @module
 */
import { KeyScope } from "../commands/keys.js";
import type { BaseConnection } from "../connection/base-connection.js";
import { Request, RequestState } from "../connection/request.js";
import { AbortError, type RedisError, TimeoutError } from "../errors.js";
import type { BatchOutcome, ShareableBatch } from "../pipeline/batch.js";
import type { OrderedLease } from "../pipeline/host.js";
import type { Lease, LeaseOptions, RequestTarget } from "../pool/target.js";
import type { RedisArgument } from "../protocol/values.js";
import type { KeyOrder, OrderedRequest, OrderHome, Place } from "./key-order.js";

const TICKET_ARGV: readonly RedisArgument[] = ["LEASE"];

/** A batch's place in its client's program order; never written to any connection. */
export class LeaseTicket extends Request implements OrderedRequest {
  place: Place | undefined = undefined;
  epoch = -1;
  home: OrderHome | undefined = undefined;
  /** Set once the ticket's turn came and the target was asked: the target's own wait applies then. */
  asked = false;
  /**
   * The batch's commands, when it may go on a shared connection at its turn instead of a lease
   * (see `PipelineHost.takeTurn`); `sentShared` then receives its outcome.
   */
  shareable: ShareableBatch | undefined = undefined;
  sentShared: ((outcome: Promise<BatchOutcome>) => void) | undefined = undefined;
  readonly #deadlineMs: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #onAbort: (() => void) | undefined;

  constructor(
    readonly batchKeys: readonly RedisArgument[] | undefined,
    /** Whether later calls on its keys wait until the lease ends (else until it is granted). */
    readonly holdOrder: boolean,
    readonly options: LeaseOptions,
    readonly granted: (lease: OrderedLease) => void,
    readonly failed: (error: RedisError) => void,
  ) {
    super(TICKET_ARGV, true, undefined, ignore, true);
    this.#deadlineMs = options.timeoutMs === undefined ? undefined : performance.now() + options.timeoutMs;
  }

  /**
   * Bounds the wait in the order by the lease's `timeoutMs` and `signal`, as the pool bounds its
   * own: `expire` is called (once) if either comes first while the ticket still waits its turn.
   */
  arm(expire: (error: RedisError) => void): void {
    const { signal, timeoutMs } = this.options;
    const fire = (error: RedisError): void => {
      if (this.asked || this.isDone) return;
      this.disarm();
      expire(error);
    };
    if (signal !== undefined) {
      if (signal.aborted) {
        fire(new AbortError("the batch was aborted before it was sent", false, { cause: signal.reason }));
        return;
      }
      this.#onAbort = () => fire(new AbortError("the batch was aborted while waiting for earlier calls on its keys", false, { cause: signal.reason }));
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(() => {
        fire(new TimeoutError(`no connection for the batch within ${timeoutMs} ms: earlier calls on its keys were still running`, "pool"));
      }, timeoutMs);
    }
  }

  disarm(): void {
    clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.options.signal?.removeEventListener("abort", this.#onAbort);
    this.#onAbort = undefined;
  }

  /** The lease options with the time left before the ticket's deadline. */
  remainingOptions(): LeaseOptions {
    if (this.#deadlineMs === undefined) return this.options;
    return { ...this.options, timeoutMs: Math.max(0, this.#deadlineMs - performance.now()) };
  }

  /** The scope it takes in the order: its keys, or any key, or none. */
  get scope(): KeyScope {
    const keys = this.batchKeys;
    if (keys === undefined) return KeyScope.Any;
    return keys.length === 0 ? KeyScope.None : KeyScope.Keys;
  }

  get dedicated(): boolean {
    return true;
  }

  get holdsOrder(): boolean {
    return this.holdOrder;
  }

  keys(): readonly RedisArgument[] | undefined {
    return this.batchKeys;
  }

  override fail(error: RedisError): void {
    if (this.isDone) return;
    this.state = RequestState.Settled;
    this.disarm();
    this.failed(error);
  }
}

/**
 * Asks the target for the ticket's lease (its turn in the order has come) and hands it to the
 * batch, tracked where the connection is.
 */
export function grantLease(ticket: LeaseTicket, order: KeyOrder<OrderedRequest>, target: RequestTarget): void {
  ticket.asked = true;
  leaseRedirected(target, () => ticket.remainingOptions(), () => ticket.isDone).then(
    (lease) => {
      ticket.disarm();
      order.placed(ticket, lease.connection);
      if (!ticket.holdOrder) order.done(ticket);
      ticket.state = RequestState.Settled;
      ticket.granted(new ClientOrderedLease(ticket, order, target, lease));
    },
    (error: unknown) => {
      order.done(ticket);
      ticket.fail(error as RedisError);
    },
  );
}

/**
 * A lease from `target`, asked for again when a connection could not be opened and the target
 * says when to try (a node down, a sentinel's failover under way), until `givenUp()` or the
 * target says no more. `options()` is read at each ask (a deadline shrinks).
 */
async function leaseRedirected(target: RequestTarget, options: () => LeaseOptions, givenUp: () => boolean): Promise<Lease> {
  for (let redirects = 0; ; redirects++) {
    const asked = options();
    try {
      return await target.lease(asked);
    } catch (error) {
      const redirect = givenUp() ? undefined : target.redirect(error as RedisError, redirects, asked.route);
      if (redirect === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, redirect.delayMs));
      if (givenUp()) throw error;
    }
  }
}

/** A lease that gives the ticket's place in the order back when it ends. */
class ClientOrderedLease implements OrderedLease {
  #lease: Lease;
  #ended = false;

  constructor(
    readonly ticket: LeaseTicket,
    readonly order: KeyOrder<OrderedRequest>,
    readonly target: RequestTarget,
    lease: Lease,
  ) {
    this.#lease = lease;
  }

  get connection(): BaseConnection {
    return this.#lease.connection;
  }

  async renew(): Promise<BaseConnection> {
    // The ticket stays tracked on the lost connection, which takes no shared request: calls
    // after the batch on its keys keep waiting for it.
    this.#lease.destroy();
    const options = { signal: this.ticket.options.signal, route: this.ticket.options.route };
    this.#lease = await leaseRedirected(this.target, () => options, () => false);
    if (this.#ended) this.#lease.release();
    return this.#lease.connection;
  }

  release(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#lease.release();
    this.order.done(this.ticket);
  }

  destroy(error?: RedisError): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#lease.destroy(error);
    this.order.done(this.ticket);
  }
}

function ignore(): void {}
