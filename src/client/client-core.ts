/**
 * `ClientCore`: what every view of one client shares — its pool reference, its life cycle, its
 * retry policy — and the dispatch of commands onto pool connections.
 *
 * A command's journey: `execute()` makes a {@link ClientRequest}; `dispatch()` puts it on the
 * least busy shared connection at once (the fast path, no promise besides the caller's), or asks
 * the pool and waits. Dedicated requests hold their connection until their reply, then release it.
 * Between the pool's offer and the send stands the client's {@link KeyOrder}: program order per
 * key, free while the client's keyed calls in flight share one connection (see `key-order.ts`).
 * Retries go through the order too, so a retried call keeps its place among calls on its keys.
 *
 * @module
 */
import type { CommandSpec } from "../commands/command-spec.js";
import { CommandFlag } from "../commands/command-spec.js";
import { commandSpecForArgv } from "../commands/generated/table.js";
import { commandKeys, firstKey, KeyScope, keyScope, keyString } from "../commands/keys.js";
import type { BaseConnection } from "../connection/base-connection.js";
import { rejection, Request, RequestLane, RequestState } from "../connection/request.js";
import { AbortError, ClientClosedError, ConnectionError, InvalidArgumentError, RedisError, TimeoutError } from "../errors.js";
import type { Lease, LeaseOptions, LeaseSource, Redirect, RequestTarget, RouteHint } from "../pool/target.js";
import type { RedisArgument, ReplyTransform } from "../protocol/values.js";
import type { Planner } from "../cache/caching-planner.js";
import type { ClientCache } from "../cache/client-cache.js";
import type { WriteObserver } from "../cache/tracking.js";
import { type BatchOutcome, gatesPassed, sendBatch, type ShareableBatch } from "../pipeline/batch.js";
import type { BatchTurn, OrderedLease, PipelineHost } from "../pipeline/host.js";
import { ACQUIRING, KeyOrder, type OrderedRequest, type OrderHome, type OrderHost, type Place } from "./key-order.js";
import { grantLease, LeaseTicket } from "./ordered-lease.js";
import { SharedBatchRequest, sharedBatchRequests } from "./shared-batch.js";
import type { RetryPolicy } from "./retry.js";

/** Per-call options, given through `client.withOptions(…)`. */
export interface CallOptions {
  /** Abandons the call when it fires: before the write it never reaches Redis. */
  signal?: AbortSignal;
  /**
   * Milliseconds the whole call may take (waiting for a connection included) before it fails with
   * a `TimeoutError`. A blocking command that times out closes its connection, so Redis stops too.
   */
  timeout?: number;
  /**
   * Client-side caching, for a client made with `cache`: `false` neither answers the call from
   * the cache nor caches its reply (a write still invalidates what it names); `{ ttl }` caps how
   * many milliseconds the reply it caches may be served. Ignored without a cache.
   */
  cache?: false | { readonly ttl: number };
}

/**
 * Call options with the node a client view sends to (`forNode`, the legs of a fanned-out
 * command): not public, since only the cluster client knows its nodes' addresses.
 */
export interface RoutedCallOptions extends CallOptions {
  /** The server's address (`host:port`) the call goes to, whatever its keys. */
  readonly node?: string | undefined;
  /** Told each time the call's request is put on a connection (client-side caching: see `WriteObserver`). */
  readonly writeObserver?: WriteObserver | undefined;
}

/**
 * Bytes of arguments (after the command name; string lengths, as UTF-16 units) from which a
 * request counts as large and goes on the pool's bulk lane, and the size of a string reply from
 * which its key is remembered as holding a large value. About one socket read: a small reply
 * queued behind a value this large waits at least one more read for it.
 */
export const LARGE_VALUE_BYTES = 64 * 1024;
/** Keys remembered as holding large values, at most; past this the oldest is forgotten. */
const LARGE_KEYS_REMEMBERED = 1024;
/** Longer "keys" are not remembered: the first argument is sometimes the large value itself (ECHO). */
const LARGE_KEY_MAX_CHARS = 1024;

/**
 * How a client turns one command into requests. The core is its own planner (one command, one
 * request); a cluster client's fans keyless commands out to its nodes and splits multi-key
 * commands by slot, each request it makes going through {@link ClientCore.execute}; a client with
 * a cache wraps either (see `cache/caching-planner.ts`).
 */
export type CommandPlanner = Planner<RoutedCallOptions>;

const ClientState = { Idle: 0, Connected: 1, Closed: 2 } as const;
type ClientState = (typeof ClientState)[keyof typeof ClientState];

/** The shared state and dispatch of one client and all its views. */
export class ClientCore implements OrderHost<OrderedRequest>, LeaseSource, PipelineHost, CommandPlanner {
  #state: ClientState = ClientState.Idle;
  /** Program order per key across this client's connections (see `key-order.ts`). */
  readonly order: KeyOrder<OrderedRequest> = new KeyOrder<OrderedRequest>(this);
  #connecting: Promise<void> | undefined;
  /** The target's token for this client's reference (see `RequestTarget.borrow`). */
  #poolToken = 0;
  /**
   * Keys (a request's first argument after the command name) last seen holding a large value,
   * oldest first: requests naming one go on the bulk lane, so that reading a large value back
   * does not hold up small replies either. Only routing depends on it: a wrong guess costs a
   * request the other lane, nothing else.
   */
  readonly #largeKeys = new Set<string>();

  /** Whether requests carry a route (the target has several servers): see `RequestTarget.routesByKey`. */
  readonly routed: boolean;
  /** Turns the client's commands into requests: the core itself, or a cluster's fan-out and splitting. */
  planner: CommandPlanner = this;
  /** The client-side cache, for a client made with `cache` (its planner then wraps the one before). */
  cache: ClientCache | undefined = undefined;

  /**
   * @param captureCallerStack - keep the stack of the code that made each call, so that a
   *   failure shows where the call came from rather than only the reply decoder's frames. Costs
   *   a stack capture per call (about 5 µs here, several times a whole multiplexed command), so
   *   it is off unless asked for.
   */
  constructor(
    readonly target: RequestTarget,
    readonly retryPolicy: RetryPolicy,
    readonly captureCallerStack = false,
  ) {
    this.routed = target.routesByKey;
  }

  /** Whether `connect()` has completed and `close()` has not been called. */
  get isConnected(): boolean {
    return this.#state === ClientState.Connected;
  }

  /** Takes this client's reference on the pool. Idempotent; a closed client may connect again. */
  connect(): Promise<void> {
    if (this.#state === ClientState.Connected) return Promise.resolve();
    this.#connecting ??= this.target.borrow().then(
      (token) => {
        this.#poolToken = token;
        this.#state = ClientState.Connected;
      },
      (error: unknown) => {
        this.#connecting = undefined;
        throw error;
      },
    );
    return this.#connecting;
  }

  /** Gives this client's reference back. Commands after it fail with {@link ClientClosedError}. */
  async close(): Promise<void> {
    if (this.#connecting !== undefined && this.#state !== ClientState.Connected) {
      await this.#connecting.catch(() => undefined);
    }
    const wasConnected = this.#state === ClientState.Connected;
    this.#state = ClientState.Closed;
    this.cache?.detach();
    this.#connecting = undefined;
    if (wasConnected) await this.target.giveBack(this.#poolToken);
  }

  /** {@link LeaseSource}: connects first when needed, then leases a connection for one owner. */
  async lease(options: LeaseOptions = {}): Promise<Lease> {
    if (this.#state === ClientState.Closed) throw new ClientClosedError("the client is closed; call connect() to use it again");
    if (this.#state !== ClientState.Connected) await this.connect();
    return this.target.lease(options);
  }

  /**
   * {@link PipelineHost}: a lease in program order (see `ordered-lease.ts`). Its place is taken
   * now, or, while the client connects, in the order its calls were made.
   */
  leaseInOrder(keys: readonly RedisArgument[] | undefined, holdOrder: boolean, options: LeaseOptions): Promise<OrderedLease> {
    return new Promise((resolve, reject) => this.#enterTicket(new LeaseTicket(keys, holdOrder, options, resolve, reject)));
  }

  /** {@link PipelineHost}: a batch's turn in the order, on a shared connection when it may (see `shared-batch.ts`). */
  takeTurn(keys: readonly RedisArgument[] | undefined, shareable: ShareableBatch | undefined, options: LeaseOptions): Promise<BatchTurn> {
    // The fast path: nothing of this client's in flight stands in the way; no ticket at all.
    const outcome =
      shareable === undefined ? undefined : this.#sendShared(shareable, options.route, (connection) => this.order.admitsBatch(connection, shareable.calls));
    if (outcome !== undefined) return Promise.resolve({ outcome });
    return new Promise((resolve, reject) => {
      const ticket = new LeaseTicket(keys, true, options, (lease) => resolve({ lease }), reject);
      ticket.shareable = shareable;
      ticket.sentShared = (sent) => resolve({ outcome: sent });
      this.#enterTicket(ticket);
    });
  }

  /** Puts a ticket in the order, bounded by its timeout and signal; once connected when the client is not yet. */
  #enterTicket(ticket: LeaseTicket): void {
    ticket.arm((error) => {
      this.order.done(ticket);
      ticket.fail(error);
    });
    if (ticket.isDone) return;
    if (this.#state === ClientState.Connected) this.#routeTicket(ticket, false);
    else if (this.#state === ClientState.Closed) ticket.fail(new ClientClosedError("the client is closed; call connect() to use it again"));
    else {
      this.connect().then(
        () => this.#routeTicket(ticket, false),
        (error: unknown) => ticket.fail(error as RedisError),
      );
    }
  }

  /** Takes the ticket's place in the order, and its lease (or a shared connection) when its turn has come; `false`: it waits. */
  #routeTicket(ticket: LeaseTicket, queued: boolean): boolean {
    if (ticket.isDone) return true; // timed out or aborted meanwhile
    // Its turn in the FIFO: a shareable batch may follow its keys onto the shared connection
    // they are in flight on, where a lease would have to wait for them.
    if (queued && this.#shareTurn(ticket)) return true;
    if (this.order.route(ticket, queued ? (ticket.mark as KeyScope) : ticket.scope, undefined, queued) === "hold") return false;
    if (!this.#shareTurn(ticket)) grantLease(ticket, this.order, this.target);
    return true;
  }

  /** At a shareable batch's turn: sends it on a shared connection if the order lets every call of it go there. */
  #shareTurn(ticket: LeaseTicket): boolean {
    const batch = ticket.shareable;
    if (batch === undefined) return false;
    const outcome = this.#sendShared(batch, ticket.options.route, (connection) => this.order.shareTurn(ticket, connection, batch.calls));
    if (outcome === undefined) return false;
    ticket.disarm();
    ticket.state = RequestState.Settled;
    this.order.done(ticket); // untracked already: lets the order settle back to single mode
    ticket.sentShared?.(outcome);
    return true;
  }

  /**
   * Sends a batch contiguously on the shared connection (of the route's server), each call tracked there by the order,
   * when its gate commands were accepted before and `admits` lets it go on that connection;
   * `undefined` when it may not go now.
   */
  #sendShared(batch: ShareableBatch, route: RouteHint | undefined, admits: (connection: BaseConnection) => boolean): Promise<BatchOutcome> | undefined {
    if (this.#state !== ClientState.Connected || !gatesPassed(this, batch.commands)) return undefined;
    const connection = this.target.multiplexed(false, route);
    if (connection === undefined || !admits(connection)) return undefined;
    return sendBatch(connection, batch.commands, { gateScope: this, request: sharedBatchRequests(this.order, connection, batch.calls) });
  }

  /** {@link PipelineHost}: the retry policy's answer for a batch lost with its connection. */
  retryDelayMs(error: RedisError, attempts: number, readOnly: boolean): number | undefined {
    try {
      return this.retryPolicy.retryDelayMs(error, attempts, { command: "PIPELINE", readOnly });
    } catch {
      return undefined; // a policy that throws must not leave the caller waiting
    }
  }

  /** {@link PipelineHost}: the server a route leads to now. */
  locate(route: RouteHint | undefined): string {
    return this.target.locate(route);
  }

  /** {@link PipelineHost}: the target's redirection for an error. */
  redirect(error: RedisError, redirects: number, route: RouteHint | undefined): Redirect | undefined {
    return this.target.redirect(error, redirects, route);
  }

  /** Runs one command as one request; connects first when needed. */
  execute<T>(
    spec: CommandSpec | undefined,
    argv: readonly RedisArgument[],
    transform: ReplyTransform<T> | undefined,
    decodeStrings: boolean,
    dedicated: boolean,
    call: RoutedCallOptions | undefined,
  ): Promise<T> {
    // A module-level executor: no closure is made per command.
    const promise = new Promise<T>(captureResolvers);
    const resolve = capturedResolve;
    try {
      const request = new ClientRequest(this, argv, decodeStrings, transform, resolve, dedicated, call);
      if (this.captureCallerStack) request.keepCallerStack(callerFrames());
      if (!dedicated) request.lane = this.#laneFor(spec, argv);
      // Worked out once, from the spec in hand: every dispatch of a cluster request reads it.
      if (this.routed) request.route = routeOf(spec, argv);
      this.#submitNew(request, spec);
    } catch (error) {
      // Bad input from JavaScript callers (a null argument, a signal that is not one): the
      // promise rejects, as an executor that threw would have made it.
      resolve(rejection(error instanceof RedisError ? error : new InvalidArgumentError(String(error), { cause: error })));
    }
    return promise;
  }

  /** Which lane a shared request takes: large arguments, or a key remembered as large, go bulk. */
  #laneFor(spec: CommandSpec | undefined, argv: readonly RedisArgument[]): RequestLane {
    let bytes = 0;
    for (let i = 1; i < argv.length; i++) {
      const arg = argv[i];
      if (typeof arg === "string" || arg instanceof Uint8Array) bytes += arg.length;
    }
    if (bytes >= LARGE_VALUE_BYTES) {
      this.#rememberLargeKey(firstKey(spec, argv));
      return RequestLane.LargeArguments;
    }
    if (this.#largeKeys.size === 0) return RequestLane.Small;
    const key = firstKey(spec, argv);
    return key !== undefined && this.#largeKeys.has(keyString(key)) ? RequestLane.LargeKey : RequestLane.Small;
  }

  /**
   * @internal Learns from a reply whether its key holds a large value: any string reply that
   * large marks the key; a small one forgets it only when the command named nothing but the key
   * (GET, GETDEL; TYPE too, which costs one request the other lane), not when it read a part
   * (HGET, GETRANGE). Requests sent bulk for their own arguments teach nothing.
   */
  learnFromReply(lane: RequestLane, argv: readonly RedisArgument[], value: unknown): void {
    if (lane === RequestLane.LargeArguments) return;
    const size = typeof value === "string" || value instanceof Uint8Array ? value.length : -1;
    if (size >= LARGE_VALUE_BYTES) {
      this.#rememberLargeKey(firstKey(commandSpecForArgv(argv), argv));
    } else if (size >= 0 && lane === RequestLane.LargeKey && argv.length === 2) {
      const key = firstKey(commandSpecForArgv(argv), argv);
      if (key !== undefined) this.#largeKeys.delete(keyString(key));
    }
  }

  /** Remembers that `key` holds a large value. */
  #rememberLargeKey(key: RedisArgument | undefined): void {
    if (key === undefined || typeof key === "number" || typeof key === "bigint" || key.length > LARGE_KEY_MAX_CHARS) return;
    const name = keyString(key);
    const keys = this.#largeKeys;
    keys.delete(name); // re-inserted as the newest
    keys.add(name);
    if (keys.size > LARGE_KEYS_REMEMBERED) keys.delete(keys.values().next().value as string);
  }

  /** Dispatches a new request now, or after connecting. */
  #submitNew(request: ClientRequest, spec: CommandSpec | undefined): void {
    if (request.isDone) return;
    request.countAttempt();
    if (this.#state === ClientState.Connected) {
      this.#dispatch(request, keyScope(spec, request.argv));
    } else if (this.#state === ClientState.Closed) {
      request.fail(new ClientClosedError("the client is closed; call connect() to use it again"));
    } else {
      this.connect().then(
        () => this.#dispatch(request, keyScope(spec, request.argv)),
        (error: unknown) => request.fail(error as RedisError),
      );
    }
  }

  /**
   * {@link OrderHost}: dispatches a request the order held or is retrying; `false`
   * when it must keep waiting.
   */
  redispatch(request: OrderedRequest): boolean {
    if (request.isDone) return true;
    if (request instanceof LeaseTicket) {
      if (this.#state !== ClientState.Connected) {
        request.fail(new ClientClosedError("the client was closed before the batch could be sent"));
        return true;
      }
      return this.#routeTicket(request, true);
    }
    if (!(request instanceof ClientRequest)) return true;
    if (this.#state === ClientState.Closed) {
      request.fail(new ClientClosedError("the client was closed before the request could be sent again"));
      return true;
    }
    if (this.#state === ClientState.Idle) {
      // Its first attempt could not connect the client: connect again, then take its place back.
      this.connect().then(
        () => this.order.requeue(request),
        (error: unknown) => request.fail(error as RedisError),
      );
      return true;
    }
    return this.#dispatch(request, request.mark as KeyScope, true);
  }

  /**
   * Sends a request on the connection the pool and the order agree on: at once on a shared
   * connection when every keyed call of this client in flight is there (the fast path), else
   * where the order says (following its keys, asking the pool, or waiting in the order's FIFO).
   * @returns `false` when a `queued` request must stay in the FIFO.
   */
  #dispatch(request: ClientRequest, scope: KeyScope, queued = false): boolean {
    if (request.isDone) return true; // given up while connecting
    const large = request.lane !== RequestLane.Small;
    const hint = this.routed ? request.routeHint() : undefined;
    let shared: BaseConnection | undefined;
    if (!request.dedicated) {
      shared = this.target.multiplexed(large, hint);
      if (shared !== undefined && !queued && this.order.admit(request, shared, scope)) {
        request.writeOn(shared);
        return true;
      }
    }
    const route = this.order.route(request, scope, shared, queued);
    if (route === "hold") return false;
    if (route !== ACQUIRING) {
      request.writeOn(route);
      return true;
    }
    this.target
      .acquire({ dedicated: request.dedicated, large, signal: request.signal, timeoutMs: request.remainingMs(), route: hint })
      .then(
        (connection) => this.#sendOn(request, connection),
        (error: unknown) => request.fail(error as RedisError),
      );
    return true;
  }

  #sendOn(request: ClientRequest, connection: BaseConnection): void {
    if (request.isDone) {
      if (request.dedicated) this.target.release(connection);
      return;
    }
    if (!request.dedicated && !this.target.isMultiplexed(connection)) {
      // Lent out whole to a dedicated user between the pool's answer and now: ask again, ahead
      // of the calls that came after it.
      this.order.requeue(request);
      return;
    }
    this.order.placed(request, connection);
    request.writeOn(connection);
    // A blocking call orders the calls after it only until it is written (see key-order.ts).
    if (request.dedicated) this.order.done(request);
  }

  /** {@link OrderHost}: whether the request is this client's. */
  owns(request: Request): request is OrderedRequest {
    if (request instanceof SharedBatchRequest) return request.order === this.order;
    return request instanceof ClientRequest && request.core === this;
  }

  /** {@link OrderHost}: the server a connection goes to — its pool (a cluster's node pool). */
  serverOf(connection: BaseConnection): unknown {
    return connection.observer ?? this;
  }

  /** {@link OrderHost}: the key scope of a request, from the command table. */
  scopeOf(request: OrderedRequest): KeyScope {
    if (request instanceof LeaseTicket) return request.scope;
    return keyScope(commandSpecForArgv(request.argv), request.argv);
  }

  /**
   * {@link OrderHost}: whether a connection still takes shared requests — for `request`, of the
   * server its route leads to (a cluster call follows calls on its keys only on their node).
   */
  isShared(connection: BaseConnection, request?: OrderedRequest): boolean {
    if (connection.isClosed || !this.target.isMultiplexed(connection)) return false;
    return !this.routed || !(request instanceof ClientRequest) || this.target.serves(connection, request.routeHint());
  }
}

/** A request's route by its keys: its first key, and whether the table says it only reads. */
function routeOf(spec: CommandSpec | undefined, argv: readonly RedisArgument[]): RouteHint {
  return { key: firstKey(spec, argv), readOnly: spec !== undefined && (spec.flags & CommandFlag.READONLY) !== 0 };
}

/** What precedes a request an ASK redirected, on the same connection. */
const ASKING: readonly RedisArgument[] = ["ASKING"];
/** ASKING's reply: OK, or an error its request will show in turn. */
function ignoreReply(): void {}

/** Whether a command only reads (the table's READONLY flag): repeating it is harmless. */
function isReadOnly(argv: readonly RedisArgument[]): boolean {
  const spec = commandSpecForArgv(argv);
  return spec !== undefined && (spec.flags & CommandFlag.READONLY) !== 0;
}

/**
 * The stack frames of the code that called `execute()` (the lines after the header, `execute`'s
 * own frame left out), for `captureCallerStack`.
 */
function callerFrames(): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, callerFrames);
  const stack = holder.stack ?? "";
  const header = stack.indexOf("\n");
  const ownFrame = header === -1 ? -1 : stack.indexOf("\n", header + 1);
  return ownFrame === -1 ? "" : stack.slice(ownFrame);
}

/**
 * Where `execute()`'s executor leaves the `resolve` function of the promise it is making. Its
 * `reject` is not kept: a request fails its caller through `resolve` (see `Request.deliverError`).
 */
let capturedResolve: (value: unknown) => void = () => undefined;

function captureResolvers<T>(resolve: (value: T) => void): void {
  capturedResolve = resolve as (value: unknown) => void;
}

/**
 * What a request needs beyond the common case, kept apart so that the common call (multiplexed,
 * no deadline, no signal) carries no fields for it: the call's deadline and signal, and the
 * connection the request went out on (to cancel it there, or to give a dedicated one back).
 */
class CallState {
  connection: BaseConnection | undefined = undefined;
  /** Where the order last placed the request, in its `epoch` (see `key-order.ts`). */
  place: Place | undefined = undefined;
  epoch = 0;
  readonly signal: AbortSignal | undefined;
  readonly deadlineMs: number | undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  /** The request's keys, once the order asked (`keysKnown`): asked again when it is done. */
  keys: readonly RedisArgument[] | undefined = undefined;
  keysKnown = false;
  /** The caller's stack, when the client keeps it (`captureCallerStack`): its frames, header removed. */
  callerFrames: string | undefined = undefined;
  /** The node the call was made for (`forNode`, a leg of a fan-out), whatever its keys. */
  readonly node: string | undefined;
  /** Told of each connection the request is put on (client-side caching). */
  readonly writeObserver: WriteObserver | undefined;
  /** Where the last redirection sent it (MOVED, ASK), and whether ASKING must precede it there. */
  redirectedTo: string | undefined = undefined;
  asking = false;
  /** Redirections so far (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, an unreachable node). */
  redirects = 0;

  constructor(call: RoutedCallOptions | undefined) {
    this.node = call?.node;
    this.writeObserver = call?.writeObserver;
    this.signal = call?.signal;
    this.deadlineMs = call?.timeout === undefined ? undefined : performance.now() + call.timeout;
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (this.onAbort !== undefined) this.signal?.removeEventListener("abort", this.onAbort);
  }
}

/**
 * A request made by a client: it applies the retry policy, honours the call's deadline and
 * signal, and gives a dedicated connection back once it is done. Dedicated requests are the
 * blocking ones (`blocking`, which also exempts them from the stream timeout).
 */
export class ClientRequest extends Request {
  readonly #core: ClientCore;
  /** See `OrderedRequest.home`. */
  home: OrderHome | undefined = undefined;
  /** Where a target of several servers routes it by its keys (set by the client when its target routes). */
  route: RouteHint | undefined = undefined;
  /**
   * Only for requests that are dedicated, carry a deadline or signal, or were placed by the
   * order in multi mode; see {@link CallState}.
   */
  #call: CallState | undefined;

  constructor(
    core: ClientCore,
    argv: readonly RedisArgument[],
    decodeStrings: boolean,
    transform: ReplyTransform<unknown> | undefined,
    resolve: (value: unknown) => void,
    dedicated: boolean,
    call: RoutedCallOptions | undefined,
  ) {
    super(argv, decodeStrings, transform, resolve, dedicated);
    this.#core = core;
    const watched = call !== undefined && (call.timeout !== undefined || call.signal !== undefined);
    if (!watched && !dedicated && call?.node === undefined && call?.writeObserver === undefined) {
      this.#call = undefined;
      return;
    }
    const state = new CallState(call);
    this.#call = state;
    if (!watched) return;
    // The signal first: if it is not an AbortSignal, this throws before any timer is set.
    const signal = call.signal;
    if (signal !== undefined) {
      const abortError = (written: boolean): AbortError =>
        new AbortError(`${this.commandName} was aborted${written ? " after it was sent" : " before it was sent"}`, written, {
          cause: signal.reason,
        });
      if (signal.aborted) {
        this.fail(abortError(false));
        return;
      }
      state.onAbort = () => this.#giveUp(abortError);
      signal.addEventListener("abort", state.onAbort, { once: true });
    }
    const timeoutMs = call.timeout;
    if (timeoutMs !== undefined) {
      state.timer = setTimeout(() => {
        this.#giveUp((written) =>
          new TimeoutError(
            `${this.commandName} timed out after ${timeoutMs} ms${written ? "" : " before it was sent"}`,
            written ? "reply" : "pool",
          ),
        );
      }, timeoutMs);
    }
  }

  /** Whether the request holds a connection of its own until its reply. */
  get dedicated(): boolean {
    return this.blocking;
  }

  /** A single call orders the calls after it only until it is written when it is blocking (see `key-order.ts`). */
  get holdsOrder(): boolean {
    return false;
  }

  /** The keys the request names, from the command table; kept once asked (multi mode asks twice). */
  keys(): readonly RedisArgument[] | undefined {
    const state = (this.#call ??= new CallState(undefined));
    if (!state.keysKnown) {
      const spec = commandSpecForArgv(this.argv);
      state.keys = spec === undefined ? undefined : commandKeys(spec, this.argv);
      state.keysKnown = true;
    }
    return state.keys;
  }

  /** Keeps the caller's stack frames for errors (see `captureCallerStack`). */
  keepCallerStack(frames: string): void {
    this.#call ??= new CallState(undefined);
    this.#call.callerFrames = frames;
  }

  /** Fails the caller; with a kept caller stack, the error shows the caller's frames. */
  protected override deliverError(error: RedisError): void {
    const frames = this.#call?.callerFrames;
    if (frames !== undefined) {
      error.stack = `${error.name}: ${error.message}${frames}`;
    }
    super.deliverError(error);
  }

  /** The client the request belongs to. */
  get core(): ClientCore {
    return this.#core;
  }

  /** Where the order placed the request (multi mode only; see `key-order.ts`). */
  get place(): Place | undefined {
    return this.#call?.place;
  }

  set place(place: Place | undefined) {
    if (this.#call === undefined) {
      if (place === undefined) return;
      this.#call = new CallState(undefined);
    }
    this.#call.place = place;
  }

  /** The order's epoch when `place` was set. */
  get epoch(): number {
    return this.#call?.epoch ?? -1;
  }

  set epoch(epoch: number) {
    this.#call ??= new CallState(undefined);
    this.#call.epoch = epoch;
  }

  /** The call's abort signal, if any. */
  get signal(): AbortSignal | undefined {
    return this.#call?.signal;
  }

  /**
   * Sends the request on `connection`, noting the connection if it will need it again (to cancel
   * the request there, or to give a dedicated one back); after an ASK, ASKING goes first, on the
   * same connection in the same write, so that nothing comes between them.
   */
  writeOn(connection: BaseConnection): void {
    const state = this.#call;
    if (state !== undefined) {
      state.connection = connection;
      if (state.asking) {
        state.asking = false;
        connection.send(new Request(ASKING, true, undefined, ignoreReply, false));
      }
    }
    connection.send(this);
    // In the same turn, so in the same write: what the observer sends follows the request.
    state?.writeObserver?.written(connection, this.argv);
  }

  /**
   * Where a target of several servers should send the request: the node it was made for or
   * redirected to, else by its first key; read-only when the table says so.
   */
  routeHint(): RouteHint {
    const route = (this.route ??= routeOf(commandSpecForArgv(this.argv), this.argv));
    const state = this.#call;
    const node = state?.redirectedTo ?? state?.node;
    return node === undefined ? route : { ...route, node };
  }

  /** Milliseconds left before the call's deadline, if it has one. */
  remainingMs(): number | undefined {
    const deadlineMs = this.#call?.deadlineMs;
    return deadlineMs === undefined ? undefined : Math.max(0, deadlineMs - performance.now());
  }

  override settle(value: unknown): void {
    if (this.isDone) return;
    super.settle(value);
    if (this.mark !== 0) this.#core.order.done(this);
    if (this.#call !== undefined) this.#finish(this.#call);
    this.#core.learnFromReply(this.lane, this.argv, value);
  }

  override fail(error: RedisError): void {
    if (this.isDone) return;
    // The target first: its redirections (a cluster's MOVED, ASK, TRYAGAIN …; a sentinel pool
    // waiting out a failover) say where and when to go next, which a retry policy cannot know.
    let delayMs = this.#redirect(error);
    const redirected = delayMs !== undefined;
    if (!redirected) {
      try {
        delayMs = this.#core.retryPolicy.retryDelayMs(error, this.attempts, {
          command: this.commandName,
          readOnly: isReadOnly(this.argv),
        });
      } catch {
        delayMs = undefined; // a policy that throws must not leave the caller waiting
      }
      // Retried by the policy: routed by its keys again, not to where a redirection last sent it.
      if (delayMs !== undefined && this.#call !== undefined) this.#call.redirectedTo = undefined;
    }
    if (delayMs !== undefined) {
      this.state = RequestState.Created;
      if (this.#call !== undefined) this.#releaseConnection(this.#call);
      if (!redirected) this.countAttempt(); // a redirection is not a failed attempt
      // Through the order's FIFO, ahead of the calls issued after it: a retry keeps its place.
      this.#core.order.retry(this, delayMs);
      return;
    }
    super.fail(error);
    if (this.mark !== 0) this.#core.order.done(this);
    if (this.#call !== undefined) this.#finish(this.#call);
  }

  /**
   * Asks the target whether `error` redirects the request (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, an
   * unreachable node); if so, notes where it goes next and returns the pause before it does.
   */
  #redirect(error: RedisError): number | undefined {
    const target = this.#core.target;
    const route = this.#core.routed ? this.routeHint() : undefined;
    const redirect = target.redirect(error, this.#call?.redirects ?? 0, route);
    if (redirect === undefined) return undefined;
    const state = (this.#call ??= new CallState(undefined));
    state.redirects++;
    state.redirectedTo = redirect.node;
    state.asking = redirect.asking === true;
    return redirect.delayMs;
  }

  /** Its reply came after it was given up, or never will: calls after it on its keys may go. */
  override abandonedDone(): void {
    if (this.mark !== 0) this.#core.order.done(this);
  }

  /**
   * Stops waiting: a deadline passed or the signal fired. A request still unwritten is removed
   * without a trace; a written one is abandoned (its reply will be dropped), and a dedicated
   * connection carrying it is closed so that Redis stops acting on it (a BLPOP would otherwise
   * still pop an element that nobody reads). Either way the caller is rejected now.
   */
  #giveUp(makeError: (written: boolean) => RedisError): void {
    const state = this.#call;
    if (this.isDone || state === undefined) return;
    const connection = state.connection;
    const outcome = connection === undefined ? "none" : connection.cancel(this);
    const written = outcome === "abandoned";
    if (!written) {
      this.state = RequestState.Settled;
      // Never written: nothing of it reaches Redis, so nothing waits on it. A written one stays
      // in the order until its reply comes (`abandonedDone`).
      if (this.mark !== 0 || this.place !== undefined) this.#core.order.done(this);
    }
    this.deliverError(makeError(written));
    if (written && this.blocking && connection !== undefined) {
      connection.destroy(new ConnectionError(`${this.commandName} on ${connection.address} was given up`));
    }
    this.#finish(state);
  }

  #finish(state: CallState): void {
    state.dispose();
    this.#releaseConnection(state);
  }

  #releaseConnection(state: CallState): void {
    const connection = state.connection;
    state.connection = undefined;
    if (this.blocking && connection !== undefined) this.#core.target.release(connection);
  }
}
