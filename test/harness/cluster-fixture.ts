/**
 * One cluster for a test file: started in `before`, stopped (by PID) in `after`, even when tests
 * fail. The cluster files share it rather than each writing the same hooks (see `file-fixture.ts`).
 */
import { forFile } from "./file-fixture.js";
import { startCluster, type ClusterOptions, type RedisCluster } from "./servers.js";

/** Starts a cluster before the file's tests and stops it after them; the getter throws before `before` ran. */
export function clusterForFile(options: ClusterOptions = {}): () => RedisCluster {
  return forFile("the cluster", () => startCluster(options));
}
