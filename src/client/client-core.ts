/**
 * `ClientCore`: what every view of one client shares — its pool reference, its life cycle, its
 * retry policy — and the dispatch of commands onto pool connections.
 *
 * A command's journey: `execute()` makes a {@link ClientRequest}; `dispatch()` puts it on the
 * least busy shared connection at once (the fast path, no promise besides the caller's), or asks
 * the pool and waits. Dedicated requests hold their connection until their reply, then release it.
 *
 * @module
 */
import type { BaseConnection } from "../connection/base-connection.js";
import { rejection, Request, RequestLane, RequestState } from "../connection/request.js";
import { AbortError, ClientClosedError, ConnectionError, InvalidArgumentError, RedisError, TimeoutError } from "../errors.js";
import type { ConnectionPool } from "../pool/connection-pool.js";
import type { RedisArgument, ReplyTransform } from "../protocol/values.js";
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

const ClientState = { Idle: 0, Connected: 1, Closed: 2 } as const;
type ClientState = (typeof ClientState)[keyof typeof ClientState];

/** The shared state and dispatch of one client and all its views. */
export class ClientCore {
  #state: ClientState = ClientState.Idle;
  #connecting: Promise<void> | undefined;
  /**
   * Keys (a request's first argument after the command name) last seen holding a large value,
   * oldest first: requests naming one go on the bulk lane, so that reading a large value back
   * does not hold up small replies either. Only routing depends on it: a wrong guess costs a
   * request the other lane, nothing else.
   */
  readonly #largeKeys = new Set<string>();

  constructor(
    readonly pool: ConnectionPool,
    readonly retryPolicy: RetryPolicy,
  ) {}

  /** Whether `connect()` has completed and `close()` has not been called. */
  get isConnected(): boolean {
    return this.#state === ClientState.Connected;
  }

  /** Takes this client's reference on the pool. Idempotent; a closed client may connect again. */
  connect(): Promise<void> {
    if (this.#state === ClientState.Connected) return Promise.resolve();
    this.#connecting ??= this.pool.connect().then(
      () => {
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
    this.#connecting = undefined;
    if (wasConnected) await this.pool.close();
  }

  /** Runs one command; connects first when needed. */
  execute<T>(
    argv: readonly RedisArgument[],
    transform: ReplyTransform<T> | undefined,
    decodeStrings: boolean,
    dedicated: boolean,
    call: CallOptions | undefined,
  ): Promise<T> {
    // A module-level executor: no closure is made per command.
    const promise = new Promise<T>(captureResolvers);
    const resolve = capturedResolve;
    try {
      const request = new ClientRequest(this, argv, decodeStrings, transform, resolve, dedicated, call);
      if (!dedicated) request.lane = this.#laneFor(argv);
      this.submit(request);
    } catch (error) {
      // Bad input from JavaScript callers (a null argument, a signal that is not one): the
      // promise rejects, as an executor that threw would have made it.
      resolve(rejection(error instanceof RedisError ? error : new InvalidArgumentError(String(error), { cause: error })));
    }
    return promise;
  }

  /** Which lane a shared request takes: large arguments, or a key remembered as large, go bulk. */
  #laneFor(argv: readonly RedisArgument[]): RequestLane {
    let bytes = 0;
    for (let i = 1; i < argv.length; i++) {
      const arg = argv[i];
      if (typeof arg === "string" || arg instanceof Uint8Array) bytes += arg.length;
    }
    if (bytes >= LARGE_VALUE_BYTES) {
      this.#rememberLargeKey(argv[1]);
      return RequestLane.LargeArguments;
    }
    if (this.#largeKeys.size === 0) return RequestLane.Small;
    const key = argv[1];
    return typeof key === "string" && this.#largeKeys.has(key) ? RequestLane.LargeKey : RequestLane.Small;
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
    if (size >= LARGE_VALUE_BYTES) this.#rememberLargeKey(argv[1]);
    else if (size >= 0 && lane === RequestLane.LargeKey && argv.length === 2) this.#forgetLargeKey(argv[1]);
  }

  /** Remembers that `key` (when a string) holds a large value. */
  #rememberLargeKey(key: RedisArgument | undefined): void {
    if (typeof key !== "string" || key.length > LARGE_KEY_MAX_CHARS) return;
    const keys = this.#largeKeys;
    keys.delete(key); // re-inserted as the newest
    keys.add(key);
    if (keys.size > LARGE_KEYS_REMEMBERED) keys.delete(keys.values().next().value as string);
  }

  /** Forgets `key`: its value was read back small. */
  #forgetLargeKey(key: RedisArgument | undefined): void {
    if (typeof key === "string") this.#largeKeys.delete(key);
  }

  /** @internal Dispatches a request now, or after connecting. */
  submit(request: ClientRequest): void {
    if (request.isDone) return;
    request.countAttempt();
    if (this.#state === ClientState.Connected) {
      this.#dispatch(request);
    } else if (this.#state === ClientState.Closed) {
      request.fail(new ClientClosedError("the client is closed; call connect() to use it again"));
    } else {
      this.connect().then(
        () => this.#dispatch(request),
        (error: unknown) => request.fail(error as RedisError),
      );
    }
  }

  #dispatch(request: ClientRequest): void {
    if (request.isDone) return; // given up while connecting
    const large = request.lane !== RequestLane.Small;
    if (!request.dedicated) {
      const shared = this.pool.multiplexed(large);
      if (shared !== undefined) {
        request.sentOn(shared);
        shared.send(request);
        return;
      }
    }
    this.pool
      .acquire({ dedicated: request.dedicated, large, signal: request.signal, timeoutMs: request.remainingMs() })
      .then(
        (connection) => this.#sendOn(request, connection),
        (error: unknown) => request.fail(error as RedisError),
      );
  }

  #sendOn(request: ClientRequest, connection: BaseConnection): void {
    if (request.isDone) {
      if (request.dedicated) this.pool.release(connection);
      return;
    }
    if (!request.dedicated && !this.pool.isMultiplexed(connection)) {
      // Lent out whole to a dedicated user between the pool's answer and now: ask again.
      this.#dispatch(request);
      return;
    }
    request.sentOn(connection);
    connection.send(request);
  }
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
  readonly signal: AbortSignal | undefined;
  readonly deadlineMs: number | undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  constructor(call: CallOptions | undefined) {
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
  /** Only for requests that are dedicated or carry a deadline or signal; see {@link CallState}. */
  readonly #call: CallState | undefined;

  constructor(
    core: ClientCore,
    argv: readonly RedisArgument[],
    decodeStrings: boolean,
    transform: ReplyTransform<unknown> | undefined,
    resolve: (value: unknown) => void,
    dedicated: boolean,
    call: CallOptions | undefined,
  ) {
    super(argv, decodeStrings, transform, resolve, dedicated);
    this.#core = core;
    const watched = call !== undefined && (call.timeout !== undefined || call.signal !== undefined);
    if (!watched && !dedicated) {
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

  /** The call's abort signal, if any. */
  get signal(): AbortSignal | undefined {
    return this.#call?.signal;
  }

  /** Notes the connection the request is about to be sent on, if it will need it again. */
  sentOn(connection: BaseConnection): void {
    if (this.#call !== undefined) this.#call.connection = connection;
  }

  /** Milliseconds left before the call's deadline, if it has one. */
  remainingMs(): number | undefined {
    const deadlineMs = this.#call?.deadlineMs;
    return deadlineMs === undefined ? undefined : Math.max(0, deadlineMs - performance.now());
  }

  override settle(value: unknown): void {
    if (this.isDone) return;
    super.settle(value);
    if (this.#call !== undefined) this.#finish(this.#call);
    this.#core.learnFromReply(this.lane, this.argv, value);
  }

  override fail(error: RedisError): void {
    if (this.isDone) return;
    let delayMs: number | undefined;
    try {
      delayMs = this.#core.retryPolicy.retryDelayMs(error, this.attempts);
    } catch {
      delayMs = undefined; // a policy that throws must not leave the caller waiting
    }
    if (delayMs !== undefined) {
      this.state = RequestState.Created;
      if (this.#call !== undefined) this.#releaseConnection(this.#call);
      setTimeout(() => this.#core.submit(this), delayMs);
      return;
    }
    super.fail(error);
    if (this.#call !== undefined) this.#finish(this.#call);
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
    if (!written) this.state = RequestState.Settled;
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
    if (this.blocking && connection !== undefined) this.#core.pool.release(connection);
  }
}
