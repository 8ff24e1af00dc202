/**
 * `Tracker`: what keeps a client-side cache true to the server — the server's CLIENT TRACKING on
 * every connection of the client's pool, the invalidations it sends, the reads in flight that an
 * invalidation spoils, and the barrier a hit waits behind.
 *
 * - **Tracking.** The pool tells the tracker of each connection once its handshake is done and
 *   before it lends it (`addConnectionListener`), so `CLIENT TRACKING ON` (with `BCAST PREFIX …`
 *   in broadcast mode) is that connection's first request, and every read after it is tracked.
 *   Under RESP3 invalidations arrive on the connection itself as `["invalidate", keys | null]`
 *   pushes. Under RESP2 (asked for, or a server that refused HELLO) a connection of the cache's
 *   own per server, leased from the pool, is SUBSCRIBEd to `__redis__:invalidate`, and each data
 *   connection tracks with `REDIRECT <its id>`.
 * - **What may be stored.** A reply is stored only if it was read on a connection whose TRACKING
 *   request went before it and was answered OK, that connection is still open, and no
 *   invalidation of its key (nor a flush, nor a loss of tracking) arrived since the read was
 *   issued: each read in flight is registered under its keys, and an invalidation spoils it.
 * - **Expiry.** The server invalidates an expired key only once it deletes it, which may be late;
 *   so each read is followed, on the same connection in the same write, by `PTTL key`, and the
 *   entry expires at (time the read was written + PTTL): never later than the key does.
 * - **The barrier.** A hit is answered only once what the server has sent is read, and the entry
 *   is looked at again then. By default (`consistency: "strict"`): Redis queues an invalidation
 *   on the tracking connection's output before it answers the write that caused it, so the hit
 *   waits until that connection has answered a request written after the hit was asked — one
 *   PING per write, shared by every hit asked while it is unwritten: a write another client saw
 *   acknowledged before the hit was asked is never hidden by it, whatever the scheduler. With
 *   `"received"`, after the event loop's next I/O poll: every socket's received bytes read, the
 *   invalidations among them applied, with no round trip — but Redis writes a write's
 *   acknowledgement just before the invalidation it causes, so a hit in the few microseconds
 *   between may still answer the old value.
 * - **Losses.** A connection that closes takes its entries with it at once; under RESP2 the loss
 *   of the invalidation connection clears the whole cache, and nothing is stored again until a
 *   new one is subscribed and every data connection tracks again with its id.
 *
 * @module
 */
import type { BaseConnection } from "../connection/base-connection.js";
import { Request, RequestState } from "../connection/request.js";
import { keyString } from "../commands/keys.js";
import type { Lease, LeaseOptions } from "../pool/target.js";
import type { PushMessage, RedisArgument, RESPValue } from "../protocol/values.js";
import { Attachment } from "../pubsub/attachment.js";
import type { ResolvedCacheOptions } from "./options.js";
import { approximateBytes, CacheStore } from "./store.js";

/**
 * Told each time a request is put on a connection (first tries, retries, redirections alike),
 * in the same turn, so that what it sends there follows the request in the same write.
 */
export interface WriteObserver {
  written(connection: BaseConnection, argv: readonly RedisArgument[]): void;
}

/** What the tracker needs of its client's pool: `ConnectionPool` and `ClusterConnectionPool` both fit. */
export interface TrackedTarget {
  /** Tells the listener of each connection (and its node's address, for a cluster) before it is lent. */
  addConnectionListener(listener: (connection: BaseConnection, node?: string) => void): () => void;
  /** Whether the connection is shared now (not lent to one owner). */
  isMultiplexed(connection: BaseConnection): boolean;
  /** A connection for the tracker alone: the RESP2 invalidation connection. */
  lease(options?: LeaseOptions): Promise<Lease>;
}

/** The RESP2 channel invalidations are published on. */
const INVALIDATE_CHANNEL = "__redis__:invalidate";
/** Pause before leasing an invalidation connection again after a failure. */
const REOPEN_DELAY_MS = 200;

/** A request of the tracker's own, answered to a callback rather than a promise. */
class CallbackRequest extends Request {
  constructor(
    argv: readonly RedisArgument[],
    readonly onDone: (reply: unknown, failed: boolean) => void,
  ) {
    super(argv, true, undefined, ignore);
  }

  override settle(value: unknown): void {
    if (this.isDone) return;
    this.state = RequestState.Settled;
    this.onDone(value, false);
  }

  protected override deliverError(): void {
    this.onDone(undefined, true);
  }
}

function ignore(): void {}

/**
 * The first hop of a "received" barrier. A hit asked while the poll phase runs (a reply's
 * continuation) would see, from this check phase, nothing that arrived after that phase began:
 * one more turn, so a poll phase starts after the hit was asked.
 */
function waitAnotherTurn(tracker: Tracker): void {
  setImmediate(releaseAfterPoll, tracker);
}

function releaseAfterPoll(tracker: Tracker): void {
  tracker.releaseAfterPoll();
}

/** What waits behind a barrier: told `true` once it passed, `false` if its PING failed. */
export interface BarrierWaiter {
  fresh(fresh: boolean): void;
}

/** The PING a barrier waits for, and the hits waiting for it. */
class BarrierRequest extends Request {
  readonly waiters: BarrierWaiter[] = [];

  constructor() {
    super(["PING"], true, undefined, ignore);
  }

  override settle(): void {
    if (this.isDone) return;
    this.state = RequestState.Settled;
    for (const waiter of this.waiters) waiter.fresh(true);
  }

  protected override deliverError(): void {
    for (const waiter of this.waiters) waiter.fresh(false);
  }
}

/** Where a barrier PING goes: a data connection (RESP3), or a server's invalidation connection (RESP2). */
interface BarrierHolder {
  barrier: BarrierRequest | undefined;
}

/** The tracking of one data connection. */
export class ConnectionTracking implements BarrierHolder {
  /** Bumped by every TRACKING request and every loss: a read is vouched for only within one. */
  generation = 0;
  /** A TRACKING request is on its way or was answered OK (in this generation). */
  requested = false;
  /** The TRACKING request of this generation was answered OK. */
  on = false;
  closed = false;
  barrier: BarrierRequest | undefined = undefined;
  readonly removers: (() => void)[] = [];

  constructor(
    readonly connection: BaseConnection,
    /** The server's invalidation connection, under RESP2. */
    readonly channel: RedirectChannel | undefined,
  ) {}
}

/** A server's RESP2 invalidation connection and the data connections that redirect to it. */
class RedirectChannel implements BarrierHolder {
  attachment: Attachment | undefined = undefined;
  id: number | undefined = undefined;
  ready = false;
  opening = false;
  barrier: BarrierRequest | undefined = undefined;
  readonly members = new Set<ConnectionTracking>();
  retryTimer: NodeJS.Timeout | undefined = undefined;

  constructor(readonly node: string) {}
}

/** One key of a read in flight; see {@link PendingRead}. */
export interface ReadSlotSpec {
  /** The entry's identity. */
  readonly id: string;
  /** The Redis key (as a string). */
  readonly key: string;
  /** The key as the caller gave it, for PTTL. */
  readonly arg: RedisArgument;
}

class ReadSlot {
  spoiled = false;
  resolved = false;
  hasRaw = false;
  raw: unknown = undefined;
  attempt: PttlRequest | undefined = undefined;

  constructor(readonly spec: ReadSlotSpec) {}
}

/** The PTTL sent after a read, on its connection: when it is answered the read may be stored. */
class PttlRequest extends Request {
  pttl: number | undefined = undefined;
  done = false;

  constructor(
    readonly read: PendingRead,
    readonly slot: ReadSlot,
    readonly tracking: ConnectionTracking | undefined,
    readonly generation: number,
    readonly writtenAtMs: number,
  ) {
    super(["PTTL", slot.spec.arg], true, undefined, ignore);
  }

  override settle(value: unknown): void {
    if (this.isDone) return;
    this.state = RequestState.Settled;
    this.read.pttlDone(this, typeof value === "number" ? value : undefined);
  }

  protected override deliverError(): void {
    this.read.pttlDone(this, undefined);
  }
}

/**
 * A read on its way to the server whose reply may be cached, one slot per entry it would make (one
 * for a single-key read, one per key for the misses of an MGET). Registered under its keys until
 * every slot is stored or dropped, so that an invalidation arriving meanwhile spoils it.
 */
export class PendingRead implements WriteObserver {
  readonly #tracker: Tracker;
  readonly #slots: readonly ReadSlot[];
  /** Slots by key, for a multi-key read (its parts name their keys). */
  readonly #byKey: Map<string, ReadSlot[]> | undefined;
  readonly epoch: number;
  #settled = false;

  constructor(
    tracker: Tracker,
    specs: readonly ReadSlotSpec[],
    multi: boolean,
    readonly ttlCapMs: number | undefined,
  ) {
    this.#tracker = tracker;
    this.epoch = tracker.epoch;
    this.#slots = specs.map((spec) => new ReadSlot(spec));
    if (multi) {
      this.#byKey = new Map();
      for (const slot of this.#slots) {
        const list = this.#byKey.get(slot.spec.key);
        if (list === undefined) this.#byKey.set(slot.spec.key, [slot]);
        else list.push(slot);
      }
    }
    for (const slot of this.#slots) tracker.register(slot);
  }

  /** {@link WriteObserver}: the read (or one part of it) went on `connection`: PTTL of each key follows it. */
  written(connection: BaseConnection, argv: readonly RedisArgument[]): void {
    const tracking = this.#tracker.trackingOf(connection);
    const generation = tracking !== undefined && tracking.requested ? tracking.generation : -1;
    const now = performance.now();
    const byKey = this.#byKey;
    if (byKey === undefined) {
      for (const slot of this.#slots) this.#follow(connection, slot, tracking, generation, now);
      return;
    }
    for (let i = 1; i < argv.length; i++) {
      const slots = byKey.get(keyString(argv[i] as RedisArgument));
      if (slots !== undefined) for (const slot of slots) this.#follow(connection, slot, tracking, generation, now);
    }
  }

  #follow(connection: BaseConnection, slot: ReadSlot, tracking: ConnectionTracking | undefined, generation: number, now: number): void {
    if (slot.resolved) return;
    const attempt = new PttlRequest(this, slot, tracking, generation, now);
    slot.attempt = attempt;
    connection.send(attempt);
  }

  /** The raw reply of slot `index` (a copy the caller never sees). */
  setRaw(index: number, raw: unknown): void {
    const slot = this.#slots[index];
    if (slot === undefined || slot.hasRaw) return;
    slot.raw = raw;
    slot.hasRaw = true;
    this.#tryStore(slot);
  }

  /** The read's call is over (answered or failed): slots without a reply are dropped. */
  finish(): void {
    this.#settled = true;
    for (const slot of this.#slots) this.#tryStore(slot);
  }

  /** @internal A PTTL came back (`undefined`: failed, or not a number). */
  pttlDone(attempt: PttlRequest, pttl: number | undefined): void {
    attempt.pttl = pttl;
    attempt.done = true;
    if (attempt.slot.attempt === attempt) this.#tryStore(attempt.slot);
  }

  #tryStore(slot: ReadSlot): void {
    if (slot.resolved) return;
    const attempt = slot.attempt;
    if (!slot.hasRaw || attempt === undefined) {
      if (this.#settled && (attempt === undefined || attempt.done || !slot.hasRaw)) this.#resolve(slot);
      return;
    }
    if (!attempt.done) return;
    this.#resolve(slot);
    if (!slot.spoiled && this.epoch === this.#tracker.epoch) this.#tracker.keep(slot.spec, slot.raw, attempt, this.ttlCapMs);
  }

  #resolve(slot: ReadSlot): void {
    slot.resolved = true;
    this.#tracker.unregister(slot);
  }
}

/** See the module's description. */
export class Tracker {
  readonly store: CacheStore<ConnectionTracking>;
  hits = 0;
  misses = 0;
  invalidations = 0;
  /** Bumped by every flush, clear and loss of tracking: reads issued before it are not stored. */
  epoch = 0;
  readonly #connections = new Map<BaseConnection, ConnectionTracking>();
  readonly #channels = new Map<string, RedirectChannel>();
  /** Reads in flight, by key: an invalidation of the key spoils them. */
  readonly #pending = new Map<string, Set<ReadSlot>>();
  #removeListener: (() => void) | undefined = undefined;
  readonly #trackingArgs: readonly string[];
  /** Hits waiting for the event loop's next I/O poll (consistency "received"). */
  #afterPoll: BarrierWaiter[] = [];
  #pollScheduled = false;

  constructor(
    readonly target: TrackedTarget,
    readonly options: ResolvedCacheOptions,
  ) {
    this.store = new CacheStore(options.maxKeys, options.maxBytes);
    const args = ["CLIENT", "TRACKING", "ON"];
    if (options.mode === "broadcast") {
      args.push("BCAST");
      for (const prefix of options.prefixes) args.push("PREFIX", prefix);
    }
    this.#trackingArgs = args;
  }

  /** Starts tracking the pool's connections (idempotent; cheap when attached already). */
  attach(): void {
    if (this.#removeListener !== undefined) return;
    this.#removeListener = () => undefined; // re-entrancy: the pool reports open connections at once
    this.#removeListener = this.target.addConnectionListener((connection, node) => this.#onConnection(connection, node ?? ""));
  }

  /** Stops tracking (the client closed): listeners off, the invalidation connections closed, everything dropped. */
  detach(): void {
    const remove = this.#removeListener;
    if (remove === undefined) return;
    this.#removeListener = undefined;
    remove();
    for (const tracking of [...this.#connections.values()]) this.#forget(tracking);
    for (const channel of this.#channels.values()) {
      clearTimeout(channel.retryTimer);
      const attachment = channel.attachment;
      channel.attachment = undefined;
      channel.ready = false;
      attachment?.destroy();
    }
    this.#channels.clear();
    this.clear();
  }

  /** Whether keys of this name are cached at all (broadcast mode caches only its prefixes). */
  covers(key: string): boolean {
    const prefixes = this.options.prefixes;
    if (this.options.mode !== "broadcast" || prefixes.length === 0) return true;
    for (const prefix of prefixes) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** Whether there is anything an invalidation could change: no entries and no reads in flight means none. */
  get idle(): boolean {
    return this.store.size === 0 && this.#pending.size === 0;
  }

  /** Drops everything, and spoils every read in flight. */
  clear(): void {
    this.store.clear();
    this.epoch++;
  }

  /** Drops the entries of `key` and spoils the reads of it in flight. */
  invalidateKey(key: string): void {
    this.store.deleteKey(key);
    const slots = this.#pending.get(key);
    if (slots !== undefined) for (const slot of slots) slot.spoiled = true;
  }

  /** The tracking of a connection the pool reported, if any. */
  trackingOf(connection: BaseConnection): ConnectionTracking | undefined {
    return this.#connections.get(connection);
  }

  /** @internal */
  register(slot: ReadSlot): void {
    const key = slot.spec.key;
    let set = this.#pending.get(key);
    if (set === undefined) {
      set = new Set();
      this.#pending.set(key, set);
    }
    set.add(slot);
  }

  /** @internal */
  unregister(slot: ReadSlot): void {
    const key = slot.spec.key;
    const set = this.#pending.get(key);
    if (set === undefined) return;
    set.delete(slot);
    if (set.size === 0) this.#pending.delete(key);
  }

  /** @internal Stores a read's reply if its connection vouches for it; its expiry from PTTL and the caps. */
  keep(spec: ReadSlotSpec, raw: unknown, attempt: PttlRequest, ttlCapMs: number | undefined): void {
    const tracking = attempt.tracking;
    const pttl = attempt.pttl;
    if (tracking === undefined || pttl === undefined || tracking.closed || !tracking.on || tracking.generation !== attempt.generation) return;
    // The key was gone by the time PTTL ran: a value read just before may be one that expired.
    if (pttl === -2 && raw !== null) return;
    const now = performance.now();
    // Less 1 ms: the server counts whole milliseconds, so its PTTL may be up to 1 ms long.
    let expiresAtMs = pttl >= 0 ? attempt.writtenAtMs + pttl - 1 : Infinity;
    if (this.options.ttlMs !== undefined) expiresAtMs = Math.min(expiresAtMs, now + this.options.ttlMs);
    if (ttlCapMs !== undefined) expiresAtMs = Math.min(expiresAtMs, now + ttlCapMs);
    if (expiresAtMs <= now) return;
    this.store.set({ id: spec.id, key: spec.key, value: raw, bytes: approximateBytes(spec.id, raw), expiresAtMs, producer: tracking });
  }

  /**
   * Tells `waiter` `true` once a request written after now on the connection that vouches for
   * `producer`'s entries has been answered (so every invalidation the server queued before now
   * has been applied), `false` if that request failed. Returns false, calling nothing, when
   * no such request can be sent now (the connection is lent to one owner, or closed): serve a miss.
   */
  barrier(producer: ConnectionTracking, waiter: BarrierWaiter): boolean {
    const channel = producer.channel;
    const holder: BarrierHolder = channel ?? producer;
    const connection = channel === undefined ? producer.connection : channel.attachment?.connection;
    if (connection === undefined || connection.isClosed || producer.closed) return false;
    if (channel === undefined ? !this.target.isMultiplexed(connection) : !channel.ready) return false;
    if (this.options.consistency === "received") {
      this.#afterPoll.push(waiter);
      if (!this.#pollScheduled) {
        this.#pollScheduled = true;
        setImmediate(waitAnotherTurn, this);
      }
      return true;
    }
    let barrier = holder.barrier;
    if (barrier === undefined || barrier.state !== RequestState.Queued) {
      barrier = new BarrierRequest();
      holder.barrier = barrier;
      connection.send(barrier);
      if (barrier.isDone) return false;
    }
    barrier.waiters.push(waiter);
    return true;
  }

  /**
   * @internal Answers the hits that waited for an I/O poll. Called from the check phase of the
   * turn after the one they were asked in: that turn's poll phase has read what every socket had
   * received, the invalidations among it applied.
   */
  releaseAfterPoll(): void {
    const waiters = this.#afterPoll;
    this.#afterPoll = [];
    this.#pollScheduled = false;
    for (const waiter of waiters) waiter.fresh(true);
  }

  #onConnection(connection: BaseConnection, node: string): void {
    if (this.#removeListener === undefined || connection.isClosed || this.#connections.has(connection)) return;
    if (this.#isChannelConnection(connection)) return;
    const resp2 = connection.protocolVersion !== 3;
    const channel = resp2 ? this.#channelFor(node) : undefined;
    const tracking = new ConnectionTracking(connection, channel);
    this.#connections.set(connection, tracking);
    tracking.removers.push(connection.addCloseListener(() => this.#forget(tracking)));
    if (channel === undefined) {
      tracking.removers.push(connection.addPushListener((message) => this.#onPush(message)));
      this.#requestTracking(tracking, this.#trackingArgs);
      return;
    }
    channel.members.add(tracking);
    if (channel.ready && channel.id !== undefined) this.#requestTracking(tracking, this.#redirectArgs(channel.id));
    else this.#openChannel(channel);
  }

  #isChannelConnection(connection: BaseConnection): boolean {
    for (const channel of this.#channels.values()) if (channel.attachment?.connection === connection) return true;
    return false;
  }

  #redirectArgs(id: number): string[] {
    return [...this.#trackingArgs.slice(0, 3), "REDIRECT", String(id), ...this.#trackingArgs.slice(3)];
  }

  #requestTracking(tracking: ConnectionTracking, argv: readonly string[]): void {
    const generation = ++tracking.generation;
    tracking.requested = true;
    tracking.on = false;
    tracking.connection.send(
      new CallbackRequest(argv, (reply, failed) => {
        if (tracking.generation !== generation) return;
        if (failed || reply !== "OK") tracking.requested = false;
        else tracking.on = true;
      }),
    );
  }

  /** A data connection is gone (or no longer one): its entries go with it. */
  #forget(tracking: ConnectionTracking): void {
    if (this.#connections.get(tracking.connection) === tracking) this.#connections.delete(tracking.connection);
    tracking.closed = true;
    tracking.on = false;
    tracking.requested = false;
    tracking.generation++;
    tracking.channel?.members.delete(tracking);
    for (const remove of tracking.removers) remove();
    tracking.removers.length = 0;
    this.store.dropProducer(tracking);
  }

  /** RESP3: an `invalidate` push on a data connection. */
  #onPush(message: PushMessage): void {
    if (isWord(message[0], "invalidate")) this.#invalidate(message[1]);
  }

  /** RESP2: a message on the invalidation channel. */
  #onChannelPush(message: PushMessage): void {
    if (isWord(message[0], "message") && isWord(message[1], INVALIDATE_CHANNEL)) this.#invalidate(message[2]);
  }

  /** Keys invalidated by the server; `null` (a flush) invalidates everything. */
  #invalidate(keys: RESPValue | undefined): void {
    if (!Array.isArray(keys)) {
      this.invalidations++;
      this.clear();
      return;
    }
    for (const key of keys) {
      this.invalidations++;
      if (typeof key === "string" || Buffer.isBuffer(key)) this.invalidateKey(keyString(key));
    }
  }

  #channelFor(node: string): RedirectChannel {
    let channel = this.#channels.get(node);
    if (channel === undefined) {
      channel = new RedirectChannel(node);
      this.#channels.set(node, channel);
    }
    return channel;
  }

  /** RESP2: leases and subscribes a server's invalidation connection, then has every data connection track with its id. */
  #openChannel(channel: RedirectChannel): void {
    if (channel.opening || channel.ready || this.#removeListener === undefined) return;
    channel.opening = true;
    this.#subscribeChannel(channel).then(
      () => {
        channel.opening = false;
      },
      () => {
        channel.opening = false;
        const attachment = channel.attachment;
        channel.attachment = undefined;
        attachment?.destroy();
        if (this.#removeListener === undefined || channel.members.size === 0) return;
        channel.retryTimer = setTimeout(() => this.#openChannel(channel), REOPEN_DELAY_MS);
        channel.retryTimer.unref();
      },
    );
  }

  async #subscribeChannel(channel: RedirectChannel): Promise<void> {
    const lease = await this.target.lease(channel.node === "" ? {} : { route: { node: channel.node } });
    if (this.#removeListener === undefined || this.#channels.get(channel.node) !== channel) {
      lease.release();
      return;
    }
    // It may have been a data connection: it is not one any more.
    const former = this.#connections.get(lease.connection);
    if (former !== undefined) this.#forget(former);
    const attachment = new Attachment(lease, {
      pushMode: "subscribed",
      decodeStrings: true,
      onPush: (message) => this.#onChannelPush(message),
      onClose: () => this.#onChannelLost(channel, attachment),
    });
    channel.attachment = attachment;
    if (former !== undefined) await attachment.call(["CLIENT", "TRACKING", "OFF"]);
    const id = await attachment.call(["CLIENT", "ID"]);
    const subscribed = attachment.sendUnanswered(["SUBSCRIBE", INVALIDATE_CHANNEL]);
    await attachment.call(["PING"]);
    await subscribed;
    if (typeof id !== "number") throw new TypeError("CLIENT ID did not answer a number");
    if (channel.attachment !== attachment || attachment.isDetached) throw new TypeError("the invalidation connection was lost");
    channel.id = id;
    channel.ready = true;
    for (const member of channel.members) this.#requestTracking(member, this.#redirectArgs(id));
  }

  /**
   * RESP2: the invalidation connection is gone, so invalidations for every data connection of its
   * server are lost from now on: the whole cache is cleared, no read is vouched for until its
   * connection tracks again, and a new invalidation connection is leased.
   */
  #onChannelLost(channel: RedirectChannel, attachment: Attachment): void {
    if (channel.attachment !== attachment) return;
    channel.attachment = undefined;
    channel.ready = false;
    channel.id = undefined;
    channel.barrier = undefined;
    this.clear();
    for (const member of channel.members) {
      member.generation++;
      member.requested = false;
      member.on = false;
    }
    if (channel.members.size > 0) this.#openChannel(channel);
  }
}

/** Whether a push element is the word `word` (a string, or a Buffer when pushes are not decoded). */
function isWord(value: RESPValue | undefined, word: string): boolean {
  if (typeof value === "string") return value === word;
  return Buffer.isBuffer(value) && value.length === word.length && value.toString("latin1") === word;
}
