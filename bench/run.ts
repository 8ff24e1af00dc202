/**
 * The client benchmark: `npm run bench [-- --workloads a,b --clients x,y --rounds N]`.
 *
 * Starts its own redis-server (no persistence) through the test harness, then runs every
 * (client, workload) pair in a fresh worker process, round after round; within a round the
 * clients take turns per workload, in an order rotated each round. Figures are medians over the
 * rounds. A full run (no `--workloads`/`--clients`) also runs `redis-benchmark` each round and
 * writes `bench/RESULTS.md` and `bench/results.json`; a filtered run only prints its tables,
 * unless given `--write`. `--skip-redis-benchmark` / `--redis-benchmark` override the default.
 *
 * `BENCH_SECONDS` (default 2) is each run's measured window, after a 0.5 s warm-up.
 *
 * `npm run bench -- --cluster [...]` runs the cluster benchmark instead (bench/cluster.ts);
 * `npm run bench -- --cached-read [--rounds N]` the client-side caching one (bench/cached-read.ts);
 * `npm run bench -- --sentinel [client ...]` each client through a failover (bench/sentinel-failover.ts).
 *
 * @module
 */
import { execFile } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { rawCommand, startStandalone } from "../test/harness/servers.js";
import type { RedisServer } from "../test/harness/servers.js";
import { ADAPTERS, RAW } from "./clients.js";
import { BENCH_DIR, markdownTable, packageVersion, REPO_DIR, spawnWorker, writeResults, writeResultsJson } from "./report.js";
import { aggregate, compact, ratio, rotated, withRatios } from "./rows.js";
import type { Row } from "./rows.js";
import { formatNumber, median } from "./stats.js";
import { RAW_WORKLOADS, WORKLOADS } from "./workloads.js";
import type { RunResult } from "./worker.js";

// `--sentinel` too: each client through a SENTINEL FAILOVER (bench/sentinel-failover.ts).
if (process.argv.includes("--sentinel")) {
  const { runSentinelBench } = await import("./sentinel-failover.js");
  process.exit(await runSentinelBench(process.argv.slice(2).filter((arg) => arg !== "--sentinel")));
}
// `--cluster` is a benchmark of its own, with its own options: see bench/cluster.ts.
if (process.argv.includes("--cluster")) {
  const { runClusterBench } = await import("./cluster.js");
  process.exit(await runClusterBench(process.argv.slice(2).filter((arg) => arg !== "--cluster")));
}

// `--cached-read`: client-side caching, cache on and off, against node-redis's (bench/cached-read.ts).
if (process.argv.includes("--cached-read")) {
  const { runCachedReadBench } = await import("./cached-read.js");
  process.exit(await runCachedReadBench(process.argv.slice(2).filter((arg) => arg !== "--cached-read")));
}

const { values: args } = parseArgs({
  options: {
    workloads: { type: "string" },
    clients: { type: "string" },
    rounds: { type: "string", default: "3" },
    write: { type: "boolean", default: false },
    "redis-benchmark": { type: "boolean" },
    "skip-redis-benchmark": { type: "boolean", default: false },
  },
});

const list = (text: string | undefined): string[] | undefined =>
  text
    ?.split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

/** Clients in their default order; the raw socket runs the workloads it has a form of. */
const ALL_CLIENTS = [...ADAPTERS.keys(), RAW];
const filtered = args.workloads !== undefined || args.clients !== undefined;
const workloadNames = list(args.workloads) ?? WORKLOADS.map((workload) => workload.name);
const requestedClients = list(args.clients) ?? ALL_CLIENTS;
const rounds = Number(args.rounds);
const runRedisBenchmark = !args["skip-redis-benchmark"] && (args["redis-benchmark"] ?? !filtered);
const write = args.write || !filtered;
const windowSeconds = Number(process.env["BENCH_SECONDS"] ?? 2);

for (const name of workloadNames) {
  if (!WORKLOADS.some((workload) => workload.name === name)) throw new Error(`unknown workload ${name}`);
}
for (const name of requestedClients) {
  if (!ALL_CLIENTS.includes(name)) throw new Error(`unknown client ${name} (known: ${ALL_CLIENTS.join(", ")})`);
}
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error("--rounds must be a positive integer");

/** valkey-glide is a native package: drop it, saying why, if it does not load here. */
async function availableClients(): Promise<{ clients: string[]; unavailable: Map<string, string> }> {
  const unavailable = new Map<string, string>();
  if (requestedClients.includes("valkey-glide")) {
    try {
      await import("@valkey/valkey-glide");
    } catch (error) {
      unavailable.set("valkey-glide", error instanceof Error ? error.message : String(error));
    }
  }
  return { clients: requestedClients.filter((name) => !unavailable.has(name)), unavailable };
}

// ---------------------------------------------------------------------------------------------
// redis-benchmark

interface RedisBenchmarkFigure {
  readonly test: string;
  readonly pipeline: number;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
}

const REDIS_BENCHMARK_REQUESTS = 200_000;
const REDIS_BENCHMARK_CLIENTS = 50;

function redisBenchmark(server: RedisServer, pipeline: number): Promise<RedisBenchmarkFigure[]> {
  const cli = ["-h", server.host, "-p", String(server.port), "-t", "set,get", "-n", String(REDIS_BENCHMARK_REQUESTS), "-c", String(REDIS_BENCHMARK_CLIENTS), "-q"];
  if (pipeline > 1) cli.push("-P", String(pipeline));
  return new Promise((resolve, reject) => {
    execFile("redis-benchmark", cli, { encoding: "utf8" }, (error, stdout) => {
      if (error !== null) {
        reject(new Error(`redis-benchmark ${cli.join(" ")} failed: ${error.message}`, { cause: error }));
        return;
      }
      // Progress lines end in \r; the final ones read "SET: 123456.79 requests per second, p50=0.215 msec".
      const figures: RedisBenchmarkFigure[] = [];
      for (const line of stdout.split(/[\r\n]+/)) {
        const match = /^(\w+): ([\d.]+) requests per second(?:, p50=([\d.]+) msec)?/.exec(line.trim());
        if (match === null) continue;
        figures.push({ test: match[1]!, pipeline, requestsPerSec: Number(match[2]), p50Ms: Number(match[3] ?? Number.NaN) });
      }
      resolve(figures);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Tables

function workloadTable(workload: string, rows: readonly Row[]): string {
  const side = WORKLOADS.find((definition) => definition.name === workload)?.side;
  const headers = ["client", "ops/s", "ops/s range", "CPU µs/op", "p50 ms", "p99 ms", "peak RSS MB", "conns", "ops/s vs best other", "CPU vs best other"];
  if (side !== undefined) headers.push("p99 vs best other", `${side} ops/s`, `${side} p99 ms`);
  const floorOrCeiling = workload === "pipeline" || workload === "pubsub" ? "raw socket (ceiling)" : "raw socket (floor)";
  const body = rows.map((row) => {
    const name = row.client === RAW ? floorOrCeiling : row.client;
    if (row.runs === 0) return [name, `failed: ${row.failures[0] ?? "no runs"}`];
    const cells = [
      row.failures.length > 0 ? `${name} (${row.failures.length} failed)` : name,
      formatNumber(row.opsPerSec),
      `${compact(row.opsRange[0])}–${compact(row.opsRange[1])}`,
      formatNumber(row.cpuUsPerOp),
      formatNumber(row.p50Ms),
      formatNumber(row.p99Ms),
      formatNumber(row.peakRssMb),
      formatNumber(row.connections),
      ratio(row.opsVsBestOther),
      ratio(row.cpuVsBestOther),
    ];
    if (side !== undefined) cells.push(ratio(row.p99VsBestOther), formatNumber(row.sideOpsPerSec), formatNumber(row.sideP99Ms));
    return cells;
  });
  return markdownTable(headers, body);
}

function redisBenchmarkTable(runs: readonly RedisBenchmarkFigure[]): string {
  const keys = [...new Set(runs.map((figure) => `${figure.test} -P ${figure.pipeline}`))];
  const body = keys.map((key) => {
    const same = runs.filter((figure) => `${figure.test} -P ${figure.pipeline}` === key);
    return [key, formatNumber(median(same.map((figure) => figure.requestsPerSec))), formatNumber(median(same.map((figure) => figure.p50Ms)))];
  });
  return markdownTable(["test", "requests/s", "p50 ms"], body);
}

// ---------------------------------------------------------------------------------------------
// Main

const { clients, unavailable } = await availableClients();
for (const [name, why] of unavailable) console.log(`skipping ${name}: ${why}`);

const server = await startStandalone();
const results = new Map<string, RunResult[]>(); // "workload client" → one result per round
const redisBenchmarkRuns: RedisBenchmarkFigure[] = [];
let serverVersion = "unknown";
const startedAt = Date.now();
/** 1-minute load averages at the start and the end: the bench itself keeps ~2 busy (client and server). */
const loadAtStart = os.loadavg()[0] ?? Number.NaN;
try {
  serverVersion = /redis_version:(\S+)/.exec(await rawCommand(server, "INFO", "server"))?.[1] ?? serverVersion;
  console.log(
    `redis-server ${serverVersion} on port ${server.port}; ${rounds} rounds, ${windowSeconds} s window; ` +
      `clients: ${clients.join(", ")}; workloads: ${workloadNames.join(", ")}`,
  );
  for (let round = 0; round < rounds; round++) {
    if (runRedisBenchmark) {
      for (const pipeline of [1, 16]) {
        await rawCommand(server, "FLUSHALL");
        const figures = await redisBenchmark(server, pipeline);
        redisBenchmarkRuns.push(...figures);
        console.log(`[round ${round + 1}] redis-benchmark -P ${pipeline}: ${figures.map((figure) => `${figure.test} ${formatNumber(figure.requestsPerSec)}/s`).join(", ")}`);
      }
    }
    for (const workload of workloadNames) {
      const eligible = clients.filter((client) => client !== RAW || RAW_WORKLOADS.has(workload));
      for (const client of rotated(eligible, round)) {
        await rawCommand(server, "FLUSHALL");
        const result = await spawnWorker<RunResult>(
          [client, workload, String(server.port)],
          (windowSeconds + 60) * 1000,
          (error) => ({ client, workload, error }),
        );
        const key = `${workload} ${client}`;
        results.set(key, [...(results.get(key) ?? []), result]);
        console.log(
          `[round ${round + 1}] ${workload.padEnd(14)} ${client.padEnd(13)} ` +
            (result.error === undefined
              ? `${formatNumber(result.opsPerSec).padStart(9)} ops/s ${formatNumber(result.cpuUsPerOp).padStart(6)} µs/op  p50 ${formatNumber(result.p50Ms)} ms  p99 ${formatNumber(result.p99Ms)} ms`
              : `FAILED: ${result.error}`),
        );
      }
    }
  }
} finally {
  await server.stop();
}

const tables = workloadNames.map((workload) => {
  const order = clients.filter((client) => results.has(`${workload} ${client}`));
  return { workload, rows: withRatios(order.map((client) => aggregate(client, results.get(`${workload} ${client}`)!))) };
});

const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
const loadAtEnd = os.loadavg()[0] ?? Number.NaN;
const sections: string[] = [];
for (const { workload, rows } of tables) {
  const definition = WORKLOADS.find((candidate) => candidate.name === workload)!;
  sections.push(`### ${workload}\n\n${definition.description}\n\n${workloadTable(workload, rows)}`);
}
if (redisBenchmarkRuns.length > 0) {
  sections.push(
    `### redis-benchmark\n\n\`redis-benchmark -t set,get -n ${REDIS_BENCHMARK_REQUESTS} -c ${REDIS_BENCHMARK_CLIENTS} -q\`, ` +
      `and with \`-P 16\`, against the same server (C, ${REDIS_BENCHMARK_CLIENTS} connections; a reference for the server's own limits).\n\n` +
      redisBenchmarkTable(redisBenchmarkRuns),
  );
}
console.log(`\n${sections.join("\n\n")}\n`);

if (write) {
  const clientNotes = clients
    .filter((client) => client !== RAW)
    .map((client) => {
      const adapter = ADAPTERS.get(client)!;
      return `- **${client}** — \`${adapter.packageName}\` ${packageVersion(adapter.packageName)}. ${adapter.notes}`;
    });
  for (const [name, why] of unavailable) clientNotes.push(`- **${name}** — not run: ${why}`);
  const header = [
    "# Benchmark results",
    "",
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} in ${minutes} min: Node ${process.version}, ` +
      `${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}, redis-server ${serverVersion} (no persistence) on loopback, ` +
      "sharing the machine's cores with the client process. " +
      `1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadAtEnd.toFixed(2)} at the end (the bench itself keeps about 2 busy).`,
    "",
    `Each (client, workload) pair ran in a fresh process, ${rounds} rounds, clients interleaved in an order rotated each round; ` +
      `each run had a 0.5 s warm-up then a ${windowSeconds} s measured window. Figures are medians over the rounds. ` +
      "CPU µs/op is the client process's user + system CPU (all threads) over the window divided by its ops; " +
      "latency is per command (per batch in `pipeline`, per transaction in `transaction`, per message received in `pubsub`), sampled into a fixed reservoir; peak RSS is sampled every 20 ms " +
      "and includes ~80 MB of Node + tsx baseline. \"vs best other\" compares with the best of the other libraries " +
      "(ops/s over the highest; CPU and p99 over the lowest), so above 1 is better for ops/s and worse for CPU and p99. " +
      "\"ops/s range\" is the lowest and highest round: on a shared machine it shows how far a single figure can be trusted. " +
      "The raw socket rows are the floor (`serial`: the same SET/GET pre-encoded on a bare socket) and ceilings " +
      "(`pipeline`: 100 pre-encoded SETs in one write, replies counted by scanning line feeds; `pubsub`: a bare-socket " +
      "subscriber counting messages by their line feeds) on the same server.",
    "",
    "## Clients",
    "",
    ...clientNotes,
    "",
    "## Workloads",
  ];
  writeResults(`${header.join("\n")}\n\n${sections.join("\n\n")}\n`);
  writeResultsJson({
    generatedAt: new Date().toISOString(),
    environment: {
      node: process.version,
      cpu: os.cpus()[0]?.model,
      cpus: os.cpus().length,
      redisServer: serverVersion,
      loadAverage1m: { start: loadAtStart, end: loadAtEnd },
    },
    settings: { rounds, windowSeconds, warmupSeconds: 0.5 },
    clients: Object.fromEntries(clients.map((client) => [client, ADAPTERS.get(client)?.notes ?? "raw net.Socket"])),
    unavailable: Object.fromEntries(unavailable),
    workloads: Object.fromEntries(
      tables.map(({ workload, rows }) => [workload, { rows, runs: clients.flatMap((client) => results.get(`${workload} ${client}`) ?? []) }]),
    ),
    redisBenchmark: redisBenchmarkRuns,
  });
  console.log(`wrote ${path.relative(REPO_DIR, path.join(BENCH_DIR, "RESULTS.md"))} and bench/results.json`);
}
