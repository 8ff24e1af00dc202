/**
 * Report helpers shared by `run.ts`, `scaling.ts` and `cluster.ts`: markdown tables, the sections
 * of `bench/RESULTS.md` each script owns, and `bench/results.json`.
 *
 * `run.ts` rewrites RESULTS.md but keeps the scaling and cluster sections; `scaling.ts` and
 * `cluster.ts` each replace only their own section (between its start and end markers, such as
 * {@link SCALING_START} and {@link SCALING_END}) or append it. Likewise `run.ts` rewrites
 * results.json but keeps its `cluster` key, which `cluster.ts` alone replaces.
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = path.dirname(BENCH_DIR);
export const RESULTS_MD = path.join(BENCH_DIR, "RESULTS.md");
export const RESULTS_JSON = path.join(BENCH_DIR, "results.json");

export const SCALING_START = "<!-- scaling:start -->";
export const SCALING_END = "<!-- scaling:end -->";
export const CLUSTER_START = "<!-- cluster:start -->";
export const CLUSTER_END = "<!-- cluster:end -->";
export const SENTINEL_START = "<!-- sentinel:start -->";
export const SENTINEL_END = "<!-- sentinel:end -->";
export const CACHED_READ_START = "<!-- cached-read:start -->";
export const CACHED_READ_END = "<!-- cached-read:end -->";

/** The sections of RESULTS.md that `run.ts` leaves alone, by their markers. */
const KEPT_SECTIONS = [
  [SCALING_START, SCALING_END],
  [CLUSTER_START, CLUSTER_END],
  [SENTINEL_START, SENTINEL_END],
  [CACHED_READ_START, CACHED_READ_END],
] as const;

/** Keys of results.json that `run.ts` leaves alone. */
const KEPT_JSON_KEYS = ["cluster"];

/** A markdown table; the first `leftColumns` columns are left-aligned, the rest right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((width, column) => (column < leftColumns ? (cells[column] ?? "").padEnd(width) : (cells[column] ?? "").padStart(width))).join(" | ")} |`;
  const rule = `|${widths.map((width, column) => (column < leftColumns ? `:${"-".repeat(width + 1)}` : `${"-".repeat(width + 1)}:`)).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** The section of RESULTS.md between `start` and `end`, markers included, or "" when there is none. */
function currentSection(start: string, end: string): string {
  if (!existsSync(RESULTS_MD)) return "";
  const text = readFileSync(RESULTS_MD, "utf8");
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  return from === -1 || to < from ? "" : text.slice(from, to + end.length);
}

/** The scaling section of RESULTS.md, markers included, or "" when there is none. */
export function currentScalingSection(): string {
  return currentSection(SCALING_START, SCALING_END);
}

/** Writes RESULTS.md as `body`, followed by the scaling and cluster sections it had. */
export function writeResults(body: string): void {
  const kept = KEPT_SECTIONS.map(([start, end]) => currentSection(start, end)).filter((section) => section !== "");
  writeFileSync(RESULTS_MD, [body.trimEnd(), ...kept].join("\n\n") + "\n");
}

/** Puts `section` (markers `start`…`end` included) in RESULTS.md in place of the old one, or at its end. */
function writeSection(start: string, end: string, section: string): void {
  const text = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, "utf8") : "# Benchmark results\n";
  const old = currentSection(start, end);
  writeFileSync(RESULTS_MD, old === "" ? `${text.trimEnd()}\n\n${section}\n` : text.replace(old, () => section));
}

/** Puts `section` (markers included) in RESULTS.md in place of the old scaling section, or at its end. */
export function writeScalingSection(section: string): void {
  writeSection(SCALING_START, SCALING_END, section);
}

/** Puts `section` (markers included) in RESULTS.md in place of the old cached-read section, or at its end. */
export function writeCachedReadSection(section: string): void {
  writeSection(CACHED_READ_START, CACHED_READ_END, section);
}

/** Puts `section` (markers included) in RESULTS.md in place of the old sentinel section, or at its end. */
export function writeSentinelSection(section: string): void {
  writeSection(SENTINEL_START, SENTINEL_END, section);
}

/** Puts `section` (markers included) in RESULTS.md in place of the old cluster section, or at its end. */
export function writeClusterSection(section: string): void {
  writeSection(CLUSTER_START, CLUSTER_END, section);
}

/** results.json as it is, or `{}`. */
function currentJson(): Record<string, unknown> {
  if (!existsSync(RESULTS_JSON)) return {};
  const parsed: unknown = JSON.parse(readFileSync(RESULTS_JSON, "utf8"));
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** Writes `data` as JSON, NaN and infinities as null. */
function writeJson(data: Record<string, unknown>): void {
  writeFileSync(
    RESULTS_JSON,
    `${JSON.stringify(data, (_, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2)}\n`,
  );
}

/** Writes results.json as `data`, keeping the keys other scripts own (`cluster`) that it had. */
export function writeResultsJson(data: Record<string, unknown>): void {
  const old = currentJson();
  const kept = Object.fromEntries(KEPT_JSON_KEYS.filter((key) => key in old && !(key in data)).map((key) => [key, old[key]]));
  writeJson({ ...data, ...kept });
}

/** Sets one key of results.json, leaving every other key as it was. */
export function updateResultsJson(key: string, value: unknown): void {
  writeJson({ ...currentJson(), [key]: value });
}

/** The installed version of a package; coredis is this repository. */
export function packageVersion(name: string): string {
  try {
    const file = path.join(REPO_DIR, ...(name === "coredis" ? [] : ["node_modules", name]), "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

/**
 * Runs `node --import tsx bench/worker.ts CLIENT WORKLOAD PORT` (or another `script`) in a fresh process and returns
 * its JSON line parsed, or a result carrying `error` if it failed, printed nothing, or outlived
 * `timeoutMs` (it is then killed).
 */
export function spawnWorker<T extends object>(
  args: readonly string[],
  timeoutMs: number,
  onFailure: (error: string) => T,
  nodeFlags: readonly string[] = [],
  script = "bench/worker.ts",
): Promise<T> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", script, ...args], {
      cwd: REPO_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").findLast((text) => text.startsWith("{"));
      if (line !== undefined) {
        resolve(JSON.parse(line) as T);
        return;
      }
      const why = signal === null ? `exit code ${code}` : `killed by ${signal} (timeout ${timeoutMs} ms?)`;
      resolve(onFailure(`worker printed no result (${why}): ${stderr.trim().split("\n").slice(-3).join(" / ")}`));
    });
  });
}
