/**
 * Report helpers shared by `run.ts` and `scaling.ts`: markdown tables, and the sections of
 * `bench/RESULTS.md` each script owns.
 *
 * `run.ts` rewrites RESULTS.md but keeps the scaling section; `scaling.ts` replaces only its own
 * section (between the {@link SCALING_START} and {@link SCALING_END} markers) or appends it.
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

export const SCALING_START = "<!-- scaling:start -->";
export const SCALING_END = "<!-- scaling:end -->";

/** A markdown table; the first `leftColumns` columns are left-aligned, the rest right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((width, column) => (column < leftColumns ? (cells[column] ?? "").padEnd(width) : (cells[column] ?? "").padStart(width))).join(" | ")} |`;
  const rule = `|${widths.map((width, column) => (column < leftColumns ? `:${"-".repeat(width + 1)}` : `${"-".repeat(width + 1)}:`)).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** The scaling section of RESULTS.md, markers included, or "" when there is none. */
export function currentScalingSection(): string {
  if (!existsSync(RESULTS_MD)) return "";
  const text = readFileSync(RESULTS_MD, "utf8");
  const start = text.indexOf(SCALING_START);
  const end = text.indexOf(SCALING_END);
  return start === -1 || end < start ? "" : text.slice(start, end + SCALING_END.length);
}

/** Writes RESULTS.md as `body`, followed by the scaling section it had. */
export function writeResults(body: string): void {
  const scaling = currentScalingSection();
  writeFileSync(RESULTS_MD, scaling === "" ? body : `${body.trimEnd()}\n\n${scaling}\n`);
}

/** Puts `section` (markers included) in RESULTS.md in place of the old scaling section, or at its end. */
export function writeScalingSection(section: string): void {
  const text = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, "utf8") : "# Benchmark results\n";
  const old = currentScalingSection();
  writeFileSync(RESULTS_MD, old === "" ? `${text.trimEnd()}\n\n${section}\n` : text.replace(old, section));
}

/**
 * Runs `node --import tsx bench/worker.ts CLIENT WORKLOAD PORT` in a fresh process and returns
 * its JSON line parsed, or a result carrying `error` if it failed, printed nothing, or outlived
 * `timeoutMs` (it is then killed).
 */
export function spawnWorker<T extends object>(
  args: readonly string[],
  timeoutMs: number,
  onFailure: (error: string) => T,
  nodeFlags: readonly string[] = [],
): Promise<T> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", "bench/worker.ts", ...args], {
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
