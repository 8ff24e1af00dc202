/**
 * One table row per (client, workload): the medians over the rounds of a client's runs, and its
 * ratios to the other libraries. Shared by `run.ts` (standalone) and `cluster.ts`, so both
 * benchmarks summarise their rounds, and compare libraries, the same way.
 *
 * @module
 */
import { RAW } from "./clients.js";
import { formatNumber, median } from "./stats.js";
import type { RunResult } from "./worker.js";

export interface Row {
  readonly client: string;
  readonly runs: number;
  readonly failures: readonly string[];
  readonly opsPerSec: number;
  /** Lowest and highest ops/s over the rounds: how noisy the machine was. */
  readonly opsRange: readonly [number, number];
  readonly cpuUsPerOp: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly peakRssMb: number;
  readonly connections: number;
  readonly sideOpsPerSec?: number;
  readonly sideP99Ms?: number;
  /** ops/s over the best other library's; CPU and p99 over the lowest other library's. */
  readonly opsVsBestOther?: number;
  readonly cpuVsBestOther?: number;
  readonly p99VsBestOther?: number;
}

/** The medians of one client's results for one workload (failed runs left out, and counted). */
export function aggregate(client: string, results: readonly RunResult[]): Row {
  const ok = results.filter((result) => result.error === undefined);
  const of = (pick: (result: RunResult) => number | undefined): number =>
    median(ok.map(pick).filter((value): value is number => value !== undefined));
  const row: Row = {
    client,
    runs: ok.length,
    failures: results.flatMap((result) => (result.error === undefined ? [] : [result.error])),
    opsPerSec: of((result) => result.opsPerSec),
    opsRange: [Math.min(...ok.map((result) => result.opsPerSec ?? Number.NaN)), Math.max(...ok.map((result) => result.opsPerSec ?? Number.NaN))],
    cpuUsPerOp: of((result) => result.cpuUsPerOp),
    p50Ms: of((result) => result.p50Ms),
    p99Ms: of((result) => result.p99Ms),
    peakRssMb: of((result) => result.peakRssMb),
    connections: of((result) => result.connections),
  };
  return ok.some((result) => result.side !== undefined)
    ? { ...row, sideOpsPerSec: of((result) => result.side?.opsPerSec), sideP99Ms: of((result) => result.side?.p99Ms) }
    : row;
}

/** Adds each library's ratios to the best of the other libraries (the raw socket is not one). */
export function withRatios(rows: readonly Row[]): Row[] {
  const libraries = rows.filter((row) => row.client !== RAW && row.runs > 0);
  return rows.map((row) => {
    const others = libraries.filter((other) => other.client !== row.client);
    if (row.client === RAW || row.runs === 0 || others.length === 0) return row;
    return {
      ...row,
      opsVsBestOther: row.opsPerSec / Math.max(...others.map((other) => other.opsPerSec)),
      cpuVsBestOther: row.cpuUsPerOp / Math.min(...others.map((other) => other.cpuUsPerOp)),
      p99VsBestOther: row.p99Ms / Math.min(...others.map((other) => other.p99Ms)),
    };
  });
}

/** 238k, 1.2M: for the range column. */
export const compact = (value: number): string =>
  value >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : value >= 1e4 ? `${Math.round(value / 1e3)}k` : value >= 1e3 ? `${(value / 1e3).toFixed(1)}k` : formatNumber(value);

export const ratio = (value: number | undefined): string => (value === undefined ? "–" : `${value.toFixed(2)}×`);

/** `items` rotated left by `by`: round r starts with the r-th client, so none always goes first. */
export function rotated<T>(items: readonly T[], by: number): T[] {
  const shift = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
