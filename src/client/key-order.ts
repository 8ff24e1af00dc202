/**
 * Program order per key: two calls on one client, the second issued after the first and naming
 * a common key (or the first a command that may touch any key, such as FLUSHALL), run on the
 * server in call order, whatever connection carries them.
 *
 * Replies on one connection come in write order, so calls on one connection are ordered already;
 * only a call that would go on another connection (the bulk lane, an extra shared connection, a
 * dedicated one, a fresh one after a retry) could overtake. So the rule costs nothing while a
 * client's keyed calls in flight are all on one connection, which is the common case:
 *
 * ```
 *   single ── a keyed call would go elsewhere while others are in flight ──▶ multi
 *     ▲          (or one waits: for the pool, for a retry, behind a conflict)   │
 *     └──────── every keyed call in flight is on one connection again ◀─────────┘
 * ```
 * - **single**: all of the client's keyed calls in flight to one server are on that server's
 *   `home` connection; only a count per server is kept. Calls to different servers (a cluster's
 *   nodes) never share a key while the slot map holds — a key's slot picks its node — so they
 *   need no order between them; a redirection (MOVED, ASK) is a retry, and a retry puts the
 *   order in multi mode, where calls are indexed by key whatever server they are on.
 * - **multi**: every keyed call in flight is indexed by key, with the place it is on. A new call
 *   whose keys are in flight on another connection follows them there (a small GET goes on the
 *   bulk lane behind the large SET of its key); one that would have to follow two places, or
 *   follow a call still waiting for a connection, or a dedicated call with keys in flight,
 *   waits in a FIFO until that clears. Calls that wait to be retried wait in the same FIFO,
 *   ahead of the calls that came after them, so a retry keeps its place too.
 *
 * A blocking call (BLPOP) is ordered after the calls before it, but calls after it wait only
 * until it is written, not until it is answered: it may be waiting for one of them.
 *
 * @module
 */
import type { BaseConnection } from "../connection/base-connection.js";
import type { Request } from "../connection/request.js";
import type { RedisArgument } from "../protocol/values.js";
import { KeyScope, keyString } from "../commands/keys.js";

/** A tracked call waiting for a connection from the pool. */
export const ACQUIRING = Symbol("acquiring");
/**
 * A tracked dedicated call waiting for a connection of its own. The pool serves those first come,
 * first served, so a later dedicated call on the same keys may wait for the pool beside it.
 */
export const ACQUIRING_DEDICATED = Symbol("acquiring dedicated");
/**
 * A batch's lease ticket (`holdsOrder`) waiting for its connection. Unlike a dedicated call, a
 * batch keeps its keys until it ends, not only until it is written: a later call on them, batch
 * or not, waits for it in the order's FIFO rather than beside it in the pool's.
 */
export const ACQUIRING_LEASE = Symbol("acquiring lease");
/** A tracked call held in the FIFO: behind a conflict, or waiting to be retried. */
export const WAITING = Symbol("waiting");
/** Where a tracked call is. */
export type Place = BaseConnection | typeof ACQUIRING | typeof ACQUIRING_DEDICATED | typeof ACQUIRING_LEASE | typeof WAITING;

/**
 * What the order needs of a request. `mark` is the request's {@link KeyScope} while it is
 * tracked, and 0 while it is not; `place` and `epoch` are kept for it in multi mode.
 */
export interface OrderedRequest extends Request {
  place: Place | undefined;
  epoch: number;
  /** The server home it was counted at in single mode (`undefined` once indexed in multi mode). */
  home: OrderHome | undefined;
  /** The keys it names, or `undefined` when it may touch any; read once, then kept. */
  keys(): readonly RedisArgument[] | undefined;
  /** Whether it holds a connection of its own (a blocking command, a batch's lease). */
  readonly dedicated: boolean;
  /**
   * Whether calls after it on its keys wait until it is done, even once it is written (a
   * pipeline's lease); a dedicated call orders the calls after it only until it is written.
   */
  readonly holdsOrder: boolean;
}

/** What the order asks of its client. */
export interface OrderHost<R extends OrderedRequest> {
  /** Whether `request` is one of this client's (pools are shared between clients). */
  owns(request: Request): request is R;
  /** The key scope of a request the order does not track (yet). */
  scopeOf(request: R): KeyScope;
  /** Whether `connection` may still take shared requests (for `request`, when given: of its server). */
  isShared(connection: BaseConnection, request?: R): boolean;
  /** The server a connection goes to (its pool): calls to different servers need no order between them in single mode. */
  serverOf(connection: BaseConnection): unknown;
  /** Dispatches a request taken from the FIFO; `false` when it must stay there. */
  redispatch(request: R): boolean;
}

/** Hash buckets of the keys in flight on `home` in multi mode (a power of two). */
const HOME_BUCKETS = 4096;

/** The bucket of a key: FNV-1a over its string's UTF-16 units. */
function bucketOf(key: RedisArgument): number {
  const name = keyString(key);
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash >>> 0) & (HOME_BUCKETS - 1);
}

/** The decision for one call. */
export type Route = BaseConnection | typeof ACQUIRING | "hold";

/** Single mode: one server's home connection, and the tracked calls in flight there. */
export interface OrderHome {
  connection: BaseConnection | undefined;
  count: number;
  /** Of `count`, the calls that may touch any key. */
  any: number;
}

interface Entry {
  place: Place;
  count: number;
}

interface Waiter<R> {
  readonly request: R;
  /** `performance.now()` before which it must not be retried; 0 for a held call. */
  readonly dueMs: number;
  /** Dispatched or given up: dropped from the FIFO at the end of the next pass. */
  gone: boolean;
}

/** The program order of one client's calls; see the module's description. */
export class KeyOrder<R extends OrderedRequest> {
  readonly #host: OrderHost<R>;
  #multi = false;
  /**
   * Single mode: each server's home, where every tracked call to that server is. A server's home
   * object lives as long as the order (few servers), so the last one asked for can be kept.
   */
  readonly #homes = new Map<unknown, OrderHome>();
  #lastServer: unknown = undefined;
  #lastHome: OrderHome | undefined = undefined;
  /** Multi mode: the connection whose calls are counted in hash buckets (the busiest home when multi mode began). */
  #home: BaseConnection | undefined;
  /**
   * Multi mode: the keyed calls in flight on `home`, counted per hash bucket of their keys rather
   * than indexed (most calls stay on the client's main connection, and counting them costs no
   * allocation); a bucket that is not zero means "maybe in flight on `home`", which only ever
   * makes a call follow `home` or wait, never overtake. Cleared when single mode resumes.
   */
  readonly #homeBuckets = new Int32Array(HOME_BUCKETS);
  /** Multi mode: the tracked calls in flight elsewhere, by key, and how many are at each place. */
  readonly #keys = new Map<string, Entry>();
  #any: Entry | undefined;
  readonly #places = new Map<Place, number>();
  /** Multi mode: how many tracked calls are on `home` (kept apart from `#places`: no map work for them). */
  #homePlaced = 0;
  /** Bumped on each switch to multi mode: a request's `place` is current only with this epoch. */
  #epoch = 0;
  /** The FIFO: calls waiting to be retried first (the first `#retrying`), then held ones. */
  readonly #waiting: Waiter<R>[] = [];
  #retrying = 0;
  /** The keys of the FIFO's calls (counted), and how many of them may touch any key. */
  readonly #waitingKeys = new Map<string, number>();
  #waitingAny = 0;
  #passScheduled = false;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(host: OrderHost<R>) {
    this.#host = host;
  }

  /**
   * The fast path: whether `request`, of key scope `scope`, may go on `connection` at once. It
   * may while every tracked call in flight is on that connection; the request is then tracked.
   * `false` sends the caller to {@link KeyOrder.route}.
   */
  admit(request: R, connection: BaseConnection, scope: KeyScope): boolean {
    if (this.#multi) return false;
    const home = this.#homeOf(connection);
    if (scope === KeyScope.None) return home.any === 0 || connection === home.connection;
    if (home.count !== 0 && connection !== home.connection) return false;
    home.connection = connection;
    home.count++;
    if (scope === KeyScope.Any) home.any++;
    request.mark = scope;
    request.home = home;
    return true;
  }

  /** The home of the server `connection` goes to, made on first use. */
  #homeOf(connection: BaseConnection): OrderHome {
    const server = this.#host.serverOf(connection);
    if (server === this.#lastServer && this.#lastHome !== undefined) return this.#lastHome;
    let home = this.#homes.get(server);
    if (home === undefined) {
      home = { connection: undefined, count: 0, any: 0 };
      this.#homes.set(server, home);
    }
    this.#lastServer = server;
    this.#lastHome = home;
    return home;
  }

  /** Single mode: whether a batch may go on `connection` with every tracked call of its server. */
  #homeAdmits(connection: BaseConnection): boolean {
    const home = this.#homeOf(connection);
    return home.count === 0 || connection === home.connection;
  }

  /**
   * Whether a batch whose calls name `calls` may go on the shared `connection` now, all of it:
   * in single mode, when every tracked call in flight is there already; in multi mode, when none
   * of its calls conflicts with a waiting call and each would be routed there (its keys are in
   * flight there or nowhere). Then {@link KeyOrder.placeOn} tracks each call as it is sent.
   */
  admitsBatch(connection: BaseConnection, calls: readonly { readonly scope: KeyScope; readonly keys: readonly RedisArgument[] | undefined }[]): boolean {
    if (!this.#multi) return this.#waiting.length === 0 && this.#homeAdmits(connection);
    for (const { scope, keys } of calls) {
      if (scope === KeyScope.None) continue;
      if (this.#conflictsWithWaiting(scope, keys)) return false;
      if (this.#decide(false, scope, keys, connection) !== connection) return false;
    }
    return true;
  }

  /**
   * At a batch ticket's turn (its `route` gave {@link ACQUIRING}): whether the batch may go on the
   * shared `connection` instead of a lease — each of its calls would be routed there but for the
   * ticket itself. If so the ticket is no longer tracked (the caller then sends the calls with
   * {@link KeyOrder.placeOn} and ends the ticket with `done`); if not, nothing changes.
   */
  shareTurn(ticket: R, connection: BaseConnection, calls: readonly { readonly scope: KeyScope; readonly keys: readonly RedisArgument[] | undefined }[]): boolean {
    const scope = ticket.mark as KeyScope;
    const keys = scope === KeyScope.Keys ? ticket.keys() : undefined;
    const place = ticket.place;
    const tracked = this.#multi && scope !== KeyScope.None && place !== undefined && ticket.epoch === this.#epoch;
    if (tracked) this.#untrack(ticket, scope, keys);
    const shareable = this.#multi
      ? calls.every((call) => call.scope === KeyScope.None || this.#decide(false, call.scope, call.keys, connection) === connection)
      : this.#homeAdmits(connection);
    if (!shareable) {
      if (tracked) this.#track(ticket, scope, keys, place);
      return false;
    }
    ticket.mark = 0;
    ticket.place = undefined;
    return true;
  }

  /** Tracks a call of a batch {@link KeyOrder.admitsBatch} let go on `connection`. */
  placeOn(request: R, connection: BaseConnection, scope: KeyScope): void {
    if (scope === KeyScope.None) return;
    if (!this.#multi) {
      this.admit(request, connection, scope);
      return;
    }
    this.#track(request, scope, scope === KeyScope.Keys ? request.keys() : undefined, connection);
  }

  /**
   * Where `request` goes: the connection to send it on, {@link ACQUIRING} (ask the pool), or
   * `"hold"`: it waits in the FIFO (`queued`: it is there already and stays). Tracks it at the
   * place returned. `proposed` is the shared connection the pool offers, if any.
   */
  route(request: R, scope: KeyScope, proposed: BaseConnection | undefined, queued = false): Route {
    this.#enterMulti();
    const keys = scope === KeyScope.Keys ? request.keys() : undefined;
    const effectiveScope = scope === KeyScope.Keys && keys === undefined ? KeyScope.Any : scope;
    if (!queued && this.#conflictsWithWaiting(effectiveScope, keys)) {
      this.#enqueue(request, effectiveScope, keys, 0, this.#waiting.length);
      return "hold";
    }
    const route = this.#decide(request.dedicated, effectiveScope, keys, proposed, request);
    if (route === "hold") {
      if (!queued) this.#enqueue(request, effectiveScope, keys, 0, this.#waiting.length);
      return "hold";
    }
    const place = route !== ACQUIRING || !request.dedicated ? route : request.holdsOrder ? ACQUIRING_LEASE : ACQUIRING_DEDICATED;
    if (effectiveScope !== KeyScope.None) this.#track(request, effectiveScope, keys, place);
    return route;
  }

  /** A call that waited for the pool got `connection`: it is there now. */
  placed(request: R, connection: BaseConnection): void {
    const place = request.place;
    if (request.mark === 0 || !this.#multi || request.epoch !== this.#epoch) return;
    if (place !== ACQUIRING && place !== ACQUIRING_DEDICATED && place !== ACQUIRING_LEASE) return;
    const scope = request.mark as KeyScope;
    const keys = scope === KeyScope.Keys ? request.keys() : undefined;
    this.#untrack(request, scope, keys);
    this.#track(request, scope, keys, connection);
    this.#afterChange();
  }

  /**
   * `request` is over, for the order: answered, failed for good, given up before it was written,
   * or (for a blocking call) written. Calls waiting behind it may go.
   */
  done(request: R): void {
    const mark = request.mark;
    if (mark === 0) {
      // An untracked call (a keyless batch) may still have switched to multi mode on its way.
      if (this.#multi) this.#afterChange();
      return;
    }
    request.mark = 0;
    if (!this.#multi) {
      // Counted at its server's home: when admitted, or (indexed in multi mode until single mode
      // came back) at the home made of its place.
      const home = request.home ?? (typeof request.place === "object" ? this.#homeOf(request.place) : undefined);
      request.home = undefined;
      request.place = undefined;
      if (home === undefined) return;
      home.count--;
      if (mark === KeyScope.Any) home.any--;
      return;
    }
    const keys = mark === KeyScope.Keys ? request.keys() : undefined;
    if (request.epoch !== this.#epoch) {
      // Counted at a home in single mode, and not in its connection's queues when multi mode
      // began (the connection was failing it): counted at that connection, not indexed.
      const connection = request.home?.connection ?? this.#home;
      request.home = undefined;
      if (connection !== undefined) this.#count(connection, -1);
    } else if (request.place === WAITING) {
      const waiter = this.#waiting.find((candidate) => candidate.request === request && !candidate.gone);
      if (waiter !== undefined) this.#leaveWaiting(waiter, mark as KeyScope, keys);
    } else if (request.place !== undefined) {
      this.#untrack(request, mark as KeyScope, keys);
    }
    request.place = undefined;
    this.#afterChange();
  }

  /**
   * `request` failed before it could have reached Redis (or may be repeated) and is to be sent
   * again after `delayMs`: it waits in the FIFO ahead of every call issued after it, so that a
   * later call on its keys cannot overtake it.
   */
  retry(request: R, delayMs: number): void {
    const mark = request.mark;
    const scope = mark === 0 ? this.#host.scopeOf(request) : (mark as KeyScope);
    this.done(request);
    this.#enterMulti();
    const keys = scope === KeyScope.Keys ? request.keys() : undefined;
    this.#enqueue(request, keys === undefined && scope === KeyScope.Keys ? KeyScope.Any : scope, keys, performance.now() + delayMs, this.#retrying);
    this.#retrying++;
    this.#armRetryTimer();
  }

  /** A dispatched call must go through the FIFO again, ahead of later calls (the pool took its connection back). */
  requeue(request: R): void {
    this.retry(request, 0);
  }

  #decide(
    dedicated: boolean,
    scope: KeyScope,
    keys: readonly RedisArgument[] | undefined,
    proposed: BaseConnection | undefined,
    request?: R,
  ): Route {
    // The one place the call's keys are in flight at, or `several`. No closure: this runs for
    // every call while the order is in multi mode.
    let only: Place | undefined = this.#any?.place;
    let several = false;
    if (scope === KeyScope.Keys && keys !== undefined) {
      const home = this.#home;
      const buckets = this.#homeBuckets;
      for (let i = 0; i < keys.length && !several; i++) {
        const key = keys[i] as RedisArgument;
        const place = this.#keys.get(keyString(key))?.place ?? (home !== undefined && buckets[bucketOf(key)] !== 0 ? home : undefined);
        if (place === undefined) continue;
        if (only === undefined) only = place;
        else if (only !== place) several = true;
      }
    } else if (scope === KeyScope.Any) {
      if (this.#homePlaced > 0) only ??= this.#home;
      for (const place of this.#places.keys()) {
        if (only === undefined) only = place;
        else if (only !== place) several = true;
      }
    }
    if (only === undefined) return dedicated ? ACQUIRING : (proposed ?? ACQUIRING);
    // Dedicated calls behind dedicated calls only: the pool's FIFO keeps them in order.
    if (dedicated && !several && only === ACQUIRING_DEDICATED) return ACQUIRING;
    if (several || dedicated || typeof only === "symbol") return "hold";
    // Follow the calls in flight on its keys, if their connection still takes shared requests.
    return this.#host.isShared(only, request) ? only : "hold";
  }

  #conflictsWithWaiting(scope: KeyScope, keys: readonly RedisArgument[] | undefined): boolean {
    if (this.#waiting.length === 0) return false;
    if (this.#waitingAny > 0 || scope === KeyScope.Any) return true;
    if (keys === undefined) return false;
    for (const key of keys) if (this.#waitingKeys.has(keyString(key))) return true;
    return false;
  }

  /**
   * Puts `request` in the FIFO at `index`. A keyless call (held behind one that may touch any
   * key) waits there with mark 0: nothing waits on it in turn.
   */
  #enqueue(request: R, scope: KeyScope, keys: readonly RedisArgument[] | undefined, dueMs: number, index: number): void {
    this.#waiting.splice(index, 0, { request, dueMs, gone: false });
    this.#markWaiting(request, scope, keys);
  }

  /** Puts `request` in the FIFO's bookkeeping: later calls on its keys must not pass it. */
  #markWaiting(request: R, scope: KeyScope, keys: readonly RedisArgument[] | undefined): void {
    request.mark = scope;
    request.place = WAITING;
    request.epoch = this.#epoch;
    this.#countWaiting(scope, keys, 1);
  }

  /** Takes a waiter out of the FIFO's bookkeeping; the pass drops it from the array. */
  #leaveWaiting(waiter: Waiter<R>, scope: KeyScope, keys: readonly RedisArgument[] | undefined, schedule = true): void {
    waiter.gone = true;
    if (waiter.request.place === WAITING) waiter.request.place = undefined;
    this.#countWaiting(scope, keys, -1);
    if (schedule) this.#schedulePass();
  }

  /** Counts a FIFO call's keys in (`delta` 1) or out (-1) of what new calls must not pass. */
  #countWaiting(scope: KeyScope, keys: readonly RedisArgument[] | undefined, delta: 1 | -1): void {
    if (scope === KeyScope.Any) {
      this.#waitingAny += delta;
      return;
    }
    if (scope !== KeyScope.Keys || keys === undefined) return;
    for (const key of keys) {
      const name = keyString(key);
      const count = (this.#waitingKeys.get(name) ?? 0) + delta;
      if (count <= 0) this.#waitingKeys.delete(name);
      else this.#waitingKeys.set(name, count);
    }
  }

  #track(request: R, scope: KeyScope, keys: readonly RedisArgument[] | undefined, place: Place): void {
    request.mark = scope;
    request.place = place;
    request.epoch = this.#epoch;
    request.home = undefined;
    if (place === this.#home && scope === KeyScope.Keys && keys !== undefined) {
      const buckets = this.#homeBuckets;
      for (const key of keys) {
        const bucket = bucketOf(key);
        buckets[bucket] = (buckets[bucket] ?? 0) + 1;
      }
    } else if (scope === KeyScope.Any) {
      if (this.#any === undefined) this.#any = { place, count: 1 };
      else {
        this.#any.place = place;
        this.#any.count++;
      }
    } else if (keys !== undefined) {
      for (const key of keys) {
        const name = keyString(key);
        const entry = this.#keys.get(name);
        if (entry === undefined) this.#keys.set(name, { place, count: 1 });
        else {
          entry.place = place;
          entry.count++;
        }
      }
    }
    this.#count(place, 1);
  }

  #untrack(request: R, scope: KeyScope, keys: readonly RedisArgument[] | undefined): void {
    const place = request.place;
    if (place === undefined) return;
    // `home` is the same for the whole of a multi-mode period, so this finds what `#track` did.
    if (place === this.#home && scope === KeyScope.Keys && keys !== undefined) {
      const buckets = this.#homeBuckets;
      for (const key of keys) {
        const bucket = bucketOf(key);
        buckets[bucket] = (buckets[bucket] ?? 0) - 1;
      }
    } else if (scope === KeyScope.Any) {
      const any = this.#any;
      if (any !== undefined && --any.count <= 0) this.#any = undefined;
    } else if (keys !== undefined) {
      for (const key of keys) {
        const name = keyString(key);
        const entry = this.#keys.get(name);
        if (entry !== undefined && --entry.count <= 0) this.#keys.delete(name);
      }
    }
    this.#count(place, -1);
    request.place = undefined;
  }

  #count(place: Place, delta: number): void {
    if (place === this.#home) {
      this.#homePlaced += delta;
      return;
    }
    const count = (this.#places.get(place) ?? 0) + delta;
    if (count <= 0) this.#places.delete(place);
    else this.#places.set(place, count);
  }

  /**
   * Switches to multi mode, indexing the calls in flight at every server's home: the busiest
   * home's in hash buckets (cheap), the others' by key.
   */
  #enterMulti(): void {
    if (this.#multi) return;
    this.#multi = true;
    this.#epoch++;
    let busiest: OrderHome | undefined;
    for (const home of this.#homes.values()) if (home.count > (busiest?.count ?? 0)) busiest = home;
    this.#home = busiest?.connection ?? this.#home;
    for (const home of this.#homes.values()) {
      const connection = home.connection;
      if (connection === undefined || home.count === 0) continue;
      let found = 0;
      connection.forEachRequest((request) => {
        if (!this.#host.owns(request) || request.mark === 0) return;
        found++;
        const scope = request.mark as KeyScope;
        this.#track(request, scope, scope === KeyScope.Keys ? request.keys() : undefined, connection);
      });
      // Tracked, but out of the connection's queues: it is failing them (see `done`).
      if (home.count > found) this.#count(connection, home.count - found);
      home.count = 0;
      home.any = 0;
    }
  }

  /** After a tracked call moved or ended: run the FIFO, and go back to single mode when possible. */
  #afterChange(): void {
    if (this.#waiting.length > 0) {
      this.#schedulePass();
      return;
    }
    if (!this.#multi) return;
    // Single mode again once each server's calls are all on one shared connection of it.
    const places: [Place, number][] = [...this.#places];
    if (this.#homePlaced > 0 && this.#home !== undefined) places.push([this.#home, this.#homePlaced]);
    if (places.length > 1) {
      const servers = new Set<unknown>();
      for (const [place] of places) {
        if (typeof place === "symbol") return;
        const server = this.#host.serverOf(place);
        if (servers.has(server)) return;
        servers.add(server);
      }
    }
    // Single mode's homes are shared connections: a batch's lease (or a connection lost under
    // it) keeps the order in multi mode, where the batch's keys stay indexed.
    for (const [place] of places) if (typeof place === "symbol" || !this.#host.isShared(place)) return;
    this.#multi = false;
    for (const home of this.#homes.values()) {
      home.count = 0;
      home.any = 0;
    }
    // With nothing in flight, the homes stay: the next multi-mode period counts their calls there.
    for (const [place, count] of places) {
      const home = this.#homeOf(place as BaseConnection);
      home.connection = place as BaseConnection;
      home.count = count;
    }
    const any = this.#any;
    if (any !== undefined && typeof any.place === "object") this.#homeOf(any.place).any = any.count;
    this.#homeBuckets.fill(0);
    this.#homePlaced = 0;
    this.#keys.clear();
    this.#any = undefined;
    this.#places.clear();
  }

  #schedulePass(): void {
    if (this.#passScheduled) return;
    this.#passScheduled = true;
    queueMicrotask(() => this.#pass());
  }

  /**
   * Runs the FIFO in order: each call that is due, conflicts with no call still waiting before
   * it, and can go somewhere now, goes.
   */
  #pass(): void {
    this.#passScheduled = false;
    const now = performance.now();
    const skippedKeys = new Set<string>();
    let skippedAny = false;
    let skippedCount = 0;
    // A copy: dispatching may put calls back in the FIFO (a send that fails at once).
    for (const waiter of this.#waiting.slice()) {
      if (waiter.gone) continue;
      const request = waiter.request;
      const scope = request.mark as KeyScope;
      const keys = scope === KeyScope.Keys ? request.keys() : undefined;
      let blocked = waiter.dueMs > now || skippedAny || (scope === KeyScope.Any && skippedCount > 0);
      if (!blocked && keys !== undefined) blocked = keys.some((key) => skippedKeys.has(keyString(key)));
      if (!blocked) {
        // Out of the FIFO's bookkeeping first, so that it does not wait on itself.
        this.#leaveWaiting(waiter, scope, keys, false);
        if (this.#host.redispatch(request)) continue;
        waiter.gone = false; // it stays
        this.#markWaiting(request, scope, keys);
      }
      skippedCount++;
      if (scope === KeyScope.Any) skippedAny = true;
      else if (keys !== undefined) for (const key of keys) skippedKeys.add(keyString(key));
    }
    const kept = this.#waiting.filter((waiter) => !waiter.gone);
    this.#waiting.length = 0;
    this.#waiting.push(...kept);
    let retrying = 0;
    while (retrying < kept.length && (kept[retrying] as Waiter<R>).dueMs > 0) retrying++;
    this.#retrying = retrying;
    this.#armRetryTimer();
    if (this.#waiting.length === 0) this.#afterChange();
  }

  #armRetryTimer(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    let earliest = Infinity;
    for (let i = 0; i < this.#retrying; i++) earliest = Math.min(earliest, (this.#waiting[i] as Waiter<R>).dueMs);
    if (earliest === Infinity) return;
    const delay = Math.max(0, earliest - performance.now());
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#pass();
    }, delay);
  }
}
