/**
 * One command on its way to Redis and back.
 *
 * A request moves through these states, and only forward:
 * ```
 *   created ──send()──▶ queued ──flush──▶ written ──reply──▶ settled
 *      │                  │                  │
 *      └── fail ──────────┴── cancel ────────┴── abandon ──▶ abandoned (its reply, when it
 *                                                              comes, is read and dropped)
 * ```
 * `queued` requests sit in a connection's write buffer and can still be removed without a trace;
 * `written` ones may have reached Redis. A retry sends a request that failed before it was written
 * back to `created`.
 *
 * @module
 */
import { RedisError, ResponseError } from "../errors.js";
import type { RedisArgument, ReplyContext, ReplyTransform, RESPValue, RESPVersion } from "../protocol/values.js";

/** Where a request stands; see the module's diagram. */
export const RequestState = {
  Created: 0,
  Queued: 1,
  Written: 2,
  Settled: 3,
  Abandoned: 4,
} as const;
/** One of {@link RequestState}'s values. */
export type RequestState = (typeof RequestState)[keyof typeof RequestState];

/** The four reply contexts, made once: a request picks one by protocol and decoding mode. */
const REPLY_CONTEXTS: Readonly<Record<RESPVersion, readonly [ReplyContext, ReplyContext]>> = {
  2: [Object.freeze({ protocolVersion: 2, decodeStrings: false }), Object.freeze({ protocolVersion: 2, decodeStrings: true })],
  3: [Object.freeze({ protocolVersion: 3, decodeStrings: false }), Object.freeze({ protocolVersion: 3, decodeStrings: true })],
};

/** Bits of {@link Request}'s packed word: the state in the low three, then the flags, then the attempts. */
const STATE_MASK = 0b111;
const DECODE_STRINGS = 1 << 3;
const BLOCKING = 1 << 4;
const LANE_SHIFT = 5;
const LANE_MASK = 0b11 << LANE_SHIFT;
const MARK_SHIFT = 7;
const MARK_MASK = 0b11 << MARK_SHIFT;
const UNANSWERED = 1 << 9;
const ATTEMPT_UNIT = 1 << 10;

/**
 * Why a request's owner sent it on the pool's bulk lane (see `ConnectionPool.multiplexed`), if it
 * did; the connection itself ignores this.
 */
export const RequestLane = {
  /** An ordinary request. */
  Small: 0,
  /** Its arguments carry a large value. */
  LargeArguments: 1,
  /** It names a key last seen holding a large value. */
  LargeKey: 2,
} as const;
/** One of {@link RequestLane}'s values. */
export type RequestLane = (typeof RequestLane)[keyof typeof RequestLane];

/**
 * A command with its outcome handlers and its place in the request life cycle. Owners that need
 * more (a retry policy, releasing a dedicated connection) subclass it and override `fail` or
 * `settle`.
 *
 * Tens of thousands of requests can be in flight at once, and each one lives long enough to
 * survive a young-generation collection or two, so its size is what those collections copy: the
 * state, the flags, the lane, the owner's mark and the attempt count share one small integer, and everything a request
 * may need besides (a deadline, a signal, a dedicated connection) lives in its owner's subclass,
 * allocated only for the requests that need it.
 */
export class Request {
  /** State, flags and attempts, packed: see the constants above. */
  #bits: number;

  /**
   * @param argv - the command and its arguments; `argv[0]` is the command name (or container).
   * @param decodeStrings - whether bulk strings of the reply decode to `string` (else `Buffer`).
   * @param transform - turns the raw reply into the caller's value; `undefined` keeps it raw.
   * @param resolve - receives the caller's value, or a rejected promise for a failure (see
   *   {@link Request.deliverError}): a promise's own `resolve` settles it either way.
   * @param blocking - whether Redis may hold the reply back on purpose (BLPOP …): such a request
   *   is exempt from the connection's stream timeout.
   */
  constructor(
    readonly argv: readonly RedisArgument[],
    decodeStrings: boolean,
    readonly transform: ReplyTransform<unknown> | undefined,
    readonly resolve: (value: unknown) => void,
    blocking = false,
  ) {
    this.#bits = (decodeStrings ? DECODE_STRINGS : 0) | (blocking ? BLOCKING : 0);
  }

  /** Where the request stands; see the module's diagram. */
  get state(): RequestState {
    return (this.#bits & STATE_MASK) as RequestState;
  }

  set state(state: RequestState) {
    this.#bits = (this.#bits & ~STATE_MASK) | state;
  }

  /** Whether bulk strings of the reply decode to `string` (else `Buffer`). */
  get decodeStrings(): boolean {
    return (this.#bits & DECODE_STRINGS) !== 0;
  }

  /** Whether Redis may hold the reply back on purpose (BLPOP …). */
  get blocking(): boolean {
    return (this.#bits & BLOCKING) !== 0;
  }

  /**
   * Whether Redis answers this request only to refuse it: the (un)subscribe family, whose
   * confirmations arrive as push messages, but whose refusal (NOPERM) is an error reply. Such a
   * request fails with that error, or settles with `null` once the reply of a request written
   * after it arrives (send one, a PING, to learn the outcome).
   */
  get unanswered(): boolean {
    return (this.#bits & UNANSWERED) !== 0;
  }

  /** Marks the request as one Redis does not answer (see {@link Request.unanswered}). */
  expectNoReply(): void {
    this.#bits |= UNANSWERED;
  }

  /** The lane its owner routed it on. */
  get lane(): RequestLane {
    return ((this.#bits & LANE_MASK) >> LANE_SHIFT) as RequestLane;
  }

  set lane(lane: RequestLane) {
    this.#bits = (this.#bits & ~LANE_MASK) | (lane << LANE_SHIFT);
  }

  /**
   * A two-bit mark the request's owner keeps on it (the client: how the request takes part in
   * program order per key); the connection ignores it. 0 until set.
   */
  get mark(): number {
    return (this.#bits & MARK_MASK) >> MARK_SHIFT;
  }

  set mark(mark: number) {
    this.#bits = (this.#bits & ~MARK_MASK) | ((mark & 0b11) << MARK_SHIFT);
  }

  /** Times this request has been dispatched (1 on its first try). */
  get attempts(): number {
    return Math.floor(this.#bits / ATTEMPT_UNIT);
  }

  /** Counts one more dispatch. */
  countAttempt(): void {
    this.#bits += ATTEMPT_UNIT;
  }

  /** The command's name for messages: its first word, never its arguments. */
  get commandName(): string {
    const first = this.argv[0];
    return typeof first === "string" ? first.toUpperCase() : String(first);
  }

  /** Whether the request has an outcome or was given up. */
  get isDone(): boolean {
    return (this.#bits & STATE_MASK) >= RequestState.Settled;
  }

  /** Delivers a reply: an error reply fails the request, anything else resolves through `transform`. */
  complete(reply: RESPValue, protocolVersion: RESPVersion): void {
    if (this.state === RequestState.Abandoned) {
      this.abandonedDone();
      return;
    }
    if (reply instanceof ResponseError) {
      reply.command = this.commandName;
      this.fail(reply);
      return;
    }
    let value: unknown = reply;
    if (this.transform !== undefined) {
      try {
        value = this.transform(reply, replyContext(protocolVersion, this.decodeStrings));
      } catch (error) {
        this.fail(asRedisError(error));
        return;
      }
    }
    this.settle(value);
  }

  /** Resolves the caller unless the request is already done. */
  settle(value: unknown): void {
    if (this.isDone) return;
    this.state = RequestState.Settled;
    this.resolve(value);
  }

  /** Rejects the caller unless the request is already done. */
  fail(error: RedisError): void {
    if (this.isDone) return;
    this.state = RequestState.Settled;
    this.deliverError(error);
  }

  /**
   * Called once an abandoned request is over on its connection: its reply arrived (and was
   * dropped), or the connection closed with it still outstanding. Its caller was answered when
   * it was given up; owners that track written requests (program order per key) override this.
   */
  abandonedDone(): void {}

  /**
   * Hands a failure to the caller: by default as a rejected promise given to `resolve`, which
   * rejects the promise that `resolve` belongs to. So a request keeps one function, not two: the
   * `reject` function of a promise costs about 60 bytes, and tens of thousands of requests can be
   * waiting at once. Subclasses that want the error itself override this.
   */
  protected deliverError(error: RedisError): void {
    this.resolve(rejection(error));
  }
}

/**
 * A promise rejected with `error`, for a `resolve` function to adopt: the promise that `resolve`
 * belongs to then rejects with `error`. It is marked handled at once, so it never counts as an
 * unhandled rejection of its own, even if a `resolve` already used ignores it.
 */
export function rejection(error: RedisError): Promise<never> {
  const rejected = Promise.reject(error);
  rejected.catch(ignore);
  return rejected;
}

function ignore(): void {}

/** The reply context for a protocol and decoding mode: one frozen object each, never one per reply. */
export function replyContext(protocolVersion: RESPVersion, decodeStrings: boolean): ReplyContext {
  return REPLY_CONTEXTS[protocolVersion][decodeStrings ? 1 : 0];
}

/**
 * Sends one request on `connection` and resolves to its reply (through `transform`), or rejects
 * with its error: for owners that hold a connection of their own (a transaction's reads, pubsub's
 * PINGs), outside any pool's dispatch.
 */
export function requestOn<T>(
  connection: { send(request: Request): void },
  argv: readonly RedisArgument[],
  decodeStrings = true,
  transform?: ReplyTransform<unknown>,
  blocking = false,
): Promise<T> {
  return new Promise<T>((resolve) => {
    connection.send(new Request(argv, decodeStrings, transform, resolve as (value: unknown) => void, blocking));
  });
}

/** Wraps a non-coredis error thrown by a reply transform, keeping it as `cause`. */
function asRedisError(error: unknown): RedisError {
  if (error instanceof RedisError) return error;
  return new ResponseError(`ERR reply could not be read: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}
