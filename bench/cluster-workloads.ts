/**
 * The cluster benchmark's workloads: the standalone `concurrent100`, `concurrent1000` and
 * `pipeline` definitions, run on a {@link ClusterClientAdapter} instead of a standalone client.
 * Their keys (`bench:k:0…`, `bench:p:0…99`) carry no hash tag, so they spread over the slots and
 * every primary. `pipeline` is named `pipeline100` here; like the standalone one it counts a
 * batch of 100 SETs as 100 ops, its latency being the batch's.
 *
 * `worker.ts` runs them through {@link prepareClusterRun} when given the `cluster` topology.
 *
 * @module
 */
import { CLUSTER_ADAPTERS } from "./cluster-clients.js";
import type { Prepared, Workload } from "./workloads.js";
import { keys, WORKLOADS } from "./workloads.js";

/** A workload, and the keys its callers use (for the report's count of keys per primary). */
export interface ClusterWorkload {
  readonly workload: Workload;
  readonly keys: readonly string[];
}

function standalone(name: string): Workload {
  const workload = WORKLOADS.find((candidate) => candidate.name === name);
  if (workload === undefined) throw new Error(`no standalone workload ${name}`);
  return workload;
}

const pipeline = standalone("pipeline");

/** The cluster workloads in the order they run. */
export const CLUSTER_WORKLOADS: readonly ClusterWorkload[] = [
  { workload: standalone("concurrent100"), keys: keys("k", 100) },
  { workload: standalone("concurrent1000"), keys: keys("k", 1000) },
  {
    workload: {
      ...pipeline,
      name: "pipeline100",
      description:
        "One caller: batches of 100 SETs (100-byte values) on 100 keys spread over the cluster, through the library's " +
        "cluster pipeline (split by node: see each client's notes), each batch awaited. An op is one SET command, so " +
        "a batch counts 100 ops, as in the standalone `pipeline`; latency is per batch.",
    },
    keys: keys("p", 100),
  },
];

/** Opens a cluster client of `client` on the start-up node `host:port` and prepares `workload` on it. */
export function prepareClusterRun(client: string, workload: string, host: string, port: number): Promise<Prepared> {
  const adapter = CLUSTER_ADAPTERS.get(client);
  if (adapter === undefined) throw new Error(`unknown cluster client ${client}`);
  const definition = CLUSTER_WORKLOADS.find((candidate) => candidate.workload.name === workload)?.workload;
  if (definition === undefined) throw new Error(`unknown cluster workload ${workload}`);
  return definition.prepare(adapter, host, port);
}
