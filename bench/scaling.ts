/**
 * How coredis scales with callers: `npm run bench:scaling` (runs node with `--expose-gc`).
 *
 * For 10, 100, 1 000, 10 000 and 50 000 concurrent callers:
 * - throughput: the `concurrentN` workload (SET then GET of 100-byte values) in a fresh worker
 *   process, as `npm run bench` runs it, and the same caller loops against no client at all
 *   (`stub` in `clients.ts`), which shows what the callers' own loops and awaits allow;
 * - heap per queued command: with the server held by `CLIENT PAUSE … ALL`, N GETs are issued and
 *   not awaited; `heapUsed` after a forced GC, minus `heapUsed` before, over N. The array holding
 *   the N promises is allocated before the first reading, so the figure is the promise plus
 *   whatever the client keeps per command (queue entry, encoded bytes not yet taken by the socket).
 *
 * The same heap figure for ioredis and node-redis at {@link COMPARED_QUEUE} queued GETs, and the
 * floor any promise-returning client has: a bare native promise whose resolving functions are kept
 * (what a request must hold to settle its caller).
 *
 * Then memory per idle connection: a client with `maxConnections: 200` runs 200 concurrent BLPOPs
 * with a 10 ms timeout, so its pool opens 200 connections; once they are idle again, heap and RSS
 * growth (after GC) over the connections opened.
 *
 * Prints a table and puts it in `bench/RESULTS.md` under "Scaling" (replacing the previous one).
 * `BENCH_SECONDS` sets the throughput window as for `npm run bench`.
 *
 * @module
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { Redis } from "coredis";
import { ADAPTERS, STUB, type BenchClient } from "./clients.js";
import { rawCommand, startStandalone } from "../test/harness/servers.js";
import type { RedisServer } from "../test/harness/servers.js";
import { markdownTable, SCALING_END, SCALING_START, spawnWorker, writeScalingSection } from "./report.js";
import { formatNumber } from "./stats.js";
import type { RunResult } from "./worker.js";

const CALLERS = [10, 100, 1000, 10_000, 50_000];
/** Queued GETs for the comparison with other clients (one connection for every library). */
const COMPARED_QUEUE = 10_000;
const COMPARED_CLIENTS = ["coredis", "ioredis", "node-redis"];
const IDLE_CONNECTIONS = 200;
const windowSeconds = Number(process.env["BENCH_SECONDS"] ?? 2);

const gc = globalThis.gc;
if (gc === undefined) {
  console.error("run with --expose-gc: npm run bench:scaling");
  process.exit(2);
}

/** heapUsed after two full collections (the second picks up what the first's finalizers freed). */
function settledHeap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

interface QueueFigure {
  readonly bytesPerCommand: number;
  readonly connections: number;
}

/** Readings per caller count; the median is kept (a GC's leftovers are a few KB either way). */
const QUEUE_READINGS = 3;

/** A pause long enough to issue `count` commands and collect garbage twice; it then runs out on its own. */
const pauseMs = (count: number): number => 500 + Math.ceil((count / 50_000) * 2500);

async function heapPerQueuedCommand(server: RedisServer, count: number, open: () => Promise<BenchClient>): Promise<QueueFigure> {
  const client = await open();
  try {
    await client.set("bench:q", "x".repeat(100));
    for (let i = 0; i < 1000; i++) await client.get("bench:q"); // warm the code paths up
    const readings: QueueFigure[] = [];
    for (let reading = 0; reading < QUEUE_READINGS; reading++) {
      // Preallocated (holey, fast elements below V8's 100 000-slot limit), so storing into it allocates nothing.
      const held = new Array<Promise<unknown>>(count);
      const pause = pauseMs(count);
      await rawCommand(server, "CLIENT", "PAUSE", String(pause), "ALL");
      const pausedAt = performance.now();
      const before = settledHeap();
      for (let i = 0; i < count; i++) held[i] = client.get("bench:q");
      await nextTurn(); // let the client write what it will
      const after = settledHeap();
      const open = client.connections();
      if (performance.now() - pausedAt > pause * 0.8) {
        console.warn(`warning: measuring ${count} queued commands took most of the ${pause} ms pause`);
      }
      await Promise.all(held);
      readings.push({ bytesPerCommand: (after - before) / count, connections: open });
    }
    readings.sort((a, b) => a.bytesPerCommand - b.bytesPerCommand);
    return readings[readings.length >> 1]!;
  } finally {
    await client.close();
  }
}

/** One `concurrentN` run of `client` in a fresh worker process. */
function throughput(client: string, callers: number, server: RedisServer): Promise<RunResult> {
  return spawnWorker<RunResult>([client, `concurrent${callers}`, String(server.port)], (windowSeconds + 120) * 1000, (error) => ({
    client,
    workload: `concurrent${callers}`,
    error,
  }));
}

function openAdapter(name: string, server: RedisServer): Promise<BenchClient> {
  return ADAPTERS.get(name)!.open({ host: server.host, port: server.port });
}

/** Heap per native promise with its `resolve` (and `reject`) kept, median of the readings. */
function promiseFloor(count: number, keepReject: boolean): number {
  const readings: number[] = [];
  for (let reading = 0; reading < QUEUE_READINGS; reading++) readings.push(promiseFloorReading(count, keepReject));
  readings.sort((a, b) => a - b);
  return readings[readings.length >> 1]!;
}

/**
 * One reading, in a function of its own: inlined in a loop, optimized code may treat the last
 * reading's arrays as live at the next one's first heap reading (figures near zero were seen).
 */
function promiseFloorReading(count: number, keepReject: boolean): number {
  const held = new Array<Promise<unknown>>(count);
  const resolvers = new Array<unknown>(count * 2);
  const before = settledHeap();
  for (let i = 0; i < count; i++) {
    held[i] = new Promise((resolve, reject) => {
      resolvers[2 * i] = resolve;
      if (keepReject) resolvers[2 * i + 1] = reject;
    });
  }
  const bytes = (settledHeap() - before) / count;
  // Used after the reading, so that neither array is dead (and collected) while it is taken.
  if (held.length !== count || resolvers.length !== 2 * count) throw new Error("unreachable");
  return bytes;
}

interface IdleFigure {
  readonly opened: number;
  readonly heapBytesPerConnection: number;
  /** Buffers outside the JS heap (`external`, which includes `arrayBuffers`). */
  readonly externalBytesPerConnection: number;
  readonly rssBytesPerConnection: number;
}

async function memoryPerIdleConnection(server: RedisServer): Promise<IdleFigure> {
  const client = new Redis({ host: server.host, port: server.port, maxConnections: IDLE_CONNECTIONS });
  try {
    await client.get("bench:idle"); // one connection, and the code loaded
    const openBefore = client.connectionPool.stats.open;
    const heapBefore = settledHeap();
    const { external: externalBefore, rss: rssBefore } = process.memoryUsage();
    await Promise.all(Array.from({ length: IDLE_CONNECTIONS }, (_, i) => client.blpop([`bench:idle:${i}`], 0.01)));
    await nextTurn();
    const { open, idle } = client.connectionPool.stats;
    if (idle !== open) console.warn(`warning: ${open - idle} of ${open} connections not idle after the BLPOPs`);
    const opened = open - openBefore;
    const heapAfter = settledHeap();
    const { external: externalAfter, rss: rssAfter } = process.memoryUsage();
    return {
      opened,
      heapBytesPerConnection: (heapAfter - heapBefore) / opened,
      externalBytesPerConnection: (externalAfter - externalBefore) / opened,
      rssBytesPerConnection: (rssAfter - rssBefore) / opened,
    };
  } finally {
    await client.close();
  }
}

const server = await startStandalone();
const rows: string[][] = [];
const compared: string[][] = [];
let idle: IdleFigure;
try {
  console.log(`redis-server on port ${server.port}; ${windowSeconds} s window per caller count`);
  for (const callers of CALLERS) {
    await rawCommand(server, "FLUSHALL");
    const run = await throughput("coredis", callers, server);
    const ceiling = await throughput(STUB, callers, server);
    const queue = await heapPerQueuedCommand(server, callers, () => openAdapter("coredis", server));
    const row =
      run.error === undefined
        ? [formatNumber(run.opsPerSec), formatNumber(run.cpuUsPerOp), formatNumber(run.p50Ms), formatNumber(run.p99Ms), formatNumber(run.peakRssMb), formatNumber(run.connections)]
        : [`failed: ${run.error}`, "", "", "", "", ""];
    const ceilingCells =
      run.opsPerSec !== undefined && ceiling.opsPerSec !== undefined
        ? [formatNumber(ceiling.opsPerSec), `${formatNumber((100 * run.opsPerSec) / ceiling.opsPerSec)} %`]
        : [ceiling.error === undefined ? formatNumber(ceiling.opsPerSec) : `failed: ${ceiling.error}`, ""];
    rows.push([callers.toLocaleString("en-US"), ...row, ...ceilingCells, formatNumber(queue.bytesPerCommand), String(queue.connections)]);
    console.log(rows.at(-1)!.join("  "));
  }
  for (const name of COMPARED_CLIENTS) {
    const figure = await heapPerQueuedCommand(server, COMPARED_QUEUE, () => openAdapter(name, server));
    compared.push([name, formatNumber(figure.bytesPerCommand)]);
    console.log(compared.at(-1)!.join("  "));
  }
  compared.push(["a bare native promise, its resolve and reject kept", formatNumber(promiseFloor(COMPARED_QUEUE, true))]);
  compared.push(["a bare native promise, its resolve kept (what coredis keeps)", formatNumber(promiseFloor(COMPARED_QUEUE, false))]);
  idle = await memoryPerIdleConnection(server);
} finally {
  await server.stop();
}

const table = markdownTable(
  ["callers", "ops/s", "CPU µs/op", "p50 ms", "p99 ms", "peak RSS MB", "conns", "no-client ops/s", "coredis / no-client", "heap B / queued GET", "conns while queued"],
  rows,
);
const comparedTable = markdownTable(["client", `heap B / queued GET (${COMPARED_QUEUE.toLocaleString("en-US")} queued)`], compared);
const idleTable = markdownTable(
  ["connections opened", "heap B / idle connection", "external B / idle connection", "RSS B / idle connection"],
  [[String(idle.opened), formatNumber(idle.heapBytesPerConnection), formatNumber(idle.externalBytesPerConnection), formatNumber(idle.rssBytesPerConnection)]],
);
const section = [
  SCALING_START,
  "## Scaling (coredis)",
  "",
  `Generated by \`npm run bench:scaling\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}. ` +
    `Throughput: the \`concurrentN\` workload (SET then GET, 100-byte values) in a fresh process, 0.5 s warm-up, ${windowSeconds} s window, one run each. ` +
    "Heap per queued GET: N GETs issued, not awaited, against a server held by `CLIENT PAUSE ms ALL`; " +
    `heapUsed growth after forced GC over N, the promise included (the array holding the promises is allocated beforehand), median of ${QUEUE_READINGS} readings. ` +
    "Below 1 000 callers the figure is within GC noise (a few KB per reading). " +
    "\"no-client ops/s\" runs the same caller loops against no client at all (each command a promise settled with the others of its turn on the next one: no I/O), " +
    "in a fresh process: what the callers' own loops and awaits allow; the slowdown with many callers that this column shows is theirs, not any client's. " +
    "\"conns while queued\" is the pool's open connections at that moment.",
  "",
  table,
  "",
  `Heap per queued GET by client, measured the same way in this process, ${COMPARED_QUEUE.toLocaleString("en-US")} GETs queued on one connection; ` +
    "the last two rows are what a client that returns a native promise per command must hold at the least.",
  "",
  comparedTable,
  "",
  `Memory per idle connection: ${IDLE_CONNECTIONS} concurrent \`BLPOP\`s with a 10 ms timeout on a client with ` +
    `\`maxConnections: ${IDLE_CONNECTIONS}\`, measured after they returned (connections idle, after forced GC), over the connections opened. ` +
    "\"external\" is Buffer memory outside the JS heap. RSS leaves out the kernel's socket buffers and moves with " +
    "allocator noise and the heap shrinking after GC (it can come out negative): read it as an order of magnitude at best.",
  "",
  idleTable,
  SCALING_END,
].join("\n");
console.log(`\n${table}\n\n${comparedTable}\n\n${idleTable}\n`);
writeScalingSection(section);
console.log("wrote the Scaling section of bench/RESULTS.md");
