/**
 * `CachingPlanner`: client-side caching as a wrapper of the client's command planner (the core's
 * own, or a cluster's). Every command passes through it:
 *
 * - A **write** (anything the table does not flag READONLY that names keys) drops the entries of
 *   its keys, and spoils reads of them in flight, when it is issued: a read issued after one of
 *   the client's own writes never sees what was there before. One that may touch any key
 *   (FLUSHALL, FLUSHDB, SWAPDB, a script without declared keys, an unknown command) drops all.
 * - A **cacheable read** (`CACHEABLE_COMMANDS` in `commands/routing.ts`) is looked up by its
 *   identity: command, arguments, decoding (a Buffer view never gets a cached string, nor the
 *   other way round) and database. A hit waits behind the tracker's barrier and is answered from
 *   a copy of the raw reply, through the caller's own transform (no two callers share a mutable
 *   reply); a miss goes to the inner planner with a transform that keeps a copy of the raw reply
 *   and a write observer that sends PTTL after it (see `tracking.ts`).
 * - **MGET** answers its cached keys (each a `GET key` entry) from the cache and sends an MGET of
 *   the rest only — through the inner planner, so a cluster still splits it by slot — then caches
 *   each of those keys as its own `GET key` entry; values come back in the caller's order.
 *
 * Not cached: dedicated (blocking) calls, calls for one node (`forNode`), calls made with
 * `{ cache: false }`. Pipelines and transactions do not pass through here: their writes are
 * seen through the server's invalidations (which the barrier waits for), their reads are not cached.
 *
 * @module
 */
import type { CommandSpec } from "../commands/command-spec.js";
import { commandKeys, firstKey, keyString } from "../commands/keys.js";
import { cacheRole, CacheRole } from "../commands/routing.js";
import { rejection, replyContext } from "../connection/request.js";
import { InvalidArgumentError, RedisError } from "../errors.js";
import { assertDuration } from "../internal/validate.js";
import type { RedisArgument, ReplyTransform, RESPValue } from "../protocol/values.js";
import { copyReply, type CacheEntry } from "./store.js";
import { type BarrierWaiter, type ConnectionTracking, PendingRead, type ReadSlotSpec, type Tracker, type WriteObserver } from "./tracking.js";

/** The call options the caching planner reads and passes on. */
export interface CachingCall {
  readonly signal?: AbortSignal | undefined;
  readonly timeout?: number | undefined;
  readonly node?: string | undefined;
  readonly cache?: false | { readonly ttl: number } | undefined;
  readonly writeObserver?: WriteObserver | undefined;
}

/**
 * How a client turns one command into requests (the client's `CommandPlanner` is this with its
 * own call options): the core itself, a cluster's fan-out and splitting, or this cache around either.
 */
export interface Planner<C> {
  execute<T>(
    spec: CommandSpec | undefined,
    argv: readonly RedisArgument[],
    transform: ReplyTransform<T> | undefined,
    decodeStrings: boolean,
    dedicated: boolean,
    call: C | undefined,
  ): Promise<T>;
}

/** The planner the caching planner wraps. */
export type InnerPlanner = Planner<CachingCall>;

type Entry = CacheEntry<ConnectionTracking>;

/** See the module's description. */
export class CachingPlanner implements InnerPlanner {
  constructor(
    readonly inner: InnerPlanner,
    readonly tracker: Tracker,
    /** The database the client's connections select: part of every entry's identity. */
    readonly db: number,
  ) {}

  execute<T>(
    spec: CommandSpec | undefined,
    argv: readonly RedisArgument[],
    transform: ReplyTransform<T> | undefined,
    decodeStrings: boolean,
    dedicated: boolean,
    call: CachingCall | undefined,
  ): Promise<T> {
    const tracker = this.tracker;
    tracker.attach();
    const role = cacheRole(spec, argv);
    if (role === CacheRole.WriteKeys) this.#invalidateKeysOf(spec as CommandSpec, argv);
    else if (role === CacheRole.WriteAny) tracker.clear();
    if (role !== CacheRole.Read && role !== CacheRole.MultiGet) {
      return this.inner.execute(spec, argv, transform, decodeStrings, dedicated, call);
    }
    const options = call?.cache;
    if (dedicated || options === false || call?.node !== undefined || call?.signal?.aborted === true) {
      return this.inner.execute(spec, argv, transform, decodeStrings, dedicated, call);
    }
    let ttlCapMs: number | undefined;
    if (options !== undefined) {
      try {
        assertDuration("cache.ttl", options.ttl);
      } catch (error) {
        return rejection(error as InvalidArgumentError);
      }
      ttlCapMs = options.ttl;
    }
    const cacheSpec = spec as CommandSpec;
    if (role === CacheRole.MultiGet) return this.#multiGet(cacheSpec, argv, transform, decodeStrings, call, ttlCapMs);
    const key = firstKey(cacheSpec, argv);
    if (key === undefined) return this.inner.execute(spec, argv, transform, decodeStrings, false, call);
    const name = keyString(key);
    if (!tracker.covers(name)) return this.inner.execute(spec, argv, transform, decodeStrings, false, call);
    const id = entryId(cacheSpec.name, argv, cacheSpec.wire.length, decodeStrings, this.db);
    const entry = tracker.store.get(id, performance.now());
    if (entry === undefined) return this.read(cacheSpec, argv, transform, decodeStrings, call, { id, key: name, arg: key }, ttlCapMs);
    const promise = new Promise<T>(captureResolve);
    const hit = new Hit<T>(this, entry, capturedResolve, cacheSpec, argv, transform, decodeStrings, call, ttlCapMs);
    if (!tracker.barrier(entry.producer, hit)) hit.fresh(false);
    return promise;
  }

  /** Own write: its keys' entries go now, and reads of them in flight are not stored. */
  #invalidateKeysOf(spec: CommandSpec, argv: readonly RedisArgument[]): void {
    const tracker = this.tracker;
    if (tracker.idle) return;
    const keys = commandKeys(spec, argv);
    if (keys === undefined) {
      tracker.clear();
      return;
    }
    for (const key of keys) tracker.invalidateKey(keyString(key));
  }

  /** @internal A miss of a single-key read: sent through the inner planner, its raw reply kept if the tracker vouches for it. */
  read<T>(
    spec: CommandSpec,
    argv: readonly RedisArgument[],
    transform: ReplyTransform<T> | undefined,
    decodeStrings: boolean,
    call: CachingCall | undefined,
    slot: ReadSlotSpec,
    ttlCapMs: number | undefined,
  ): Promise<T> {
    const tracker = this.tracker;
    tracker.misses++;
    const read = new PendingRead(tracker, [slot], false, ttlCapMs);
    const capture: ReplyTransform<T> = (reply, context) => {
      read.setRaw(0, copyReply(reply));
      return transform === undefined ? (reply as T) : transform(reply, context);
    };
    const promise = this.inner.execute(spec, argv, capture, decodeStrings, false, { ...call, writeObserver: read });
    promise.then(
      () => read.finish(),
      () => read.finish(),
    );
    return promise;
  }

  /** MGET: cached keys from the cache (behind their barriers), an MGET of the others, values in the caller's order. */
  async #multiGet<T>(
    spec: CommandSpec,
    argv: readonly RedisArgument[],
    transform: ReplyTransform<T> | undefined,
    decodeStrings: boolean,
    call: CachingCall | undefined,
    ttlCapMs: number | undefined,
  ): Promise<T> {
    const tracker = this.tracker;
    const count = argv.length - 1;
    const values: RESPValue[] = new Array<RESPValue>(count);
    const missed: number[] = [];
    const late: number[] = [];
    const waits: Promise<void>[] = [];
    const now = performance.now();
    for (let i = 0; i < count; i++) {
      const key = argv[i + 1] as RedisArgument;
      const entry = tracker.covers(keyString(key)) ? tracker.store.get(getId(key, decodeStrings, this.db), now) : undefined;
      if (entry === undefined) {
        missed.push(i);
        continue;
      }
      waits.push(
        new Promise<void>((resolve) => {
          const waiter = {
            fresh(fresh: boolean): void {
              if (fresh && tracker.store.holds(entry, performance.now())) {
                tracker.hits++;
                values[i] = copyReply(entry.value) as RESPValue;
              } else {
                late.push(i);
              }
              resolve();
            },
          };
          if (!tracker.barrier(entry.producer, waiter)) waiter.fresh(false);
        }),
      );
    }
    const fetching = missed.length === 0 ? undefined : this.#fetchKeys(spec, argv, missed, decodeStrings, call, ttlCapMs);
    await Promise.all(waits);
    if (fetching !== undefined) fill(values, missed, await fetching);
    if (late.length > 0) fill(values, late, await this.#fetchKeys(spec, argv, late, decodeStrings, call, ttlCapMs));
    if (transform === undefined) return values as T;
    return transform(values, replyContext(3, decodeStrings));
  }

  /** An MGET of the keys at `positions` (of `argv`'s keys), each key then cached as a GET entry. */
  #fetchKeys(
    spec: CommandSpec,
    argv: readonly RedisArgument[],
    positions: readonly number[],
    decodeStrings: boolean,
    call: CachingCall | undefined,
    ttlCapMs: number | undefined,
  ): Promise<RESPValue[]> {
    const tracker = this.tracker;
    const keys = positions.map((position) => argv[position + 1] as RedisArgument);
    tracker.misses += keys.length;
    const slots: ReadSlotSpec[] = [];
    for (const key of keys) {
      const name = keyString(key);
      if (tracker.covers(name)) slots.push({ id: getId(key, decodeStrings, this.db), key: name, arg: key });
    }
    const read = new PendingRead(tracker, slots, true, ttlCapMs);
    const promise = this.inner.execute<RESPValue[]>(spec, [argv[0] as RedisArgument, ...keys], undefined, decodeStrings, false, {
      ...call,
      writeObserver: read,
    });
    promise.then(
      (values) => {
        // Slots are the covered keys, in order: match them to the values by position.
        let slot = 0;
        for (let i = 0; i < keys.length; i++) {
          if (slot < slots.length && (slots[slot] as ReadSlotSpec).arg === keys[i]) read.setRaw(slot++, copyReply(values[i]));
        }
        read.finish();
      },
      () => read.finish(),
    );
    return promise;
  }
}

/**
 * A hit waiting behind its barrier: answered from the entry if it is still held then, else sent
 * as a miss. A class rather than closures: hits are the hot path.
 */
class Hit<T> implements BarrierWaiter {
  constructor(
    readonly planner: CachingPlanner,
    readonly entry: Entry,
    readonly resolve: (value: unknown) => void,
    readonly spec: CommandSpec,
    readonly argv: readonly RedisArgument[],
    readonly transform: ReplyTransform<T> | undefined,
    readonly decodeStrings: boolean,
    readonly call: CachingCall | undefined,
    readonly ttlCapMs: number | undefined,
  ) {}

  fresh(fresh: boolean): void {
    const planner = this.planner;
    const tracker = planner.tracker;
    if (fresh && tracker.store.holds(this.entry, performance.now())) {
      tracker.hits++;
      this.resolve(answer(this.entry, this.transform, this.decodeStrings));
    } else {
      const entry = this.entry;
      const slot: ReadSlotSpec = { id: entry.id, key: entry.key, arg: firstKey(this.spec, this.argv) as RedisArgument };
      this.resolve(planner.read(this.spec, this.argv, this.transform, this.decodeStrings, this.call, slot, this.ttlCapMs));
    }
  }
}

/** Where `captureResolve` leaves the `resolve` of the promise it makes: no closure per hit. */
let capturedResolve: (value: unknown) => void = () => undefined;

function captureResolve<T>(resolve: (value: T) => void): void {
  capturedResolve = resolve as (value: unknown) => void;
}

/** Puts fetched values in their places. */
function fill(values: RESPValue[], positions: readonly number[], fetched: readonly RESPValue[]): void {
  positions.forEach((position, i) => (values[position] = fetched[i] as RESPValue));
}

/** A hit's answer: a copy of the raw reply through the caller's transform (its failure rejects). */
function answer<T>(entry: Entry, transform: ReplyTransform<T> | undefined, decodeStrings: boolean): T | Promise<T> {
  const value = copyReply(entry.value) as RESPValue;
  if (transform === undefined) return value as T;
  try {
    return transform(value, replyContext(entry.producer.connection.protocolVersion, decodeStrings));
  } catch (error) {
    return rejection(error instanceof RedisError ? error : new InvalidArgumentError(String(error), { cause: error }));
  }
}

/** The identity of the `GET key` entry that MGET reads and fills. */
function getId(key: RedisArgument, decodeStrings: boolean, db: number): string {
  return entryId("GET", [key], 0, decodeStrings, db);
}

/**
 * An entry's identity: database, decoding, command name and every argument from `from` on, each
 * length-prefixed (so no two argument lists meet); Buffers apart from strings (exact bytes).
 */
export function entryId(name: string, args: readonly RedisArgument[], from: number, decodeStrings: boolean, db: number): string {
  let id = `${db}${decodeStrings ? "s" : "b"}${name}`;
  for (let i = from; i < args.length; i++) {
    const arg = args[i] as RedisArgument;
    if (Buffer.isBuffer(arg)) id += `|b${arg.length}:${arg.toString("latin1")}`;
    else {
      const text = typeof arg === "string" ? arg : String(arg);
      id += `|s${text.length}:${text}`;
    }
  }
  return id;
}
