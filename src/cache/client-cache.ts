/**
 * `ClientCache`: what `client.cache` shows of a client's cache — its counters, and a way to empty it.
 *
 * @module
 */
import type { Tracker } from "./tracking.js";

/** A snapshot of a client-side cache's counters (see {@link ClientCache.stats}). */
export interface CacheStats {
  /** Calls answered from the cache (an MGET counts one per key answered). */
  readonly hits: number;
  /** Cacheable calls sent to the server (an MGET counts one per key sent). */
  readonly misses: number;
  /** Keys the server invalidated (each key of an invalidation message; a flush counts one). */
  readonly invalidations: number;
  /** Entries held now. */
  readonly entries: number;
  /** Approximate bytes held now (replies and their keys). */
  readonly bytes: number;
}

/**
 * A client's side cache, made by the client's `cache` option: `client.cache`. Hits are served
 * from memory once the server has had the chance to say the entry is stale (see the README's
 * "Client-side caching"); entries live until invalidated, evicted (LRU, `maxKeys`, `maxBytes`),
 * expired (the key's own TTL, the `ttl` option, a call's `{ cache: { ttl } }`), or cleared.
 *
 * @example
 * ```ts
 * await using client = new Redis({ cache: { maxKeys: 1000 } });
 * await client.get("k"); // from the server
 * await client.get("k"); // from memory
 * console.log(client.cache?.stats); // { hits: 1, misses: 1, invalidations: 0, entries: 1, bytes: … }
 * ```
 */
export class ClientCache {
  readonly #tracker: Tracker;

  /** @internal Made by the client. */
  constructor(tracker: Tracker) {
    this.#tracker = tracker;
  }

  /** The cache's counters now. */
  get stats(): CacheStats {
    const tracker = this.#tracker;
    return {
      hits: tracker.hits,
      misses: tracker.misses,
      invalidations: tracker.invalidations,
      entries: tracker.store.size,
      bytes: tracker.store.bytes,
    };
  }

  /** Drops every entry (reads in flight are not stored either). Counters are kept. */
  clear(): void {
    this.#tracker.clear();
  }

  /** @internal The client closed: stop tracking, drop everything. */
  detach(): void {
    this.#tracker.detach();
  }
}
