/**
 * `npm run bench -- --sentinel`: the three clients through a `SENTINEL FAILOVER`, one at a time,
 * each on a fresh sentinel set of its own (a primary, a replica, three sentinels), so none
 * inherits another's failover.
 *
 * Each run: 32 writers SET distinct keys through the library's sentinel client; once 2 000 writes
 * are acknowledged, the harness fails the primary over; the writers go on until 3 s after the
 * first `+switch-master` (heard on every sentinel). Then, before the sentinels turn the old
 * primary into a replica (8 s after the switch on Redis 7.0), both servers' keys are read:
 * - **on the demoted primary only**: writes it took after the promotion, which its resync from the
 *   new primary will discard;
 * - **acknowledged, lost**: acknowledged writes that are not on the new primary;
 * - **resumed after the switch**: milliseconds from `+switch-master` to the first acknowledged
 *   write that is on the new primary;
 * - **failed**: calls that rejected.
 *
 * @module
 */
import { createClient, createSentinel } from "redis";
import { Redis as IORedis } from "ioredis";
import { Sentinel } from "../src/index.js";
import { sentinelFailover, startSentinelSet, type SentinelSet } from "../test/harness/sentinel.js";
import { watchSwitches } from "../test/harness/sentinel-watch.js";
import { until } from "../test/harness/wait.js";
import { markdownTable, SENTINEL_END, SENTINEL_START, writeSentinelSection } from "./report.js";

const WRITERS = 32;
const AFTER_SWITCH_MS = 3_000;

/** One library's sentinel client, as the benchmark drives it. */
interface FailoverClient {
  set(key: string): Promise<unknown>;
  close(): Promise<void>;
}

type ClientFactory = (set: SentinelSet) => Promise<FailoverClient>;

const FACTORIES: Record<string, ClientFactory> = {
  async coredis(set) {
    const sentinel = new Sentinel({ sentinels: set.sentinelAddresses });
    const client = sentinel.primaryFor(set.name);
    await client.connect();
    return {
      set: (key) => client.set(key, "1"),
      async close() {
        await client.close();
        await sentinel.close();
      },
    };
  },
  async ioredis(set) {
    const client = new IORedis({ sentinels: set.sentinelAddresses.map(({ host, port }) => ({ host, port })), name: set.name, lazyConnect: true });
    await client.connect();
    return {
      set: (key) => client.set(key, "1"),
      async close() {
        client.disconnect();
      },
    };
  },
  async "node-redis"(set) {
    const client = createSentinel({ name: set.name, sentinelRootNodes: set.sentinelAddresses.map(({ host, port }) => ({ host, port })) });
    client.on("error", () => undefined);
    await client.connect();
    return {
      set: (key) => client.set(key, "1"),
      async close() {
        await client.close();
      },
    };
  },
};

/** What one library did through one failover. */
export interface FailoverResult {
  readonly client: string;
  readonly acknowledged: number;
  readonly failed: number;
  readonly onDemotedOnly: number;
  readonly lost: number;
  readonly resumedMs: number | undefined;
}

/** The keys the writers wrote on one server (its database 0). */
async function keysOn(port: number): Promise<Set<string>> {
  // A plain node-redis client reads the results, the same probe for every library.
  const client = createClient({ socket: { port } });
  await client.connect();
  try {
    const keys = new Set<string>();
    for await (const batch of client.scanIterator({ MATCH: "failover:*", COUNT: 1000 })) for (const key of batch) keys.add(key);
    return keys;
  } finally {
    client.destroy();
  }
}

/** Runs one library through one failover on a set of its own. */
export async function runFailover(name: string, factory: ClientFactory): Promise<FailoverResult> {
  const set = await startSentinelSet({ downAfterMs: 1_000, failoverTimeoutMs: 5_000 });
  const watch = await watchSwitches(set);
  const client = await factory(set);
  const acknowledged: { key: string; at: number }[] = [];
  let failed = 0;
  let stop = false;
  const writers = Array.from({ length: WRITERS }, async (_, writer) => {
    for (let i = 0; !stop; i++) {
      const key = `failover:${writer}:${i}`;
      try {
        await client.set(key);
        acknowledged.push({ key, at: performance.now() });
      } catch {
        failed++;
      }
    }
  });
  try {
    await until(() => acknowledged.length >= 2_000, `${name}: writers under way`, { withinMs: 30_000 });
    const promoted = await sentinelFailover(set);
    const demoted = promoted === set.replica ? set.primary : set.replica;
    const switchedAt = await watch.switched;
    await until(() => performance.now() > switchedAt + AFTER_SWITCH_MS, "the run's end", { withinMs: AFTER_SWITCH_MS + 1_000, everyMs: 50 });
    stop = true;
    // A library still waiting on a stalled call would hold the run forever: 10 s at most.
    await Promise.race([Promise.all(writers), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    const [onNew, onOld] = await Promise.all([keysOn(promoted.port), keysOn(demoted.port)]);
    const resumed = acknowledged.filter((write) => write.at > switchedAt && onNew.has(write.key)).map((write) => write.at);
    return {
      client: name,
      acknowledged: acknowledged.length,
      failed,
      onDemotedOnly: [...onOld].filter((key) => !onNew.has(key)).length,
      lost: acknowledged.filter((write) => !onNew.has(write.key)).length,
      resumedMs: resumed.length === 0 ? undefined : resumed.reduce((a, b) => Math.min(a, b), Infinity) - switchedAt,
    };
  } finally {
    stop = true;
    await client.close().catch(() => undefined);
    await watch.close();
    await set.stop();
  }
}

/** Every library through its own failover, then the table in RESULTS.md. */
export async function runSentinelBench(args: readonly string[]): Promise<number> {
  const only = args.filter((arg) => !arg.startsWith("--"));
  const results: FailoverResult[] = [];
  for (const [name, factory] of Object.entries(FACTORIES)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const result = await runFailover(name, factory);
    console.log(JSON.stringify(result));
    results.push(result);
  }
  const rows = results.map((result) => [
    result.client,
    String(result.acknowledged),
    String(result.failed),
    String(result.onDemotedOnly),
    `${result.lost} (${((100 * result.lost) / Math.max(1, result.acknowledged)).toFixed(1)} %)`,
    result.resumedMs === undefined ? "never" : `${Math.round(result.resumedMs)} ms`,
  ]);
  const section = [
    SENTINEL_START,
    "## Sentinel failover",
    "",
    `\`npm run bench -- --sentinel\`, ${new Date().toISOString().slice(0, 10)}: ${WRITERS} writers through a SENTINEL FAILOVER, each client on a fresh sentinel set, writing until ${AFTER_SWITCH_MS / 1000} s after \`+switch-master\` (see bench/sentinel-failover.ts).`,
    "",
    markdownTable(["client", "acknowledged", "failed", "on the demoted primary only", "acknowledged, lost", "resumed on the new primary after +switch-master"], rows),
    SENTINEL_END,
  ].join("\n");
  writeSentinelSection(section);
  console.log(section);
  return 0;
}
