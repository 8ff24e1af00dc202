/**
 * One benchmark run in a fresh process: `node --import tsx bench/worker.ts CLIENT WORKLOAD PORT [cluster]`.
 *
 * Opens the client(s), seeds keys, runs the workload's loops through a warm-up and a measured
 * window, and prints one JSON line ({@link RunResult}) on stdout. A failure prints a line with
 * `error` set and exits 1. `BENCH_SECONDS` sets the window (default 2), `BENCH_WARMUP_SECONDS`
 * the warm-up (default 0.5); `BENCH_HOST` the server's address (default 127.0.0.1). With `cluster`,
 * CLIENT and WORKLOAD are the cluster benchmark's (`cluster-workloads.ts`) and PORT is one node's.
 *
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ADAPTERS, RAW, STUB, STUB_ADAPTER } from "./clients.js";
import { prepareClusterRun } from "./cluster-workloads.js";
import { Meter } from "./stats.js";
import type { Control, Prepared } from "./workloads.js";
import { RAW_WORKLOADS, workloadNamed } from "./workloads.js";

export interface MeterFigures {
  readonly ops: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface RunResult extends Partial<MeterFigures> {
  readonly client: string;
  readonly workload: string;
  /** Length of the measured window. */
  readonly seconds?: number;
  /** Client process CPU (user + system, all threads) over the window, per headline op. */
  readonly cpuUsPerOp?: number;
  /** Highest RSS sampled from before the clients were opened to the end of the run. */
  readonly peakRssMb?: number;
  /** Most connections open at once, across the workload's clients. */
  readonly connections?: number;
  /** The side meter's figures, for workloads that have one. */
  readonly side?: MeterFigures;
  readonly error?: string;
}

const RSS_SAMPLE_MS = 20;
/** How long loops may take to finish their last command once told to stop. */
const DRAIN_TIMEOUT_MS = 30_000;

function seconds(variable: string, fallback: number): number {
  const value = Number(process.env[variable] ?? fallback);
  if (!(value > 0)) throw new Error(`${variable} must be a positive number of seconds`);
  return value;
}

function figures(meter: Meter, elapsedSeconds: number): MeterFigures {
  const { p50, p99 } = meter.percentiles();
  return { ops: meter.ops, opsPerSec: meter.ops / elapsedSeconds, p50Ms: p50, p99Ms: p99 };
}

function prepare(client: string, workload: string, host: string, port: number, cluster: boolean): Promise<Prepared> {
  if (cluster) return prepareClusterRun(client, workload, host, port);
  if (client === RAW) {
    const raw = RAW_WORKLOADS.get(workload);
    if (raw === undefined) throw new Error(`no raw form of workload ${workload}`);
    return raw(host, port);
  }
  const adapter = client === STUB ? STUB_ADAPTER : ADAPTERS.get(client);
  if (adapter === undefined) throw new Error(`unknown client ${client}`);
  const definition = workloadNamed(workload);
  if (definition === undefined) throw new Error(`unknown workload ${workload}`);
  return definition.prepare(adapter, host, port);
}

async function measure(client: string, workload: string, host: string, port: number, cluster: boolean): Promise<RunResult> {
  const windowSeconds = seconds("BENCH_SECONDS", 2);
  const warmupSeconds = seconds("BENCH_WARMUP_SECONDS", 0.5);
  let peakRss = process.memoryUsage.rss();
  let peakConnections = 0;
  let prepared: Prepared | undefined;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (prepared !== undefined) peakConnections = Math.max(peakConnections, prepared.connections());
  }, RSS_SAMPLE_MS);
  try {
    prepared = await prepare(client, workload, host, port, cluster);
    const control: Control = { running: true, main: new Meter(), side: new Meter() };
    const done = prepared.run(control);
    let failure: unknown;
    done.catch((error: unknown) => {
      failure ??= error;
      control.running = false;
    });

    await sleep(warmupSeconds * 1000);
    control.main.measuring = control.side.measuring = true;
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    await sleep(windowSeconds * 1000);
    control.main.measuring = control.side.measuring = false;
    const cpu = process.cpuUsage(cpuBefore);
    const elapsed = (performance.now() - startedAt) / 1000;
    control.running = false;

    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      done.catch(() => undefined),
      new Promise<void>((_, reject) => {
        drainTimer = setTimeout(() => reject(new Error(`loops still busy ${DRAIN_TIMEOUT_MS} ms after the window`)), DRAIN_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(drainTimer));
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
    peakConnections = Math.max(peakConnections, prepared.connections());
    await prepared.close();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());

    const main = figures(control.main, elapsed);
    const result: RunResult = {
      client,
      workload,
      seconds: elapsed,
      ...main,
      cpuUsPerOp: (cpu.user + cpu.system) / main.ops,
      peakRssMb: peakRss / 2 ** 20,
      connections: peakConnections,
    };
    return control.side.ops > 0 ? { ...result, side: figures(control.side, elapsed) } : result;
  } finally {
    clearInterval(sampler);
  }
}

const [client, workload, portText, topology = "standalone"] = process.argv.slice(2);
if (client === undefined || workload === undefined || portText === undefined || !["standalone", "cluster"].includes(topology)) {
  console.error("usage: node --import tsx bench/worker.ts CLIENT WORKLOAD PORT [cluster]");
  process.exit(2);
}
const host = process.env["BENCH_HOST"] ?? "127.0.0.1";

let exitCode = 0;
let line: RunResult;
try {
  line = await measure(client, workload, host, Number(portText), topology === "cluster");
} catch (error) {
  exitCode = 1;
  line = { client, workload, error: error instanceof Error ? error.message : String(error) };
}
// Exit explicitly: a client that failed may hold sockets or native handles open.
process.stdout.write(`${JSON.stringify(line)}\n`, () => process.exit(exitCode));
