/**
 * The cluster clients the cluster benchmark compares, behind the standalone benchmark's
 * {@link BenchClient} interface, so its workload definitions (`concurrentN`, `pipeline`) run on
 * a cluster unchanged: `open({ host, port })` takes one start-up node and lets the library
 * discover the rest, as each library documents.
 *
 * Only what the cluster workloads use is wired to a cluster API: GET, SET and the batch of SETs
 * (plus INCR, LPUSH and BLPOP, single-key commands that route as GET does). The transaction and
 * pubsub workloads are not run on a cluster; their methods reject, saying so.
 *
 * A batch of key-spread SETs goes through each library's own pipeline. coredis and valkey-glide
 * split one batch by node themselves. ioredis and node-redis send a pipeline to one node only
 * (ioredis refuses keys of different nodes: "All keys in the pipeline should belong to the same
 * slots allocation group"; node-redis sends every command to the first key's node, and the others'
 * MOVED replies reject `execAsPipeline()`), so their adapters split the batch by node with the
 * library's own slot table (the slot computed with the server's CRC16, `src/cluster/slot.ts`),
 * one pipeline per node, all in flight at once, as their users must.
 *
 * Every library is imported lazily inside its adapter, as in `clients.ts`.
 *
 * @module
 */
import { keySlot } from "../src/cluster/slot.js";
import type { BenchClient, ClientAdapter } from "./clients.js";
import { GLIDE_INFLIGHT_LIMIT, GLIDE_REQUEST_TIMEOUT_MS } from "./clients.js";

/** One node of the cluster, as a start-up node. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

/** A {@link ClientAdapter} whose clients talk to a cluster; `open` starts from one node. */
export interface ClusterClientAdapter extends ClientAdapter {
  /** Opens a client that starts from these nodes (the recovery test hands it every node). */
  openCluster(startupNodes: readonly NodeAddress[]): Promise<BenchClient>;
}

/** The {@link BenchClient} methods the cluster benchmark does not measure. */
const notMeasured = {
  incrTransaction: (): Promise<never> => Promise.reject(new Error("transactions are not measured on a cluster")),
  subscribe: (): Promise<never> => Promise.reject(new Error("pubsub is not measured on a cluster")),
};

/** Splits `keys` into the groups one node serves each, the node of a slot named by `nodeOf`. */
function byNode(keys: readonly string[], nodeOf: (slot: number) => string | undefined): string[][] {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const node = nodeOf(keySlot(key)) ?? "";
    const group = groups.get(node);
    if (group === undefined) groups.set(node, [key]);
    else group.push(key);
  }
  return [...groups.values()];
}

/** Gives a ClusterClientAdapter its one-node `open`. */
function clusterAdapter(adapter: Omit<ClusterClientAdapter, "open">): ClusterClientAdapter {
  return { ...adapter, open: ({ host, port }) => adapter.openCluster([{ host, port }]) };
}

const coredis = clusterAdapter({
  name: "coredis",
  packageName: "coredis",
  pooled: true,
  notes:
    "RedisCluster, default options (RESP3; maxConnections 64 across the cluster; commands multiplexed on one " +
    "shared connection per primary). `pipeline100`: client.pipeline(), which splits the batch by node and sends " +
    "each node's part in one write, in parallel.",
  async openCluster(startupNodes) {
    const { RedisCluster } = await import("coredis");
    const client = new RedisCluster({ startupNodes });
    await client.connect();
    return {
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value),
      incr: (key) => client.incr(key),
      lpush: (key, value) => client.lpush(key, [value]),
      blpop: (key, timeout) => client.blpop([key], timeout),
      setBatch: (keys, value) => {
        const pipeline = client.pipeline();
        for (const key of keys) pipeline.set(key, value);
        return pipeline.exec();
      },
      ...notMeasured,
      connections: () => client.connectionPool.stats.open,
      close: () => client.close(),
    };
  },
});

function ioredisAdapter(name: string, enableAutoPipelining: boolean): ClusterClientAdapter {
  return clusterAdapter({
    name,
    packageName: "ioredis",
    pooled: false,
    notes:
      `new Cluster([{ host, port }]${enableAutoPipelining ? ", { enableAutoPipelining: true }" : ""}), otherwise ` +
      "default options (RESP3, the ioredis 6 default; a connection to each primary: replicas are known but not connected with the " +
      "default scaleReads \"master\"). `pipeline100`: one cluster.pipeline() " +
      "per node (an ioredis pipeline must keep to the slots of one node), grouped by cluster.slots, all exec()ed at " +
      "once; per-command errors, which exec() resolves with, are raised.",
    async openCluster(startupNodes) {
      const { Cluster } = await import("ioredis");
      const cluster = new Cluster(
        startupNodes.map(({ host, port }) => ({ host, port })),
        { lazyConnect: true, enableAutoPipelining },
      );
      // Without a listener an emitted "error" would end the process.
      cluster.on("error", (error: unknown) => {
        console.error(`${name}:`, error instanceof Error ? error.message : error);
      });
      await cluster.connect();
      return {
        get: (key) => cluster.get(key),
        set: (key, value) => cluster.set(key, value),
        incr: (key) => cluster.incr(key),
        lpush: (key, value) => cluster.lpush(key, value),
        blpop: (key, timeout) => cluster.blpop(key, timeout),
        setBatch: (keys, value) =>
          Promise.all(
            byNode(keys, (slot) => cluster.slots[slot]?.[0]).map(async (group) => {
              const pipeline = cluster.pipeline();
              for (const key of group) pipeline.set(key, value);
              const replies = (await pipeline.exec()) ?? [];
              const failed = replies.find(([error]) => error !== null);
              if (failed !== undefined) throw failed[0]!;
              return replies;
            }),
          ),
        ...notMeasured,
        connections: () => cluster.nodes("all").filter((node) => node.status === "ready").length,
        close: async () => {
          await cluster.quit();
        },
      };
    },
  });
}

const nodeRedis = clusterAdapter({
  name: "node-redis",
  packageName: "redis",
  pooled: false,
  notes:
    "createCluster({ rootNodes: [{ url: \"redis://host:port\" }] }), otherwise default options (RESP3; one " +
    "connection per primary, replicas unused). `pipeline100`: one cluster.multi()…execAsPipeline() per node " +
    "(node-redis sends a whole pipeline to its first key's node, and the MOVED replies of the other nodes' keys " +
    "reject it), grouped by cluster.slots, all in flight at once.",
  async openCluster(startupNodes) {
    const { createCluster } = await import("redis");
    const cluster = createCluster({ rootNodes: startupNodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })) });
    cluster.on("error", (error: unknown) => {
      console.error("node-redis:", error instanceof Error ? error.message : error);
    });
    await cluster.connect();
    return {
      get: (key) => cluster.get(key),
      set: (key, value) => cluster.set(key, value),
      incr: (key) => cluster.incr(key),
      lpush: (key, value) => cluster.lPush(key, value),
      blpop: (key, timeout) => cluster.blPop(key, timeout),
      setBatch: (keys, value) =>
        Promise.all(
          byNode(keys, (slot) => cluster.slots[slot]?.master.address).map((group) => {
            const multi = cluster.multi();
            for (const key of group) multi.set(key, value);
            return multi.execAsPipeline();
          }),
        ),
      ...notMeasured,
      connections: () => [...cluster.nodeByAddress.values()].filter((node) => node.client?.isOpen === true).length,
      close: () => cluster.close(),
    };
  },
});

const glide = clusterAdapter({
  name: "valkey-glide",
  packageName: "@valkey/valkey-glide",
  pooled: false,
  notes:
    "GlideClusterClient.createClient({ addresses: [{ host, port }] }) with the standalone bench's " +
    `requestTimeout ${GLIDE_REQUEST_TIMEOUT_MS} ms and inflightRequestsLimit ${GLIDE_INFLIGHT_LIMIT} ` +
    "(the default 1 000 in-flight requests is `concurrent1000`'s exact load); its Rust core's threads' CPU is counted; " +
    "it reports no connection count. `pipeline100`: a non-atomic ClusterBatch, which glide splits by node itself, " +
    "exec(batch, true).",
  async openCluster(startupNodes) {
    const { ClusterBatch, GlideClusterClient } = await import("@valkey/valkey-glide");
    const client = await GlideClusterClient.createClient({
      addresses: startupNodes.map(({ host, port }) => ({ host, port })),
      requestTimeout: GLIDE_REQUEST_TIMEOUT_MS,
      inflightRequestsLimit: GLIDE_INFLIGHT_LIMIT,
    });
    return {
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value),
      incr: (key) => client.incr(key),
      lpush: (key, value) => client.lpush(key, [value]),
      blpop: (key, timeout) => client.blpop([key], timeout),
      setBatch: (keys, value) => {
        const batch = new ClusterBatch(false);
        for (const key of keys) batch.set(key, value);
        return client.exec(batch, true);
      },
      ...notMeasured,
      connections: () => Number.NaN,
      close: async () => {
        client.close();
      },
    };
  },
});

/** Every cluster client, by name, in their default order. */
export const CLUSTER_ADAPTERS: ReadonlyMap<string, ClusterClientAdapter> = new Map(
  [coredis, ioredisAdapter("ioredis", false), ioredisAdapter("ioredis-autopipelining", true), nodeRedis, glide].map(
    (adapter) => [adapter.name, adapter],
  ),
);
