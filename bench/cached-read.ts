/**
 * The `cached-read` benchmark: `npm run bench -- --cached-read [--rounds N]`.
 *
 * 100 callers loop GETs: 90 % on 1 000 hot keys, the rest on 100 000 cold ones, while a writer
 * (another client, without a cache) changes 1 % of the hot keys per second. Measured for coredis
 * and node-redis, each with its client-side cache off and on (node-redis: RESP3,
 * `clientSideCache`), each run in a fresh worker process against one server started for the
 * run: ops/s, client CPU µs per op (the worker process, user + system), p50/p99, hit ratio.
 * `BENCH_SECONDS` (default 3) is each run's measured window, after a 1 s warm-up.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createClient } from "redis";
import { Redis } from "../src/index.js";
import { startStandalone } from "../test/harness/servers.js";
import { CACHED_READ_END, CACHED_READ_START, markdownTable, spawnWorker, writeCachedReadSection } from "./report.js";
import { formatNumber, median, Meter } from "./stats.js";

const CALLERS = 100;
const HOT_KEYS = 1000;
const COLD_KEYS = 100_000;
const HOT_SHARE = 0.9;
/** Hot keys the writer changes per second: 1 %. */
const WRITES_PER_SECOND = HOT_KEYS / 100;
const VALUE = "x".repeat(100);
const VARIANTS = ["coredis", "coredis+cache", "coredis+cache(received)", "node-redis", "node-redis+cache"] as const;
type Variant = (typeof VARIANTS)[number];

interface Result {
  readonly variant: string;
  readonly opsPerSec?: number;
  readonly cpuUsPerOp?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly hitRatio?: number;
  readonly error?: string;
}

const hotKey = (i: number): string => `cr:hot:${i}`;
const coldKey = (i: number): string => `cr:cold:${i}`;

/** What a worker needs of a client. */
interface Reader {
  get(key: string): Promise<unknown>;
  hitRatio(): number | undefined;
  close(): Promise<void>;
}

async function openReader(variant: Variant, port: number): Promise<Reader> {
  if (variant.startsWith("coredis")) {
    const cache = variant === "coredis" ? false : { consistency: variant === "coredis+cache" ? ("strict" as const) : ("received" as const) };
    const client = new Redis({ port, cache });
    await client.connect();
    return {
      get: (key) => client.get(key),
      hitRatio: () => {
        const stats = client.cache?.stats;
        return stats === undefined ? undefined : stats.hits / Math.max(1, stats.hits + stats.misses);
      },
      close: () => client.close(),
    };
  }
  const cached = variant === "node-redis+cache";
  const client = createClient({
    socket: { port, host: "127.0.0.1" },
    ...(cached ? { RESP: 3 as const, clientSideCache: { ttl: 0, maxEntries: 10_000, evictPolicy: "LRU" as const } } : {}),
  });
  await client.connect();
  const cache = (client as unknown as { clientSideCache?: { stats(): { hitCount: number; missCount: number } } }).clientSideCache;
  return {
    get: (key) => client.get(key),
    hitRatio: () => {
      const stats = cache?.stats();
      return stats === undefined ? undefined : stats.hitCount / Math.max(1, stats.hitCount + stats.missCount);
    },
    close: () => client.close(),
  };
}

/** One variant's run, in this (worker) process. */
async function work(variant: Variant, port: number): Promise<Result> {
  const windowMs = Number(process.env["BENCH_SECONDS"] ?? 3) * 1000;
  const reader = await openReader(variant, port);
  const writer = new Redis({ port });
  const meter = new Meter();
  let running = true;
  const random = Math.random;
  const callers = Array.from({ length: CALLERS }, async () => {
    while (running) {
      const key = random() < HOT_SHARE ? hotKey(Math.floor(random() * HOT_KEYS)) : coldKey(Math.floor(random() * COLD_KEYS));
      const started = performance.now();
      await reader.get(key);
      meter.record(started);
    }
  });
  let written = 0;
  const writing = (async () => {
    const startedAt = performance.now();
    while (running) {
      // Paced: the writer's schedule is the point (1 % of the hot keys per second).
      const due = startedAt + (written * 1000) / WRITES_PER_SECOND - performance.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      await writer.set(hotKey(Math.floor(random() * HOT_KEYS)), `${VALUE}${written++}`);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  meter.measuring = true;
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  meter.measuring = false;
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = (performance.now() - startedAt) / 1000;
  running = false;
  await Promise.all([...callers, writing]);
  const hitRatio = reader.hitRatio();
  await reader.close();
  await writer.close();
  const { p50, p99 } = meter.percentiles();
  return {
    variant,
    opsPerSec: meter.ops / elapsed,
    cpuUsPerOp: (cpu.user + cpu.system) / meter.ops,
    p50Ms: p50,
    p99Ms: p99,
    ...(hitRatio === undefined ? {} : { hitRatio }),
  };
}

function spawnRun(variant: Variant, port: number): Promise<Result> {
  return spawnWorker<Result>(["--worker", variant, String(port)], 120_000, (error) => ({ variant, error }), [], "bench/cached-read.ts");
}

/** Runs every variant `rounds` times, interleaved, and prints the medians. Returns the exit code. */
export async function runCachedReadBench(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { rounds: { type: "string", default: "3" } } });
  const rounds = Number(values.rounds);
  const server = await startStandalone();
  try {
    const seeder = new Redis({ port: server.port });
    for (let start = 0; start < COLD_KEYS; start += 1000) {
      const args: string[] = ["MSET"];
      for (let i = start; i < start + 1000; i++) args.push(coldKey(i), VALUE);
      if (start < HOT_KEYS) for (let i = start; i < Math.min(HOT_KEYS, start + 1000); i++) args.push(hotKey(i), VALUE);
      await seeder.sendCommand(args);
    }
    await seeder.close();
    const results = new Map<string, Result[]>();
    for (let round = 0; round < rounds; round++) {
      const order = [...VARIANTS.slice(round % VARIANTS.length), ...VARIANTS.slice(0, round % VARIANTS.length)];
      for (const variant of order) {
        const result = await spawnRun(variant, server.port);
        results.set(variant, [...(results.get(variant) ?? []), result]);
        console.log(
          `[round ${round + 1}] ${variant.padEnd(17)} ` +
            (result.error === undefined
              ? `${formatNumber(result.opsPerSec).padStart(9)} ops/s ${formatNumber(result.cpuUsPerOp).padStart(6)} µs/op hit ratio ${formatNumber(result.hitRatio)}`
              : `FAILED: ${result.error}`),
        );
      }
    }
    const medianOf = (variant: string, pick: (result: Result) => number | undefined): number =>
      median((results.get(variant) ?? []).map(pick).filter((value): value is number => value !== undefined));
    const baseline = medianOf("coredis", (result) => result.opsPerSec);
    const rows = VARIANTS.map((variant) => [
      variant,
      formatNumber(medianOf(variant, (result) => result.opsPerSec)),
      formatNumber(medianOf(variant, (result) => result.cpuUsPerOp)),
      formatNumber(medianOf(variant, (result) => result.p50Ms)),
      formatNumber(medianOf(variant, (result) => result.p99Ms)),
      formatNumber(medianOf(variant, (result) => result.hitRatio)),
      `${formatNumber(medianOf(variant, (result) => result.opsPerSec) / baseline)}×`,
    ]);
    const section = [
      CACHED_READ_START,
      "## Cached reads",
      "",
      `\`npm run bench -- --cached-read\`, ${new Date().toISOString().slice(0, 10)}: ${CALLERS} callers, ${HOT_SHARE * 100} % of GETs on ${HOT_KEYS} hot keys ` +
        `(rest on ${COLD_KEYS} cold), ${WRITES_PER_SECOND} hot-key writes/s; medians of ${rounds} rounds. ` +
        "`coredis+cache` is the default (`consistency: \"strict\"`), `coredis+cache(received)` the opt-in without a round trip per hit.",
      "",
      markdownTable(["client", "ops/s", "CPU µs/op", "p50 ms", "p99 ms", "hit ratio", "vs coredis uncached"], rows),
      CACHED_READ_END,
    ].join("\n");
    writeCachedReadSection(section);
    console.log(section);
    return [...results.values()].flat().some((result) => result.error !== undefined) ? 1 : 0;
  } finally {
    await server.stop();
  }
}

if (process.argv[2] === "--worker") {
  const variant = process.argv[3] as Variant;
  const result = await work(variant, Number(process.argv[4])).catch((error: unknown) => ({ variant, error: String(error) }));
  console.log(JSON.stringify(result));
  process.exit(0);
}
