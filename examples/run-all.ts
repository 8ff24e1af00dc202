/**
 * Runs every example with its timing: `npm run examples`.
 *
 * It uses the server at REDIS_HOST:REDIS_PORT (default 127.0.0.1:6379) when one answers PING
 * there; otherwise it starts a throwaway redis-server on a free port (through the test harness,
 * which stops it by PID however this process ends) and stops it afterwards. The cluster example
 * uses the cluster at REDIS_CLUSTER_HOST:REDIS_CLUSTER_PORT when that is set, else a throwaway
 * cluster of three primaries started the same way. The sentinel example uses the sentinel at
 * REDIS_SENTINEL_HOST:REDIS_SENTINEL_PORT (service REDIS_SENTINEL_NAME, default mymaster) when that
 * is set, and only reads and writes there; else a throwaway sentinel set, which it also fails over.
 */
import { Redis } from "coredis";
import { startCluster, startStandalone, type RedisCluster as HarnessCluster, type RedisServer } from "../test/harness/servers.js";
import { sentinelFailover, startSentinelSet, type SentinelSet } from "../test/harness/sentinel.js";
import { main as cache } from "./cache.js";
import { main as cluster } from "./cluster.js";
import { main as connectionLimits } from "./connection-limits.js";
import { main as customConnection } from "./custom-connection.js";
import { main as enoughConnections } from "./enough-connections.js";
import { exampleLocation, type ExampleLocation } from "./location.js";
import { main as parentOwnedPool } from "./parent-owned-pool.js";
import { main as pipeline } from "./pipeline.js";
import { main as poolTimeout } from "./pool-timeout.js";
import { main as pubsub } from "./pubsub.js";
import { main as script } from "./script.js";
import { main as sentinelExample, type SentinelExampleSetup } from "./sentinel.js";
import { main as sharedPool } from "./shared-pool.js";
import { main as transaction } from "./transaction.js";
import { main as unownedPool } from "./unowned-pool.js";

const examples: [name: string, run: (location: ExampleLocation) => Promise<string>][] = [
  ["connection-limits (8 connections, 10 BLPOPs: about 6 s)", connectionLimits],
  ["enough-connections (10 connections: about 3 s)", enoughConnections],
  ["pool-timeout (two TimeoutErrors after about 1 s)", poolTimeout],
  ["shared-pool (same client id)", sharedPool],
  ["parent-owned-pool (1024 workers)", parentOwnedPool],
  ["unowned-pool (the anti-pattern, safe here)", unownedPool],
  ["custom-connection", customConnection],
  ["pipeline (typed tuple, transaction, errors in place)", pipeline],
  ["transaction (WATCH, retried after a conflict)", transaction],
  ["script (EVALSHA, loaded once; in a pipeline)", script],
  ["pubsub (cache invalidation across a lost connection; MONITOR)", pubsub],
  ["cache (hits from memory; another client's write seen at once)", cache],
];

async function answers(location: ExampleLocation): Promise<boolean> {
  const probe = new Redis({ ...location, connectTimeout: 500, retryPolicy: { retryDelayMs: () => undefined } });
  try {
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}

let location = exampleLocation();
let throwaway: RedisServer | undefined;
if (!(await answers(location))) {
  throwaway = await startStandalone();
  location = { host: throwaway.host, port: throwaway.port };
  console.log(`nothing answered at ${exampleLocation().host}:${exampleLocation().port}; started a throwaway redis-server on port ${throwaway.port}`);
}

/** The cluster example's start-up node: the one configured, or a throwaway cluster's. */
let throwawayCluster: HarnessCluster | undefined;
async function clusterLocation(): Promise<ExampleLocation> {
  const configured = process.env["REDIS_CLUSTER_PORT"];
  if (configured !== undefined) return { host: process.env["REDIS_CLUSTER_HOST"] ?? "127.0.0.1", port: Number(configured) };
  throwawayCluster = await startCluster({ primaries: 3, replicasPerPrimary: 0 });
  const [first] = throwawayCluster.startupNodes;
  if (first === undefined) throw new Error("the throwaway cluster has no node");
  console.log(`REDIS_CLUSTER_PORT is not set; started a throwaway cluster of 3 primaries from port ${first.port}`);
  return { host: first.host, port: first.port };
}
/** The sentinel example's sentinels: the one configured, or a throwaway set's (which it may fail over). */
let throwawaySentinels: SentinelSet | undefined;
async function sentinelSetup(): Promise<SentinelExampleSetup> {
  const configured = process.env["REDIS_SENTINEL_PORT"];
  const name = process.env["REDIS_SENTINEL_NAME"] ?? "mymaster";
  if (configured !== undefined) return { sentinels: [{ host: process.env["REDIS_SENTINEL_HOST"] ?? "127.0.0.1", port: Number(configured) }], name };
  const set = await startSentinelSet();
  throwawaySentinels = set;
  console.log(`REDIS_SENTINEL_PORT is not set; started a throwaway sentinel set (a primary, a replica, three sentinels)`);
  const failover = async (): Promise<void> => {
    await sentinelFailover(set);
  };
  return { sentinels: [...set.sentinelAddresses], name: set.name, failover };
}
examples.push(["sentinel (writes through a SENTINEL FAILOVER, none lost; reads from a replica)", async () => sentinelExample(await sentinelSetup())]);
examples.push(["cluster (maxConnections 8 per node, 10 BLPOPs on one key: about 6 s; MGET across slots; pipeline by node)", async () => cluster(await clusterLocation())]);

let failures = 0;
try {
  for (const [name, run] of examples) {
    const started = performance.now();
    try {
      const result = await run(location);
      console.log(`✔ ${name}\n    ${result}  [${((performance.now() - started) / 1000).toFixed(2)} s]`);
    } catch (error) {
      failures++;
      console.log(`✘ ${name}\n    ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
} finally {
  await throwaway?.stop();
  await throwawayCluster?.stop();
  await throwawaySentinels?.stop();
}
process.exitCode = failures === 0 ? 0 : 1;
