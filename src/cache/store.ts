/**
 * `CacheStore`: the entries of a client-side cache, bounded by count and by bytes, least recently
 * used first out. Pure bookkeeping (no Redis, no I/O): each entry names the Redis key it depends
 * on and the producer (the connection) whose tracking vouches for it, so that an invalidation of
 * a key, or the loss of a connection, drops exactly the entries that depended on it.
 *
 * @module
 */

/** One cached reply. */
export interface CacheEntry<P> {
  /** The entry's identity: command, arguments, decoding and database (see `caching-planner.ts`). */
  readonly id: string;
  /** The Redis key the reply depends on, as a string (see `keyString`). */
  readonly key: string;
  /** The raw reply, as decoded: never handed out itself (see `copyReply`). */
  readonly value: unknown;
  /** Approximate bytes: the reply's and the identity's. */
  readonly bytes: number;
  /** `performance.now()` after which the entry is not served; `Infinity` for none. */
  readonly expiresAtMs: number;
  /** What vouches for the entry: when it goes (`dropProducer`), the entry goes. */
  readonly producer: P;
}

/** An entry as held: a node of the recency list, with when it was last put at its end. */
interface Held<P> {
  readonly entry: CacheEntry<P>;
  stamp: number;
  /** The next less recently used entry. */
  older: Held<P> | undefined;
  /** The next more recently used entry. */
  newer: Held<P> | undefined;
}

/** Bytes counted per entry besides its reply and identity: the maps and the record. */
const ENTRY_OVERHEAD_BYTES = 96;

/** A bounded LRU of {@link CacheEntry}s, indexed by id and by Redis key. */
export class CacheStore<P extends object> {
  /** Every entry by id. */
  readonly #entries = new Map<string, Held<P>>();
  /**
   * The recency order, a doubly linked list: least recently used first, roughly (see
   * {@link CacheStore.get}). Not the Map's own insertion order: with entries deleted at its
   * front and added at its end, a Map's first live entry is found only by skipping the holes the
   * deletions left (until it rehashes), which made an eviction cost tens of microseconds.
   */
  #oldest: Held<P> | undefined;
  #newest: Held<P> | undefined;
  /** Counts (re)insertions: a held entry's stamp says how recently it was put at the end. */
  #clock = 0;
  /**
   * The entries of each Redis key: one entry itself (the common case: no Set allocated and freed
   * per key as entries come and go), or a list of several (GET and STRLEN of one key…).
   */
  readonly #byKey = new Map<string, CacheEntry<P> | CacheEntry<P>[]>();
  #bytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Approximate bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The entry with this id, made the most recently used; an expired one is dropped instead. An
   * entry already in the most recent quarter of the order stays where it is (moving it costs a Map delete
   * and insert per hit, and it is not next to go anyway): LRU, to within a quarter of the cache.
   */
  get(id: string, nowMs: number): CacheEntry<P> | undefined {
    const held = this.#entries.get(id);
    if (held === undefined) return undefined;
    const entry = held.entry;
    if (entry.expiresAtMs <= nowMs) {
      this.#remove(entry);
      return undefined;
    }
    if (this.#clock - held.stamp >= this.#entries.size >> 2) {
      this.#unlink(held);
      this.#append(held);
    }
    return entry;
  }

  /** Whether `entry` is still held and not expired (no LRU change). */
  holds(entry: CacheEntry<P>, nowMs: number): boolean {
    return this.#entries.get(entry.id)?.entry === entry && entry.expiresAtMs > nowMs;
  }

  /**
   * Adds an entry (replacing one of the same id), then drops the least recently used until both
   * bounds hold. An entry larger than `maxBytes` on its own is not kept.
   * @returns whether it was kept.
   */
  set(entry: CacheEntry<P>): boolean {
    const existing = this.#entries.get(entry.id);
    if (existing !== undefined) this.#remove(existing.entry);
    if (entry.bytes > this.maxBytes) return false;
    const held: Held<P> = { entry, stamp: 0, older: undefined, newer: undefined };
    this.#entries.set(entry.id, held);
    this.#append(held);
    this.#bytes += entry.bytes;
    this.#indexAdd(entry);
    while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) {
      const oldest = this.#oldest;
      if (oldest === undefined) break;
      this.#remove(oldest.entry);
    }
    return true;
  }

  /** Drops every entry that depends on `key`. @returns how many. */
  deleteKey(key: string): number {
    const indexed = this.#byKey.get(key);
    if (indexed === undefined) return 0;
    if (!Array.isArray(indexed)) {
      this.#remove(indexed);
      return 1;
    }
    for (const entry of [...indexed]) this.#remove(entry);
    return indexed.length;
  }

  /**
   * Drops every entry `producer` vouches for. @returns how many. A walk over every entry: it runs
   * when a connection is lost, rarely, where an index by producer would cost every miss.
   */
  dropProducer(producer: P): number {
    let count = 0;
    for (let held = this.#oldest; held !== undefined; ) {
      const next = held.newer;
      if (held.entry.producer === producer) {
        this.#remove(held.entry);
        count++;
      }
      held = next;
    }
    return count;
  }

  /** Drops everything. */
  clear(): void {
    this.#entries.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
    this.#byKey.clear();
    this.#bytes = 0;
  }

  /** Puts a held entry at the most recent end. */
  #append(held: Held<P>): void {
    held.stamp = ++this.#clock;
    held.older = this.#newest;
    held.newer = undefined;
    if (this.#newest === undefined) this.#oldest = held;
    else this.#newest.newer = held;
    this.#newest = held;
  }

  /** Takes a held entry out of the recency list. */
  #unlink(held: Held<P>): void {
    if (held.older === undefined) this.#oldest = held.newer;
    else held.older.newer = held.newer;
    if (held.newer === undefined) this.#newest = held.older;
    else held.newer.older = held.older;
    held.older = undefined;
    held.newer = undefined;
  }

  #indexAdd(entry: CacheEntry<P>): void {
    const indexed = this.#byKey.get(entry.key);
    if (indexed === undefined) this.#byKey.set(entry.key, entry);
    else if (Array.isArray(indexed)) indexed.push(entry);
    else this.#byKey.set(entry.key, [indexed, entry]);
  }

  #indexDelete(entry: CacheEntry<P>): void {
    const indexed = this.#byKey.get(entry.key);
    if (indexed === entry) {
      this.#byKey.delete(entry.key);
    } else if (Array.isArray(indexed)) {
      const rest = indexed.filter((other) => other !== entry);
      if (rest.length === 0) this.#byKey.delete(entry.key);
      else this.#byKey.set(entry.key, rest.length === 1 ? (rest[0] as CacheEntry<P>) : rest);
    }
  }

  #remove(entry: CacheEntry<P>): void {
    const held = this.#entries.get(entry.id);
    if (held?.entry !== entry) return;
    this.#entries.delete(entry.id);
    this.#unlink(held);
    this.#bytes -= entry.bytes;
    this.#indexDelete(entry);
  }
}

/**
 * Approximate bytes of a decoded reply plus its identity: string lengths (UTF-16 units, as held),
 * Buffer lengths, 8 per number, and a little per aggregate element.
 */
export function approximateBytes(id: string, value: unknown): number {
  return ENTRY_OVERHEAD_BYTES + 2 * id.length + replyBytes(value);
}

function replyBytes(value: unknown): number {
  if (typeof value === "string") return 2 * value.length;
  if (Buffer.isBuffer(value)) return value.length + 16;
  if (Array.isArray(value)) {
    let total = 16;
    for (const item of value) total += 8 + replyBytes(item);
    return total;
  }
  if (value instanceof Map) {
    let total = 32;
    for (const [field, item] of value) total += 16 + replyBytes(field) + replyBytes(item);
    return total;
  }
  return 8;
}

/**
 * A copy of a decoded reply that shares nothing mutable with it (arrays, Maps, Buffers copied;
 * strings, numbers and errors as they are): what a hit hands to a caller, and what a miss keeps,
 * so that no caller ever changes what another one reads.
 */
export function copyReply<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (Array.isArray(value)) return value.map(copyReply) as T;
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    for (const [field, item] of value) copy.set(copyReply(field), copyReply(item));
    return copy as T;
  }
  return value;
}
