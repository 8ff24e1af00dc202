/**
 * One sentinel set for a test file: started in `before`, stopped (by PID) in `after`, even when
 * tests fail, as `clusterForFile` does for clusters.
 */
import { after, before } from "node:test";
import { startSentinelSet, type SentinelSet, type SentinelSetOptions } from "./sentinel.js";

/** Starts a sentinel set before the file's tests and stops it after them; the getter throws before `before` ran. */
export function sentinelSetForFile(options: SentinelSetOptions = {}): () => SentinelSet {
  let set: SentinelSet | undefined;
  before(async () => {
    set = await startSentinelSet(options);
  });
  after(async () => {
    await set?.stop();
  });
  return () => {
    if (set === undefined) throw new Error("the sentinel set starts in before()");
    return set;
  };
}
