/**
 * One cluster for a test file: started in `before`, stopped (by PID) in `after`, even when tests
 * fail. The cluster files share it rather than each writing the same hooks.
 */
import { after, before } from "node:test";
import { startCluster, type ClusterOptions, type RedisCluster } from "./servers.js";

/** Starts a cluster before the file's tests and stops it after them; the getter throws before `before` ran. */
export function clusterForFile(options: ClusterOptions = {}): () => RedisCluster {
  let cluster: RedisCluster | undefined;
  before(async () => {
    cluster = await startCluster(options);
  });
  after(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error("the cluster starts in before()");
    return cluster;
  };
}
