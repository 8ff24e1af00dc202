/**
 * One running thing for a test file (a cluster, a sentinel set): started in `before`, stopped
 * (by PID, through its own `stop()`) in `after`, even when tests fail.
 */
import { after, before } from "node:test";

/** Starts `start()` before the file's tests and stops it after them; the getter throws before `before` ran. */
export function forFile<T extends { stop(): Promise<void> }>(what: string, start: () => Promise<T>): () => T {
  let running: T | undefined;
  before(async () => {
    running = await start();
  });
  after(async () => {
    await running?.stop();
  });
  return () => {
    if (running === undefined) throw new Error(`${what} starts in before()`);
    return running;
  };
}
