/**
 * The options of client-side caching (`new Redis({ cache })`), their defaults and their checks.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { assertDuration, assertInteger, assertOneOf } from "../internal/validate.js";

/** When a hit may be answered; see {@link CacheOptions.consistency}. */
export type CacheConsistency = "received" | "strict";

/** How the server tracks what the cache holds; see {@link CacheOptions.mode}. */
export type CacheMode = "default" | "broadcast";

/** Options of client-side caching. Durations are milliseconds. */
export interface CacheOptions {
  /** Most entries held; past it the least recently used go first. @defaultValue 10 000 */
  maxKeys?: number;
  /** Most bytes held (the raw replies and their keys, approximately); LRU past it. @defaultValue 64 MiB */
  maxBytes?: number;
  /**
   * `"default"`: the server remembers which keys each connection read and invalidates those
   * (CLIENT TRACKING ON). `"broadcast"`: the server invalidates every key under `prefixes`
   * whoever read it (CLIENT TRACKING ON BCAST): no memory on the server, more invalidations, and
   * only keys under a prefix are cached. @defaultValue "default"
   */
  mode?: CacheMode;
  /** Broadcast mode: the key prefixes tracked (and cached). None: every key. They must not overlap. */
  prefixes?: readonly string[];
  /** Milliseconds an entry lives at most, whatever the server says. @defaultValue no cap */
  ttl?: number;
  /**
   * When a hit is answered. Either way it is never answered ahead of an invalidation the client
   * has already received, nor ahead of one that reached the connection before a reply.
   * - `"strict"`: after the tracking connection answers a PING written after the hit was asked
   *   (one PING per write, shared by every hit waiting). Redis queues an invalidation before it
   *   acknowledges the write that caused it, so a write another client saw acknowledged before
   *   the hit was asked is never hidden by it, whatever the network and the scheduler. It costs
   *   a round trip per hit: about as fast as not caching, for less work on the server.
   * - `"received"`: after the event loop's next I/O poll, so every byte the server had sent by
   *   then has been read and its invalidations applied, with no round trip. Redis writes the
   *   acknowledgement of a write to its client just *before* the invalidation to this one (in
   *   the same pass of its event loop), so for a few tens of microseconds after another client
   *   saw its write acknowledged a hit may still answer the value before it: measured, 1 to 5
   *   stale first reads in 200 when the other client is in the same process.
   * @defaultValue "strict"
   */
  consistency?: CacheConsistency;
}

/** {@link CacheOptions} with every default applied. */
export interface ResolvedCacheOptions {
  readonly maxKeys: number;
  readonly maxBytes: number;
  readonly mode: CacheMode;
  readonly prefixes: readonly string[];
  readonly ttlMs: number | undefined;
  readonly consistency: CacheConsistency;
}

/** Default {@link CacheOptions.maxKeys}. */
export const DEFAULT_CACHE_MAX_KEYS = 10_000;
/** Default {@link CacheOptions.maxBytes}: 64 MiB. */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;

/** Checks the `cache` option of a client, naming the field at fault. */
export function validateCacheOption(option: boolean | CacheOptions | undefined): void {
  if (option === undefined || option === true || option === false) return;
  if (typeof option !== "object" || option === null) {
    throw new InvalidArgumentError(`cache must be true, false or an options object, got ${String(option)}`);
  }
  assertInteger("cache.maxKeys", option.maxKeys, 1);
  assertInteger("cache.maxBytes", option.maxBytes, 1);
  assertOneOf("cache.mode", option.mode, ["default", "broadcast"]);
  assertDuration("cache.ttl", option.ttl);
  assertOneOf("cache.consistency", option.consistency, ["received", "strict"]);
  const prefixes = option.prefixes;
  if (prefixes === undefined) return;
  if (option.mode !== "broadcast") throw new InvalidArgumentError('cache.prefixes applies only with cache.mode "broadcast"');
  const list: readonly unknown[] = Array.isArray(prefixes) ? prefixes : [0];
  if (!Array.isArray(prefixes) || list.some((prefix) => typeof prefix !== "string")) {
    throw new InvalidArgumentError("cache.prefixes must be an array of strings");
  }
  // Redis refuses overlapping prefixes ("Prefix 'a' overlaps with an existing prefix 'ab'").
  const names = list as readonly string[];
  for (const a of names) {
    for (const b of names) {
      if (a !== b && b.startsWith(a)) throw new InvalidArgumentError(`cache.prefixes overlap: "${a}" is a prefix of "${b}"`);
    }
  }
}

/** The resolved options of a `cache` option, or `undefined` when caching is off. */
export function resolveCacheOptions(option: boolean | CacheOptions | undefined): ResolvedCacheOptions | undefined {
  if (option === undefined || option === false) return undefined;
  const given = option === true ? {} : option;
  return {
    maxKeys: given.maxKeys ?? DEFAULT_CACHE_MAX_KEYS,
    maxBytes: given.maxBytes ?? DEFAULT_CACHE_MAX_BYTES,
    mode: given.mode ?? "default",
    prefixes: [...new Set(given.prefixes ?? [])],
    ttlMs: given.ttl,
    consistency: given.consistency ?? "strict",
  };
}
