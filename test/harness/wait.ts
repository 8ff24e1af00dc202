/**
 * Bounded waits for tests: look at a condition until it holds, and fail rather than hang. For
 * states that have no event to wait on (a pool's counters, the server's CLIENT LIST).
 */
import assert from "node:assert/strict";

/** Checks `condition` every `everyMs` until it holds; fails after `withinMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { withinMs = 5_000, everyMs = 5 }: { withinMs?: number; everyMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!(await condition())) {
    if (performance.now() > deadline) assert.fail(`timed out after ${withinMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
