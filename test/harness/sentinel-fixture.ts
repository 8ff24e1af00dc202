/** One sentinel set for a test file, as `clusterForFile` gives one cluster (see `file-fixture.ts`). */
import { forFile } from "./file-fixture.js";
import { startSentinelSet, type SentinelSet, type SentinelSetOptions } from "./sentinel.js";

/** Starts a sentinel set before the file's tests and stops it after them; the getter throws before `before` ran. */
export function sentinelSetForFile(options: SentinelSetOptions = {}): () => SentinelSet {
  return forFile("the sentinel set", () => startSentinelSet(options));
}
