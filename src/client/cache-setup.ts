/**
 * Gives a client its side cache when its options ask for one: a {@link CachingPlanner} around the
 * planner it has (the core's, or a cluster's), and `client.cache`.
 *
 * @module
 */
import { CachingPlanner } from "../cache/caching-planner.js";
import { ClientCache } from "../cache/client-cache.js";
import { resolveCacheOptions, type CacheOptions } from "../cache/options.js";
import { Tracker, type TrackedTarget } from "../cache/tracking.js";
import type { ClientCore } from "./client-core.js";

/** Wraps `core`'s planner in a cache when `option` asks for one; `db` is the database its connections select. */
export function installCache(core: ClientCore, target: TrackedTarget, option: boolean | CacheOptions | undefined, db: number): void {
  const options = resolveCacheOptions(option);
  if (options === undefined) return;
  const tracker = new Tracker(target, options);
  core.planner = new CachingPlanner(core.planner, tracker, db);
  core.cache = new ClientCache(tracker);
  // Now, so that the pool's first connection tracks from its first request on.
  tracker.attach();
}
