/**
 * `PubSub`: subscriptions to channels and patterns on one leased connection, read as an async
 * iterable, kept alive and re-established across lost connections.
 *
 * ```ts
 * await using ps = client.pubsub({ channels: ["news"], patterns: ["user:*"] });
 * await ps.connect();                    // optional: resolves once the server confirmed both
 * await ps.subscribe("more", "other");   // resolves once the server confirmed them
 * for await (const item of ps) {
 *   if (item.type === "resubscribed") { cache.clear(); continue; } // messages may have been missed
 *   if (item.type === "overflow") { cache.clear(); continue; }     // the reader fell behind
 *   item.channel; item.pattern; item.data;                         // "message" | "pmessage"
 * }
 * ```
 *
 * How it works:
 * - **One connection.** The first `connect()`, `subscribe()` or iteration leases a connection
 *   from the client's pool (it counts against `maxConnections` until `close()`), puts it in
 *   subscribed mode and subscribes to everything asked for so far. Nothing happens before that.
 * - **Confirmation.** Every (un)subscribe is followed by a PING on the same connection: Redis
 *   answers in order, so its reply means every confirmation of the command before it has arrived
 *   (or that the server refused the command: its error takes the PING's place and rejects the
 *   call). PING is allowed in subscribed mode under RESP2 (its reply is `["pong", ""]`, not a
 *   pubsub kind) and RESP3.
 * - **The wanted set.** `subscribe()` adds names to the set the instance keeps subscribed, at
 *   once; `unsubscribe()` removes them at once. Every new connection subscribes to the whole set.
 * - **Reconnection.** When the connection is lost (killed, server restart, a keep-alive PING
 *   unanswered), a new one is leased at once, then, after each failure, after 50 ms doubling to
 *   2 s (`reconnectDelay`, `maxReconnectDelay`), for as long as it takes — until `close()`. Once
 *   the new connection has confirmed the whole set, the reader gets a {@link PubSubResubscribed}
 *   item: messages published while no connection was subscribed are lost, and everything after
 *   the item was published after the subscriptions were back.
 * - **Buffer.** Messages wait in a buffer of at most `maxBufferedMessages` items until read. When
 *   it is full, the oldest item is dropped, and the next read returns a {@link PubSubOverflow}
 *   item saying how many were dropped, at the place of the gap. Memory stays bounded by the count
 *   (each message's size is the publisher's).
 * - **Keep-alive.** When nothing has arrived for `pingInterval` ms, a PING is sent; when, after
 *   that, nothing at all arrives for `pingTimeout` ms, the connection is declared dead
 *   (and replaced). Nothing else internal is ever sent on the connection.
 * - **Close.** `close()` (or `await using`, or `break` out of a `for await`) unsubscribes from
 *   everything, waits for the server to confirm (at most `subscribeTimeout` ms), and gives the
 *   connection back to the pool in normal mode; a connection that cannot be cleaned up so is
 *   closed instead. Items not read yet are discarded.
 *
 * Decisions:
 * - `subscribe()` and the others resolve to nothing (`void`): with several names, no single
 *   subscription count would mean much. `channels` and `patterns` tell what is kept subscribed.
 * - Iteration does not end when the last subscription is removed: only `close()`, `break`, or a
 *   failure the instance cannot recover from end it: the client was closed (`ClientClosedError`),
 *   the handshake was refused before any connection was subscribed (`AuthenticationError`), or
 *   a new connection's subscriptions were refused (NOPERM: retrying would not help).
 * - `pattern` is `undefined` on a plain (`"message"`) message; channel and pattern names are
 *   always strings, payloads follow the client's decoding (`Buffer` with
 *   `decodeResponses: false`: then a view of the socket chunk it arrived in, which a payload kept
 *   for long keeps alive — copy it with `Buffer.from` to let the chunk go).
 * - Subscription confirmations are not iteration items: the promises of the calls report them.
 * - One reader at a time: two loops over the same instance would share its messages.
 * - A refused (un)subscribe (NOPERM) is answered by Redis with an error reply where it would
 *   otherwise send none: the connection matches it to the refused command, so the call rejects
 *   with it and the connection, still in step, keeps serving.
 *
 * Sharded pubsub (SSUBSCRIBE) on a cluster is made of one instance per node in shard mode
 * ({@link NodeShard}; see `sharded-pubsub.ts`): its channels are subscribed with SSUBSCRIBE, one
 * command per slot, its `smessage` pushes read as messages, and what only a cluster knows — the
 * server dropping channels whose slot moved, a node that went away — reported to its owner.
 *
 * @module
 */
import type { StringType } from "../commands/executor.js";
import { Request } from "../connection/request.js";
import {
  ClientClosedError,
  ConnectionError,
  InvalidArgumentError,
  RedisError,
  ResponseError,
  TimeoutError,
} from "../errors.js";
import { assertDuration, assertInteger } from "../internal/validate.js";
import { keySlot } from "../cluster/slot.js";
import type { Lease, LeaseSource, RouteHint } from "../pool/target.js";
import type { PushMessage, RESPValue } from "../protocol/values.js";
import { Attachment } from "./attachment.js";
import { ItemQueue } from "./item-queue.js";

/** Options of `client.pubsub()`. Durations are milliseconds. */
export interface PubSubOptions {
  /** Channels to subscribe to (SUBSCRIBE) once the instance starts. */
  channels?: readonly string[];
  /** Patterns to subscribe to (PSUBSCRIBE) once the instance starts. */
  patterns?: readonly string[];
  /**
   * The most items kept for a reader that has not read them yet. When full, the oldest is dropped
   * and the reader gets a {@link PubSubOverflow} item at the gap. @defaultValue 10 000
   */
  maxBufferedMessages?: number;
  /** Send a PING after this long without receiving anything. `0` turns keep-alive off. @defaultValue 30 000 */
  pingInterval?: number;
  /**
   * Replace the connection when nothing at all arrives for this long after a keep-alive PING.
   * A timeout shorter than the server (or this process) may stall for replaces healthy
   * connections. `0`: never. @defaultValue `pingInterval`
   */
  pingTimeout?: number;
  /**
   * How long `connect()`, `subscribe()`, `unsubscribe()` (and their pattern forms) wait for the
   * server's confirmation, reconnecting included, before they reject with a
   * {@link TimeoutError}; also how long `close()` waits for the server to confirm unsubscribing.
   * @defaultValue 10 000
   */
  subscribeTimeout?: number;
  /** Pause before the second attempt to reconnect (the first is immediate); doubled for each one after. @defaultValue 50 */
  reconnectDelay?: number;
  /** Longest pause between attempts to reconnect. @defaultValue 2 000 */
  maxReconnectDelay?: number;
}

/** A message published to a channel this instance subscribed to (SUBSCRIBE). */
export interface PubSubChannelMessage<S extends StringType = string> {
  readonly type: "message";
  /** The channel it was published to. */
  readonly channel: string;
  /** Always `undefined`: the message matched a channel, not a pattern. */
  readonly pattern: undefined;
  /** The payload: a string, or a Buffer when the client decodes to Buffers. */
  readonly data: S;
}

/** A message published to a channel matching a pattern this instance subscribed to (PSUBSCRIBE). */
export interface PubSubPatternMessage<S extends StringType = string> {
  readonly type: "pmessage";
  /** The channel it was published to. */
  readonly channel: string;
  /** The pattern it matched, as given to `psubscribe()`. */
  readonly pattern: string;
  /** The payload: a string, or a Buffer when the client decodes to Buffers. */
  readonly data: S;
}

/** A published message. A message matching a channel and a pattern arrives once for each. */
export type PubSubMessage<S extends StringType = string> = PubSubChannelMessage<S> | PubSubPatternMessage<S>;

/**
 * The connection was lost and a new one has subscribed to everything again: messages published
 * in between are lost. Items before this one came from the old connection; every message
 * published after the new subscriptions took effect comes after it. A reader that caches what
 * messages invalidate should treat its cache as stale here.
 */
export interface PubSubResubscribed {
  readonly type: "resubscribed";
  /** The channels subscribed to on the new connection. */
  readonly channels: readonly string[];
  /** The patterns subscribed to on the new connection. */
  readonly patterns: readonly string[];
}

/**
 * The reader fell behind by more than `maxBufferedMessages` items: `dropped` items (the oldest
 * ones) were thrown away just before this one.
 */
export interface PubSubOverflow {
  readonly type: "overflow";
  /** How many items were dropped at this point. */
  readonly dropped: number;
}

/** What iterating a {@link PubSub} yields: messages, and the two notices of possible gaps. */
export type PubSubItem<S extends StringType = string> = PubSubMessage<S> | PubSubResubscribed | PubSubOverflow;

/** Counters of a {@link PubSub}, a snapshot. */
export interface PubSubStats {
  /** Messages received from the server. */
  readonly received: number;
  /** Items waiting to be read. */
  readonly buffered: number;
  /** Items dropped because the reader fell behind. */
  readonly dropped: number;
  /** Times the subscriptions were re-established on a new connection. */
  readonly reconnects: number;
  /** Keep-alive PINGs sent. */
  readonly pings: number;
}

/** The commands of one kind of subscription. */
interface SubscriptionKind {
  readonly subscribe: string;
  readonly unsubscribe: string;
}
const CHANNELS: SubscriptionKind = { subscribe: "SUBSCRIBE", unsubscribe: "UNSUBSCRIBE" };
const PATTERNS: SubscriptionKind = { subscribe: "PSUBSCRIBE", unsubscribe: "PUNSUBSCRIBE" };
/** A cluster node's sharded channels: one command per slot, as a node refuses one naming several. */
const SHARDED: SubscriptionKind = { subscribe: "SSUBSCRIBE", unsubscribe: "SUNSUBSCRIBE" };

/**
 * One node's part of a cluster's sharded pubsub: where the instance leases its connection, and
 * whom it tells what only the cluster can sort out.
 */
export interface NodeShard {
  /** The node (`{ node: "host:port" }`) the instance leases its connection on. */
  readonly route: RouteHint;
  /** The server unsubscribed these channels by itself (their slot moved): they left the kept set. */
  onDropped(channels: readonly string[]): void;
  /** A connection was lost, or its subscriptions refused with a redirection (MOVED …): the node may no longer serve them. */
  onTrouble(error: RedisError): void;
}

/** The most names sent in one (un)subscribe command. */
const NAMES_PER_COMMAND = 1024;

const DEFAULT_MAX_BUFFERED = 10_000;
const DEFAULT_PING_INTERVAL_MS = 30_000;
const DEFAULT_SUBSCRIBE_TIMEOUT_MS = 10_000;
const DEFAULT_RECONNECT_DELAY_MS = 50;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 2_000;

// Push kinds, by a small code.
const OTHER = 0;
const MESSAGE = 1;
const PMESSAGE = 2;
const CONFIRMATION = 3;
const MESSAGE_BYTES = Buffer.from("message");
const PMESSAGE_BYTES = Buffer.from("pmessage");
const SMESSAGE_BYTES = Buffer.from("smessage");
const CONFIRMATIONS: ReadonlySet<string> = new Set(["subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe"]);

/** The code of a push's kind (its first element), without allocating for the message kinds. */
function kindOf(kind: RESPValue | undefined): number {
  if (typeof kind === "string") {
    if (kind === "message" || kind === "smessage") return MESSAGE;
    if (kind === "pmessage") return PMESSAGE;
    return CONFIRMATIONS.has(kind) ? CONFIRMATION : OTHER;
  }
  if (kind instanceof Buffer) {
    if (kind.length === 7 && kind.equals(MESSAGE_BYTES)) return MESSAGE;
    if (kind.length === 8 && kind.equals(PMESSAGE_BYTES)) return PMESSAGE;
    if (kind.length === 8 && kind.equals(SMESSAGE_BYTES)) return MESSAGE;
    return CONFIRMATIONS.has(kind.toString("latin1")) ? CONFIRMATION : OTHER;
  }
  return OTHER;
}

/** A channel or pattern name as a string, however it was decoded. */
function nameOf(value: RESPValue | undefined): string {
  if (typeof value === "string") return value;
  if (value instanceof Buffer) return value.toString();
  return typeof value === "number" || typeof value === "bigint" ? String(value) : "";
}

/** One leased connection and what is known of it. */
class Session {
  /** Set once the connection confirmed everything asked when it was set up. */
  live = false;
  /** Set once the session is over: lost, replaced or being given back. */
  ended = false;
  /** Subscriptions on the server, from the latest confirmation. */
  count = 0;
  /** `performance.now()` when the keep-alive PING in flight was sent. */
  pingSentAt: number | undefined;
  /** Settles once the set-up commands are confirmed (or refused, or lost). */
  setup: Promise<void> = Promise.resolve();
  readonly attachment: Attachment;

  /**
   * @param version - the instance's change counter when the set-up was written: every name
   *   added at or before it was part of the set-up.
   */
  constructor(
    readonly version: number,
    attach: (session: Session) => Attachment,
  ) {
    this.attachment = attach(this);
  }
}

/** Someone waiting for a session: any (to send on it) or a live one. */
interface SessionWaiter {
  readonly live: boolean;
  readonly resolve: (session: Session) => void;
  readonly reject: (error: RedisError) => void;
  timer: NodeJS.Timeout | undefined;
}

const State = { Idle: 0, Running: 1, Closed: 2 } as const;
type State = (typeof State)[keyof typeof State];


/**
 * A pubsub instance: see the module's description. Made by `client.pubsub()`; `S` is the
 * client's string type (`Buffer` when it decodes to Buffers), which message payloads take.
 * Channel and pattern names are always strings.
 *
 * @example
 * ```ts
 * await using ps = await client.pubsub({ channels: ["invalidate"] }).connect();
 * for await (const item of ps) {
 *   if (item.type === "message") cache.delete(item.data);
 *   else cache.clear(); // "resubscribed" or "overflow": messages may have been missed
 * }
 * ```
 */
export class PubSub<S extends StringType = string> implements AsyncIterable<PubSubItem<S>>, AsyncDisposable {
  readonly #source: LeaseSource;
  readonly #decodeStrings: boolean;
  readonly #channels = new Set<string>();
  readonly #patterns = new Set<string>();
  /** Typed by `StringType`, not `S`, so that `PubSub<S>` stays covariant in `S` (as `CommandClient<S>` needs). */
  readonly #queue: ItemQueue<PubSubItem<StringType>>;
  readonly #maxBuffered: number;
  readonly #pingIntervalMs: number;
  readonly #pingTimeoutMs: number;
  readonly #subscribeTimeoutMs: number;
  readonly #reconnectDelayMs: number;
  readonly #maxReconnectDelayMs: number;

  #state: State = State.Idle;
  /** The current connection: being set up (not live yet) or live. */
  #session: Session | undefined;
  /** Cancels the lease being waited for. */
  #leasing: AbortController | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  /** Failed attempts to reconnect since the last live session. */
  #failures = 0;
  #everLive = false;
  /** A session was lost after messages could have arrived: the next live one is announced. */
  #gap = false;
  /** Messages from a connection being re-subscribed, held until its notice is queued. */
  #held: PubSubItem<S>[] | undefined;
  #waiters: SessionWaiter[] = [];
  /** Counts additions to the kept sets, so a session knows which names its set-up covered. */
  #version = 0;
  #lastError: RedisError | undefined;
  /** Why the instance stopped by itself, if it did. */
  #failure: RedisError | undefined;
  #closing: Promise<void> | undefined;
  #received = 0;
  #reconnects = 0;
  #pings = 0;
  /** In shard mode, the cluster node's part of a sharded pubsub; see {@link NodeShard}. */
  readonly #shard: NodeShard | undefined;
  /** SUBSCRIBE, or SSUBSCRIBE in shard mode. */
  readonly #channelKind: SubscriptionKind;

  /**
   * Made by `client.pubsub()`; nothing is sent until {@link PubSub.connect}, a subscription call
   * or iteration starts it.
   * @throws {InvalidArgumentError} for an option out of range or a name that is not a string.
   */
  constructor(source: LeaseSource, decodeStrings: boolean, options: PubSubOptions = {}, shard?: NodeShard) {
    assertInteger("maxBufferedMessages", options.maxBufferedMessages, 1);
    assertDuration("pingInterval", options.pingInterval);
    assertDuration("pingTimeout", options.pingTimeout);
    assertDuration("subscribeTimeout", options.subscribeTimeout);
    assertDuration("reconnectDelay", options.reconnectDelay);
    assertDuration("maxReconnectDelay", options.maxReconnectDelay);
    this.#source = source;
    this.#decodeStrings = decodeStrings;
    this.#maxBuffered = options.maxBufferedMessages ?? DEFAULT_MAX_BUFFERED;
    this.#pingIntervalMs = options.pingInterval ?? DEFAULT_PING_INTERVAL_MS;
    this.#pingTimeoutMs = options.pingTimeout ?? this.#pingIntervalMs;
    this.#subscribeTimeoutMs = options.subscribeTimeout ?? DEFAULT_SUBSCRIBE_TIMEOUT_MS;
    this.#reconnectDelayMs = options.reconnectDelay ?? DEFAULT_RECONNECT_DELAY_MS;
    this.#maxReconnectDelayMs = options.maxReconnectDelay ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
    for (const channel of checkedNames("channels", options.channels ?? [])) this.#channels.add(channel);
    for (const pattern of checkedNames("patterns", options.patterns ?? [])) this.#patterns.add(pattern);
    this.#queue = new ItemQueue<PubSubItem<StringType>>(this.#maxBuffered, (dropped) => ({ type: "overflow", dropped }));
    this.#shard = shard;
    this.#channelKind = shard === undefined ? CHANNELS : SHARDED;
    if (shard !== undefined && this.#patterns.size > 0) throw new InvalidArgumentError("sharded pubsub has no patterns");
  }

  /** The channels this instance keeps subscribed to (asked for and not unsubscribed), in order. */
  get channels(): string[] {
    return [...this.#channels];
  }

  /** The patterns this instance keeps subscribed to, in order. */
  get patterns(): string[] {
    return [...this.#patterns];
  }

  /** Whether a connection is subscribed now (false while reconnecting, before the start and after the end). */
  get isConnected(): boolean {
    return this.#session?.live === true;
  }

  /** Whether `close()` was called or the instance stopped on a failure it cannot recover from. */
  get isClosed(): boolean {
    return this.#state === State.Closed;
  }

  /** Counters: messages received, buffered and dropped, reconnections, keep-alive PINGs. */
  get stats(): PubSubStats {
    return {
      received: this.#received,
      buffered: this.#queue.length + (this.#held?.length ?? 0),
      dropped: this.#queue.dropped,
      reconnects: this.#reconnects,
      pings: this.#pings,
    };
  }

  /**
   * Starts the instance if needed and waits until a connection has confirmed every subscription
   * asked for so far (those given to `client.pubsub()` included). Idempotent.
   * @returns this instance.
   * @throws {TimeoutError} (phase `connect`) when no connection confirmed within
   *   `subscribeTimeout`; the instance keeps trying in the background (`cause` says why the last
   *   attempt failed).
   * @throws {ClientClosedError} after `close()`, or when the client is closed.
   * @throws {ResponseError} when the instance stopped: the server refused the handshake before
   *   any connection was subscribed (`AuthenticationError`), or refused the subscriptions (NOPERM).
   */
  async connect(): Promise<this> {
    this.#assertOpen();
    this.#start();
    await this.#waitForSession(true, performance.now() + this.#subscribeTimeoutMs);
    return this;
  }

  /**
   * Subscribes to one or more channels, and resolves once the server has confirmed them all
   * (re-subscribing is harmless: Redis confirms again). Starts the instance if needed. The names
   * join the set that is kept subscribed across reconnections at once, whatever the outcome — a
   * timed-out call is not undone — except when the server refuses the command, which removes the
   * names it added. While no connection can be had, it waits (the instance reconnecting) until
   * `subscribeTimeout`.
   * @throws {InvalidArgumentError} for no name, or a name that is not a string.
   * @throws {TimeoutError} when the server did not confirm within `subscribeTimeout`: phase
   *   `connect` when no connection could be had (`cause`: the last attempt's error; the instance
   *   keeps trying), `reply` when the server did not answer in time.
   * @throws {ResponseError} when the server refuses (NOPERM for a channel the ACL user may not
   *   use); the connection is then replaced (see the module's description).
   * @throws {ClientClosedError} after `close()`.
   */
  subscribe(...channels: string[]): Promise<void> {
    return this.#subscribe(this.#channelKind, this.#channels, "subscribe", channels);
  }

  /** Subscribes to one or more patterns (PSUBSCRIBE); otherwise as {@link PubSub.subscribe}. */
  psubscribe(...patterns: string[]): Promise<void> {
    if (this.#shard !== undefined) return Promise.reject(new InvalidArgumentError("sharded pubsub has no patterns"));
    return this.#subscribe(PATTERNS, this.#patterns, "psubscribe", patterns);
  }

  /**
   * Unsubscribes from channels — all of them when none is named — and resolves once the server
   * has confirmed. The names leave the kept set at once. While no connection is subscribed there
   * is nothing to undo and it resolves at once; after `close()` too. Iteration goes on even with
   * no subscription left: it ends only with `close()` or `break`. Messages the server sent before
   * it confirmed are still delivered.
   * @throws {TimeoutError} when the server did not confirm within `subscribeTimeout`.
   */
  unsubscribe(...channels: string[]): Promise<void> {
    return this.#unsubscribe(this.#channelKind, this.#channels, "unsubscribe", channels);
  }

  /** Unsubscribes from patterns — all of them when none is named; otherwise as {@link PubSub.unsubscribe}. */
  punsubscribe(...patterns: string[]): Promise<void> {
    return this.#unsubscribe(PATTERNS, this.#patterns, "punsubscribe", patterns);
  }

  /**
   * Iterates messages and notices in the order the server sent them, starting the instance if
   * needed. The loop waits (reconnecting as needed) until `close()`; `break` closes the instance.
   * It throws only when the instance stops on a failure it cannot recover from (the client was
   * closed: `ClientClosedError`; the handshake refused before any connection was subscribed; a
   * new connection's subscriptions refused), after the items already buffered.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<PubSubItem<S>> {
    this.#start();
    // The queue holds only items of this instance's string type.
    return this.#queue.iterator<PubSubItem<S>>(() => this.close());
  }

  /**
   * Stops: unsubscribes from everything, gives the connection back to the pool once the server
   * has confirmed (or closes it when that cannot be done cleanly within `subscribeTimeout`), and
   * ends iteration (items not read yet are discarded). Idempotent; never rejects.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown(undefined);
    return this.#closing;
  }

  /** `await using ps = client.pubsub()`: the same as {@link PubSub.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #subscribe(kind: SubscriptionKind, wanted: Set<string>, method: string, names: string[]): Promise<void> {
    if (names.length === 0) throw new InvalidArgumentError(`${method}() needs at least one name`);
    checkedNames(method, names);
    this.#assertOpen();
    const added = names.filter((name) => !wanted.has(name));
    for (const name of names) wanted.add(name);
    const version = ++this.#version;
    this.#start();
    const deadline = performance.now() + this.#subscribeTimeoutMs;
    for (;;) {
      const session = await this.#waitForSession(false, deadline);
      // Names unsubscribed meanwhile are not brought back.
      const still = names.filter((name) => wanted.has(name));
      if (still.length === 0) return;
      try {
        // A session set up after the names were added subscribed to them already.
        if (session.version >= version) await withDeadline(session.setup, deadline, () => this.#timeout(session, kind.subscribe));
        else await this.#command(session, kind.subscribe, still, deadline);
        return;
      } catch (error) {
        if (error instanceof ResponseError) {
          // Redis checks the whole command before it subscribes to any of it.
          for (const name of added) wanted.delete(name);
          throw error;
        }
        if (error instanceof TimeoutError) throw error;
        this.#assertOpen();
        // The connection was lost: the next one subscribes to the set, and this call confirms there.
      }
    }
  }

  async #unsubscribe(kind: SubscriptionKind, wanted: Set<string>, method: string, names: string[]): Promise<void> {
    checkedNames(method, names);
    if (names.length === 0) wanted.clear();
    else for (const name of names) wanted.delete(name);
    const session = this.#session;
    if (session === undefined || session.ended || this.#state !== State.Running) return;
    try {
      await this.#command(session, kind.unsubscribe, names, performance.now() + this.#subscribeTimeoutMs);
    } catch (error) {
      if (error instanceof ResponseError || error instanceof TimeoutError) throw error;
      // The connection was lost, and its subscriptions with it; the next one leaves these out.
    }
  }

  /**
   * Sends an (un)subscribe command and a PING after it, and resolves when the PING is answered:
   * every confirmation of the command has arrived by then (see the module's description).
   */
  #command(session: Session, command: string, names: readonly string[], deadline: number): Promise<void> {
    const attachment = session.attachment;
    const sent: Promise<void>[] = [];
    if (names.length === 0) sent.push(attachment.sendUnanswered([command]));
    for (const chunk of this.#chunks(names)) sent.push(attachment.sendUnanswered([command, ...chunk]));
    return withDeadline(this.#barrier(session, sent), deadline, () => this.#timeout(session, command));
  }

  /** Names in commands of at most {@link NAMES_PER_COMMAND}; in shard mode, one slot's names per command. */
  #chunks(names: readonly string[]): string[][] {
    const groups: string[][] = [];
    if (this.#shard === undefined) {
      for (let i = 0; i < names.length; i += NAMES_PER_COMMAND) groups.push(names.slice(i, i + NAMES_PER_COMMAND));
      return groups;
    }
    const bySlot = new Map<number, string[]>();
    for (const name of names) {
      const slot = keySlot(name);
      const group = bySlot.get(slot);
      if (group === undefined) bySlot.set(slot, [name]);
      else group.push(name);
    }
    for (const group of bySlot.values()) {
      for (let i = 0; i < group.length; i += NAMES_PER_COMMAND) groups.push(group.slice(i, i + NAMES_PER_COMMAND));
    }
    return groups;
  }

  /**
   * The PING after (un)subscribe commands: once it is answered, every confirmation of the commands
   * before it has arrived. A refused command (NOPERM) fails with its error reply, in step (see
   * `Request.unanswered`): the call rejects with it, and the connection stays.
   */
  #barrier(session: Session, sent: readonly Promise<void>[]): Promise<void> {
    return Promise.all([...sent, session.attachment.call(["PING"])]).then(ignoreValue);
  }

  #timeout(session: Session, command: string): TimeoutError {
    const address = session.attachment.connection.address;
    return new TimeoutError(`${address} did not confirm ${command} within ${this.#subscribeTimeoutMs} ms`, "reply");
  }

  /** Resolves with the current session (`live`: once it is live), waiting for one until `deadline`. */
  #waitForSession(live: boolean, deadline: number): Promise<Session> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#state === State.Closed) return Promise.reject(closedError());
    const session = this.#session;
    if (session !== undefined && !session.ended && (session.live || !live)) return Promise.resolve(session);
    return new Promise((resolve, reject) => {
      const waiter: SessionWaiter = { live, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((other) => other !== waiter);
        const cause = this.#lastError;
        const why = cause === undefined ? "" : `: ${cause.message}`;
        reject(new TimeoutError(`no connection was subscribed within ${this.#subscribeTimeoutMs} ms${why}`, "connect", { cause }));
      }, Math.max(0, deadline - performance.now()));
      this.#waiters.push(waiter);
    });
  }

  /** Hands the current session to the waiters it satisfies. */
  #wakeWaiters(session: Session): void {
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (waiter.live && !session.live) {
        this.#waiters.push(waiter);
        continue;
      }
      clearTimeout(waiter.timer);
      waiter.resolve(session);
    }
  }

  #rejectWaiters(error: RedisError): void {
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  #assertOpen(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#state === State.Closed) throw closedError();
  }

  #start(): void {
    if (this.#state !== State.Idle) return;
    this.#state = State.Running;
    void this.#attempt();
  }

  /** One attempt to lease a connection and subscribe to the whole set on it. */
  async #attempt(): Promise<void> {
    if (this.#state !== State.Running) return;
    const leasing = new AbortController();
    this.#leasing = leasing;
    let lease: Lease;
    try {
      lease = await this.#source.lease({ signal: leasing.signal, route: this.#shard?.route });
    } catch (error) {
      if (this.#leasing === leasing) this.#leasing = undefined;
      if (this.#state === State.Running) this.#attemptFailed(asRedisError(error));
      return;
    }
    this.#leasing = undefined;
    if (this.#state !== State.Running) {
      lease.release();
      return;
    }
    if (lease.connection.isClosed) {
      lease.destroy();
      this.#attemptFailed(new ConnectionError(`connection to ${lease.connection.address} closed before it was subscribed`));
      return;
    }
    const session = new Session(
      this.#version,
      (self) =>
        new Attachment(lease, {
          pushMode: "subscribed",
          decodeStrings: this.#decodeStrings,
          onPush: (push) => this.#onPush(self, push),
          onClose: (error) => this.#onSessionClosed(self, error),
        }),
    );
    this.#session = session;
    if (this.#gap) this.#held ??= [];
    const attachment = session.attachment;
    const sent: Promise<void>[] = [];
    for (const [kind, wanted] of [[this.#channelKind, this.#channels], [PATTERNS, this.#patterns]] as const) {
      for (const chunk of this.#chunks([...wanted])) sent.push(attachment.sendUnanswered([kind.subscribe, ...chunk]));
    }
    session.setup = this.#barrier(session, sent);
    this.#wakeWaiters(session);
    try {
      await session.setup;
    } catch (error) {
      if (error instanceof ResponseError && this.#shard !== undefined && isRedirection(error)) {
        // A node that no longer serves these channels' slots: its owner moves them, and this
        // instance tries again with what it still keeps.
        session.ended = true;
        session.attachment.destroy();
        if (this.#session === session) this.#session = undefined;
        this.#shard.onTrouble(error);
        this.#attemptFailed(error);
        return;
      }
      if (error instanceof ResponseError) {
        // The server refused the subscriptions (or PING): an ACL that changed since they were
        // accepted, or forbids them from the start. What this instance promises cannot be kept.
        this.#fail(error);
        return;
      }
      // Lost during set-up: #onSessionClosed has scheduled the next attempt.
      return;
    }
    if (session.ended || this.#state !== State.Running) return;
    session.live = true;
    this.#everLive = true;
    this.#failures = 0;
    if (this.#gap) {
      this.#gap = false;
      this.#reconnects++;
      this.#queue.push({ type: "resubscribed", channels: [...this.#channels], patterns: [...this.#patterns] });
    }
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) for (const item of held) this.#queue.push(item);
    this.#wakeWaiters(session);
    this.#armKeepAlive();
  }

  #attemptFailed(error: RedisError): void {
    this.#lastError = error;
    const redirected = this.#shard !== undefined && error instanceof ResponseError && isRedirection(error);
    if (
      error instanceof ClientClosedError ||
      error instanceof InvalidArgumentError ||
      (error instanceof ResponseError && !this.#everLive && !redirected)
    ) {
      this.#fail(error);
      return;
    }
    this.#failures++;
    const delay = Math.min(this.#maxReconnectDelayMs, this.#reconnectDelayMs * 2 ** (this.#failures - 1));
    this.#scheduleAttempt(delay);
  }

  #scheduleAttempt(delayMs: number): void {
    clearTimeout(this.#retryTimer);
    // Not unref'd: a reader waiting for messages has nothing else keeping the process alive now.
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#attempt();
    }, delayMs);
  }

  #onSessionClosed(session: Session, error: RedisError | undefined): void {
    if (session.ended) return;
    session.ended = true;
    session.attachment.lease.destroy();
    if (this.#session !== session) return;
    this.#session = undefined;
    if (this.#state !== State.Running) return;
    const lost = error ?? new ConnectionError(`${session.attachment.connection.address} closed the connection`);
    this.#lastError = lost;
    this.#shard?.onTrouble(lost);
    if (this.#everLive || this.#received > 0) this.#gap = true;
    if (session.live) this.#scheduleAttempt(0);
    else this.#attemptFailed(lost);
  }

  /** The push listener of `session`'s connection: the message path. */
  #onPush(session: Session, push: PushMessage): void {
    switch (kindOf(push[0])) {
      case MESSAGE:
        this.#deliver({ type: "message", channel: nameOf(push[1]), pattern: undefined, data: push[2] as S });
        return;
      case PMESSAGE:
        this.#deliver({ type: "pmessage", channel: nameOf(push[2]), pattern: nameOf(push[1]), data: push[3] as S });
        return;
      case CONFIRMATION: {
        const count = push[2];
        if (typeof count === "number") session.count = count;
        if (this.#shard !== undefined) this.#noteServerUnsubscribe(push);
        return;
      }
      default:
      // Other pushes (sharded messages, cache invalidations) are not this instance's.
    }
  }

  /**
   * Shard mode: a SUNSUBSCRIBE for a channel still kept was not asked for (this instance drops a
   * name from the kept set before it unsubscribes): the server dropped it, its slot having moved.
   */
  #noteServerUnsubscribe(push: PushMessage): void {
    const kind = push[0];
    if ((typeof kind === "string" ? kind : kind instanceof Buffer ? kind.toString("latin1") : "") !== "sunsubscribe") return;
    const channel = nameOf(push[1]);
    if (!this.#channels.delete(channel)) return;
    this.#shard?.onDropped([channel]);
  }

  #deliver(item: PubSubMessage<S>): void {
    this.#received++;
    const held = this.#held;
    if (held === undefined) {
      this.#queue.push(item);
      return;
    }
    if (held.length >= this.#maxBuffered) {
      held.shift();
      this.#queue.noteDropped(1);
    }
    held.push(item);
  }

  #armKeepAlive(): void {
    const intervalMs = this.#pingIntervalMs;
    if (intervalMs === 0 || this.#pingTimer !== undefined) return;
    const timeoutMs = this.#pingTimeoutMs === 0 ? intervalMs : Math.min(intervalMs, this.#pingTimeoutMs);
    this.#pingTimer = setInterval(() => this.#keepAlive(), Math.max(1, timeoutMs / 4));
    this.#pingTimer.unref();
  }

  #keepAlive(): void {
    const session = this.#session;
    if (session === undefined || !session.live || session.ended) return;
    const connection = session.attachment.connection;
    const intervalMs = this.#pingIntervalMs;
    const now = performance.now();
    if (session.pingSentAt !== undefined) {
      // Anything received since the PING proves the connection alive (its reply may be queued
      // behind many messages).
      const timeoutMs = this.#pingTimeoutMs;
      if (timeoutMs > 0 && now - Math.max(session.pingSentAt, connection.lastActivityMs) >= timeoutMs) {
        // Checked again after the poll phase: when this process itself was busy, bytes that
        // arrived meanwhile are read only then, and must count.
        setImmediate(() => this.#checkAlive(session));
      }
      return;
    }
    if (now - connection.lastActivityMs < intervalMs) return;
    session.pingSentAt = now;
    this.#pings++;
    connection.send(
      new Request(["PING"], this.#decodeStrings, undefined, (value) => {
        session.pingSentAt = undefined;
        // An error reply still proves the connection alive; a lost connection is handled by its close.
        if (value instanceof Promise) value.catch(ignoreValue);
      }),
    );
  }

  #checkAlive(session: Session): void {
    if (session.ended || session.pingSentAt === undefined) return;
    const connection = session.attachment.connection;
    const timeoutMs = this.#pingTimeoutMs;
    if (performance.now() - Math.max(session.pingSentAt, connection.lastActivityMs) < timeoutMs) return;
    connection.destroy(new TimeoutError(`${connection.address} sent nothing for ${timeoutMs} ms after a keep-alive PING`, "reply"));
  }

  /** Stops for good: on `close()` (`failure` undefined) or on a failure it cannot recover from. */
  async #shutDown(failure: RedisError | undefined): Promise<void> {
    this.#state = State.Closed;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
    this.#retryTimer = undefined;
    this.#pingTimer = undefined;
    this.#leasing?.abort();
    this.#leasing = undefined;
    this.#held = undefined;
    // A failure lets the reader take what was buffered first; a close discards it.
    this.#queue.end(failure, failure === undefined);
    this.#rejectWaiters(failure ?? closedError());
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined || session.ended) return;
    session.ended = true;
    const attachment = session.attachment;
    try {
      const sent =
        this.#shard === undefined
          ? [attachment.sendUnanswered([CHANNELS.unsubscribe]), attachment.sendUnanswered([PATTERNS.unsubscribe])]
          : [attachment.sendUnanswered([SHARDED.unsubscribe])];
      const deadline = performance.now() + this.#subscribeTimeoutMs;
      await withDeadline(this.#barrier(session, sent), deadline, () => new TimeoutError("unsubscribing timed out", "reply"));
      const connection = attachment.connection;
      if (session.count === 0 && connection.pendingCount === 0 && !connection.isClosed && !attachment.isDetached) {
        attachment.release();
        return;
      }
    } catch {
      // Fall through: the connection cannot be given back clean.
    }
    attachment.destroy();
  }

  #fail(error: RedisError): void {
    if (this.#state === State.Closed) return;
    this.#failure = error;
    this.#closing ??= this.#shutDown(error);
  }
}

/** Checks that every name is a string. */
function checkedNames(what: string, names: readonly unknown[]): readonly string[] {
  for (const name of names) {
    if (typeof name !== "string") throw new InvalidArgumentError(`${what}: channel and pattern names must be strings, got ${typeof name}`);
  }
  return names as readonly string[];
}

/** Replies that say "not this node, or not now" (MOVED, ASK, TRYAGAIN, CLUSTERDOWN). */
function isRedirection(error: ResponseError): boolean {
  return /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/.test(error.message);
}

function closedError(): ClientClosedError {
  return new ClientClosedError("the pubsub instance is closed");
}

function asRedisError(error: unknown): RedisError {
  if (error instanceof RedisError) return error;
  return new ConnectionError(error instanceof Error ? error.message : String(error), { cause: error });
}

function ignoreValue(): void {}

/** `promise`, or a rejection with `timeout()` once `deadline` (a `performance.now()` time) passes. */
function withDeadline<T>(promise: Promise<T>, deadline: number, timeout: () => RedisError): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeout()), Math.max(0, deadline - performance.now()));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
