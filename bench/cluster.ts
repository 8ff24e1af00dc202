/**
 * The cluster benchmark: `npm run bench -- --cluster [--workloads a,b --clients x,y --rounds N
 * --write --skip-recovery]` (`run.ts` hands `--cluster` runs to {@link runClusterBench}).
 *
 * Throughput: starts one cluster of 3 primaries with a replica each through the test harness, and
 * runs every (client, workload) pair of `cluster-workloads.ts` in a fresh worker process, as the
 * standalone benchmark does: round after round, clients taking turns per workload in an order
 * rotated each round, figures the medians over the rounds, `BENCH_SECONDS` (default 2) the window.
 *
 * Recovery: then, for each client, a fresh cluster of its own and a SIGKILLed primary
 * (`cluster-recovery.ts`).
 *
 * A full run (no `--workloads`/`--clients`) writes the "Cluster" section of `bench/RESULTS.md`
 * and the `cluster` key of `bench/results.json`, leaving the rest of both alone; a filtered run
 * only prints its tables, unless given `--write`.
 *
 * @module
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { keySlot } from "../src/cluster/slot.js";
import { slotMapOf } from "../test/harness/cluster-ops.js";
import { rawCommand, startCluster } from "../test/harness/servers.js";
import type { RedisServer } from "../test/harness/servers.js";
import { CLUSTER_ADAPTERS } from "./cluster-clients.js";
import { measureRecovery, PROMOTION_POLL_MS, RECOVERY_NODE_TIMEOUT_MS } from "./cluster-recovery.js";
import type { RecoveryResult } from "./cluster-recovery.js";
import { CLUSTER_WORKLOADS } from "./cluster-workloads.js";
import { CLUSTER_END, CLUSTER_START, markdownTable, packageVersion, spawnWorker, updateResultsJson, writeClusterSection } from "./report.js";
import { PAUSE_AFTER_FAILURE_MS, RECOVERY_BOUND_MS, RECOVERY_WRITERS } from "./recovery-protocol.js";
import { aggregate, compact, ratio, rotated, withRatios } from "./rows.js";
import type { Row } from "./rows.js";
import { formatNumber } from "./stats.js";
import type { RunResult } from "./worker.js";

const PRIMARIES = 3;
const REPLICAS_PER_PRIMARY = 1;

const list = (text: string | undefined): string[] | undefined =>
  text
    ?.split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

/** valkey-glide is a native package: drop it, saying why, if it does not load here. */
async function unloadable(clients: readonly string[]): Promise<Map<string, string>> {
  const unavailable = new Map<string, string>();
  if (clients.includes("valkey-glide")) {
    try {
      await import("@valkey/valkey-glide");
    } catch (error) {
      unavailable.set("valkey-glide", error instanceof Error ? error.message : String(error));
    }
  }
  return unavailable;
}

/** "34 / 33 / 33": how many of `keys` each primary serves, in `primaries`' order. */
async function spread(keys: readonly string[], primaries: readonly RedisServer[]): Promise<string> {
  const map = await slotMapOf(primaries[0]!);
  const counts = primaries.map((primary) => keys.filter((key) => map.shardFor(keySlot(key))?.primary.port === primary.port).length);
  return `${counts.join(" / ")} keys on the ${primaries.length} primaries, ${new Set(keys.map(keySlot)).size} slots`;
}

/**
 * JSON has no NaN, so a figure a worker could not take (valkey-glide reports no connection count)
 * comes back null: make it NaN again, which the medians skip and the tables print as "–".
 */
function knownOrNaN(result: RunResult): RunResult {
  return result.error === undefined && typeof result.connections !== "number" ? { ...result, connections: Number.NaN } : result;
}

function workloadTable(rows: readonly Row[]): string {
  const headers = ["client", "ops/s", "ops/s range", "CPU µs/op", "p50 ms", "p99 ms", "peak RSS MB", "conns", "ops/s vs best other", "CPU vs best other"];
  const body = rows.map((row) => {
    if (row.runs === 0) return [row.client, `failed: ${row.failures[0] ?? "no runs"}`];
    return [
      row.failures.length > 0 ? `${row.client} (${row.failures.length} failed)` : row.client,
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
  });
  return markdownTable(headers, body);
}

const DID_NOT_RECOVER = `did not recover within ${RECOVERY_BOUND_MS / 1000} s`;

function recoveryTable(results: readonly RecoveryResult[]): string {
  const headers = [
    "client",
    "kill → promotion ms",
    "kill → first write ms",
    "promotion → first write ms",
    `kill → all ${RECOVERY_WRITERS} writers ms`,
    "failed calls before first write",
    "failed calls after kill",
  ];
  const whole = (value: number | undefined): string => (value === undefined ? "–" : Math.round(value).toLocaleString("en-US"));
  const body = results.map((result) => {
    const report = result.report;
    if (report === undefined) return [result.client, `failed: ${result.error ?? "no report"}`];
    const promotion = result.promotionMs === undefined ? `no promotion within ${RECOVERY_BOUND_MS / 1000} s` : whole(result.promotionMs);
    return [
      result.client,
      promotion,
      result.killToFirstOkMs === undefined ? DID_NOT_RECOVER : whole(result.killToFirstOkMs),
      whole(result.promotionToFirstOkMs),
      result.killToAllOkMs === undefined ? `${report.recoveredWriters} of ${report.writers} writers in ${RECOVERY_BOUND_MS / 1000} s` : whole(result.killToAllOkMs),
      String(report.failedBeforeFirstOk),
      String(report.failedAfterKill) + (report.hungCalls > 0 ? ` (${report.hungCalls} calls still pending at the end)` : ""),
    ];
  });
  return markdownTable(headers, body);
}

/** Each client's distinct errors after the kill, ports masked (they change every run), as a list. */
function recoveryErrors(results: readonly RecoveryResult[]): string {
  // Double backticks: glide's messages hold single ones.
  const code = (text: string): string => `\`\` ${text.replaceAll(/:\d{4,5}\b/g, ":PORT")} \`\``;
  return results
    .map((result) => {
      const errors = result.report?.errors ?? [];
      return `- **${result.client}**: ${errors.length === 0 ? "none" : errors.map(code).join("; ")}`;
    })
    .join("\n");
}

/** Runs the cluster benchmark with `argv` (its own options); resolves to the process's exit code. */
export async function runClusterBench(argv: readonly string[]): Promise<number> {
  const { values: args } = parseArgs({
    args: [...argv],
    options: {
      workloads: { type: "string" },
      clients: { type: "string" },
      rounds: { type: "string", default: "3" },
      write: { type: "boolean", default: false },
      "skip-recovery": { type: "boolean", default: false },
    },
  });
  const allClients = [...CLUSTER_ADAPTERS.keys()];
  const allWorkloads = CLUSTER_WORKLOADS.map(({ workload }) => workload.name);
  const filtered = args.workloads !== undefined || args.clients !== undefined;
  const workloadNames = list(args.workloads) ?? allWorkloads;
  const requestedClients = list(args.clients) ?? allClients;
  const rounds = Number(args.rounds);
  const write = args.write || !filtered;
  const windowSeconds = Number(process.env["BENCH_SECONDS"] ?? 2);
  for (const name of workloadNames) if (!allWorkloads.includes(name)) throw new Error(`unknown cluster workload ${name} (known: ${allWorkloads.join(", ")})`);
  for (const name of requestedClients) if (!allClients.includes(name)) throw new Error(`unknown cluster client ${name} (known: ${allClients.join(", ")})`);
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error("--rounds must be a positive integer");

  const unavailable = await unloadable(requestedClients);
  for (const [name, why] of unavailable) console.log(`skipping ${name}: ${why}`);
  const clients = requestedClients.filter((name) => !unavailable.has(name));

  const startedAt = Date.now();
  const loadAtStart = os.loadavg()[0] ?? Number.NaN;
  const results = new Map<string, RunResult[]>(); // "workload client" → one result per round
  const spreads = new Map<string, string>();
  let serverVersion = "unknown";
  const cluster = await startCluster({ primaries: PRIMARIES, replicasPerPrimary: REPLICAS_PER_PRIMARY });
  try {
    const entry = cluster.primaries[0]!;
    serverVersion = /redis_version:(\S+)/.exec(await rawCommand(entry, "INFO", "server"))?.[1] ?? serverVersion;
    for (const { workload, keys } of CLUSTER_WORKLOADS) spreads.set(workload.name, await spread(keys, cluster.primaries));
    console.log(
      `cluster of ${cluster.primaries.length} primaries + ${cluster.replicas.length} replicas (redis-server ${serverVersion}), ` +
        `start-up node :${entry.port}; ${rounds} rounds, ${windowSeconds} s window; clients: ${clients.join(", ")}; workloads: ${workloadNames.join(", ")}`,
    );
    for (let round = 0; round < rounds; round++) {
      for (const workload of workloadNames) {
        for (const client of rotated(clients, round)) {
          await Promise.all(cluster.primaries.map((primary) => rawCommand(primary, "FLUSHALL")));
          const result = knownOrNaN(
            await spawnWorker<RunResult>(
              [client, workload, String(entry.port), "cluster"],
              (windowSeconds + 60) * 1000,
              (error) => ({ client, workload, error }),
            ),
          );
          const key = `${workload} ${client}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          console.log(
            `[round ${round + 1}] ${workload.padEnd(14)} ${client.padEnd(22)} ` +
              (result.error === undefined
                ? `${formatNumber(result.opsPerSec).padStart(9)} ops/s ${formatNumber(result.cpuUsPerOp).padStart(6)} µs/op  p50 ${formatNumber(result.p50Ms)} ms  p99 ${formatNumber(result.p99Ms)} ms`
                : `FAILED: ${result.error}`),
          );
        }
      }
    }
  } finally {
    await cluster.stop();
  }

  const recoveries: RecoveryResult[] = [];
  if (!args["skip-recovery"]) {
    for (const client of clients) {
      const result = await measureRecovery(client);
      recoveries.push(result);
      console.log(
        `[recovery] ${client.padEnd(22)} ` +
          (result.report === undefined
            ? `FAILED: ${result.error ?? "no report"}`
            : `promotion ${formatNumber(result.promotionMs)} ms, first write ${result.killToFirstOkMs === undefined ? DID_NOT_RECOVER : `${formatNumber(result.killToFirstOkMs)} ms`} ` +
              `after the kill, ${result.report.failedBeforeFirstOk} calls failed before it`),
      );
    }
  }

  const tables = workloadNames.map((workload) => {
    const order = clients.filter((client) => results.has(`${workload} ${client}`));
    return { workload, rows: withRatios(order.map((client) => aggregate(client, results.get(`${workload} ${client}`)!))) };
  });
  const sections = tables.map(({ workload, rows }) => {
    const definition = CLUSTER_WORKLOADS.find((candidate) => candidate.workload.name === workload)!.workload;
    return `### ${workload}\n\n${definition.description} Keys: ${spreads.get(workload) ?? "?"}.\n\n${workloadTable(rows)}`;
  });
  if (recoveries.length > 0) {
    sections.push(
      "### Recovery after SIGKILL of a primary\n\n" +
        `Each client on a fresh cluster of its own: ${PRIMARIES} primaries with 1 replica each, \`cluster-node-timeout\` ` +
        `${RECOVERY_NODE_TIMEOUT_MS} ms, every node a start-up node. ${RECOVERY_WRITERS} writers loop SET (100-byte values) on ` +
        `${RECOVERY_WRITERS} keys of the first primary, each awaiting its call (a failed call is followed by a ` +
        `${PAUSE_AFTER_FAILURE_MS} ms pause); once all have written, that primary is SIGKILLed and its replica's role is polled ` +
        `every ${PROMOTION_POLL_MS} ms. "The kill" is when the SIGKILLed process was seen gone (its pid polled every 20 ms): a ` +
        `write issued between the signal and the process's end could still be served by it. "first write" is the first SET ` +
        `issued after the kill that succeeded (completion time); ` +
        `"promotion" is when the poll first saw the replica as a primary, so "promotion → first write" can be off by a poll ` +
        `interval. Failed calls count calls that were rejected after the kill (those in flight at the kill included). ` +
        `One run per client; bound ${RECOVERY_BOUND_MS / 1000} s.\n\n` +
        `${recoveryTable(recoveries)}\n\nErrors the writers' calls failed with after the kill (distinct, in order, at most five):\n\n` +
        recoveryErrors(recoveries),
    );
  }
  console.log(`\n${sections.join("\n\n")}\n`);

  if (write) {
    const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
    const loadAtEnd = os.loadavg()[0] ?? Number.NaN;
    const notes = clients.map((client) => {
      const adapter = CLUSTER_ADAPTERS.get(client)!;
      return `- **${client}** — \`${adapter.packageName}\` ${packageVersion(adapter.packageName)}. ${adapter.notes}`;
    });
    for (const [name, why] of unavailable) notes.push(`- **${name}** — not run: ${why}`);
    const section = [
      CLUSTER_START,
      "## Cluster",
      "",
      `Generated by \`npm run bench -- --cluster\` on ${new Date().toISOString().slice(0, 10)} in ${minutes} min: Node ${process.version}, ` +
        `${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}, redis-server ${serverVersion} (no persistence) on loopback, ` +
        "sharing the machine's cores with the client process. " +
        `1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadAtEnd.toFixed(2)} at the end.`,
      "",
      `One cluster of ${PRIMARIES} primaries and ${PRIMARIES * REPLICAS_PER_PRIMARY} replicas (one per primary; replicas serve no ` +
        `reads here), all on this machine, for every throughput run; each client starts from one primary and discovers the rest. ` +
        `Each (client, workload) pair ran in a fresh process, ${rounds} rounds, clients interleaved in an order rotated each round; ` +
        `each run had a 0.5 s warm-up then a ${windowSeconds} s measured window; FLUSHALL on every primary before each run. ` +
        "Figures are medians over the rounds; columns as in the standalone tables above (CPU µs/op is the client process's " +
        "user + system CPU, all threads, over the window divided by its ops; latency is per command, per batch in `pipeline100`; " +
        "\"vs best other\" is ops/s over the best other library's, CPU over the lowest other library's). " +
        "Six redis-server processes share the 2 cores with the client here, so the server side saturates early: read the " +
        "ratios and CPU per op rather than the absolute ops/s.",
      "",
      "### Cluster clients",
      "",
      ...notes,
      "",
      sections.join("\n\n"),
      CLUSTER_END,
    ].join("\n");
    writeClusterSection(section);
    updateResultsJson("cluster", {
      generatedAt: new Date().toISOString(),
      environment: {
        node: process.version,
        cpu: os.cpus()[0]?.model,
        cpus: os.cpus().length,
        redisServer: serverVersion,
        loadAverage1m: { start: loadAtStart, end: loadAtEnd },
      },
      settings: { rounds, windowSeconds, warmupSeconds: 0.5, primaries: PRIMARIES, replicasPerPrimary: REPLICAS_PER_PRIMARY },
      clients: Object.fromEntries(clients.map((client) => [client, CLUSTER_ADAPTERS.get(client)!.notes])),
      unavailable: Object.fromEntries(unavailable),
      keys: Object.fromEntries(spreads),
      workloads: Object.fromEntries(
        tables.map(({ workload, rows }) => [workload, { rows, runs: clients.flatMap((client) => results.get(`${workload} ${client}`) ?? []) }]),
      ),
      recovery: {
        settings: {
          primaries: PRIMARIES,
          replicasPerPrimary: 1,
          nodeTimeoutMs: RECOVERY_NODE_TIMEOUT_MS,
          writers: RECOVERY_WRITERS,
          pauseAfterFailureMs: PAUSE_AFTER_FAILURE_MS,
          promotionPollMs: PROMOTION_POLL_MS,
          boundMs: RECOVERY_BOUND_MS,
        },
        results: recoveries,
      },
    });
    console.log("wrote the Cluster section of bench/RESULTS.md and the cluster key of bench/results.json");
  }
  return 0;
}
