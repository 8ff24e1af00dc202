/**
 * Generates the command table and the typed command methods from the command specification.
 *
 *   npm run generate         writes src/commands/generated/
 *   npm run generate:check   regenerates into a temporary directory and compares it with
 *                            src/commands/generated/; exits 1 when they differ
 *
 * Inputs: `../shared/command-spec/*.json` (relative to the repository root), `scripts/extra-commands.ts`
 * (commands the specification lacks) and `scripts/command-overrides.ts` (what the specification
 * cannot say). The output is sorted, so it is the same on every run.
 *
 * The generator refuses a command whose reply holds a map or a double (which RESP2 and RESP3
 * send differently) unless an override names its reply type and transform; while adding such an
 * override, `GENERATE_LENIENT=1` turns that refusal into a warning and types the reply `RESPValue`.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { emitCommandFiles } from "./codegen/emit-methods.js";
import { emitTable } from "./codegen/emit-table.js";
import { loadCommands } from "./codegen/spec.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SPEC_DIR = resolve(ROOT, "../shared/command-spec");
const OUT_DIR = join(ROOT, "src/commands/generated");

/** Every generated file, by name under `generated/`. */
export function generate(): Map<string, string> {
  const commands = loadCommands(SPEC_DIR);
  const files = new Map<string, string>();
  files.set("table.ts", emitTable(commands));
  for (const [name, text] of emitCommandFiles(commands)) files.set(name, text);
  return files;
}

function writeAll(dir: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (name.endsWith(".ts") && !files.has(name)) rmSync(join(dir, name));
  }
  for (const [name, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    writeFileSync(join(dir, name), text);
  }
}

/** Differences between two directories' `.ts` files, as human-readable lines. */
function compare(expectedDir: string, actualDir: string): string[] {
  const list = (dir: string): string[] =>
    existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".ts")).sort() : [];
  const expected = list(expectedDir);
  const actual = new Set(list(actualDir));
  const problems: string[] = [];
  for (const name of expected) {
    if (!actual.has(name)) problems.push(`missing: src/commands/generated/${name}`);
    else if (readFileSync(join(expectedDir, name), "utf8") !== readFileSync(join(actualDir, name), "utf8")) {
      problems.push(`out of date: src/commands/generated/${name}`);
    }
    actual.delete(name);
  }
  for (const name of actual) problems.push(`not generated any more: src/commands/generated/${name}`);
  return problems;
}

function main(argv: readonly string[]): number {
  const files = generate();
  if (argv.includes("--check")) {
    const tmp = mkdtempSync(join(tmpdir(), "coredis-generate-"));
    try {
      writeAll(tmp, files);
      const problems = compare(tmp, OUT_DIR);
      if (problems.length > 0) {
        process.stderr.write(`${problems.join("\n")}\nRun npm run generate and commit the result.\n`);
        return 1;
      }
      process.stdout.write(`src/commands/generated is up to date (${files.size} files).\n`);
      return 0;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  writeAll(OUT_DIR, files);
  process.stdout.write(`wrote ${files.size} files to src/commands/generated\n`);
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
