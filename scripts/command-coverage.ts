/**
 * Command coverage: for every command of the specification (and scripts/extra-commands.ts),
 * whether it is a method (or excluded, and why), and whether any file under test/integration/
 * calls the method (`.methodName(`). Prints one line per command, then totals.
 *
 *   npm run coverage:commands              every command
 *   npm run coverage:commands -- --untested   only methods no integration test calls
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { partitionCommands } from "./codegen/emit-methods.js";
import { loadCommands } from "./codegen/spec.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

function main(argv: readonly string[]): void {
  const onlyUntested = argv.includes("--untested");
  const { methods, excluded } = partitionCommands(loadCommands(resolve(ROOT, "../shared/command-spec")));
  const tests = sourceFiles(join(ROOT, "test/integration")).map((f) => readFileSync(f, "utf8"));
  const calledIn = (method: string): number => tests.filter((t) => t.includes(`.${method}(`)).length;

  const rows: { name: string; text: string }[] = [];
  let tested = 0;
  for (const { command, method } of methods) {
    const files = calledIn(method);
    if (files > 0) tested++;
    if (onlyUntested && files > 0) continue;
    rows.push({ name: command.fullName, text: `method ${method}  ${files > 0 ? `tested (${files} file${files > 1 ? "s" : ""})` : "untested"}` });
  }
  if (!onlyUntested) {
    for (const { command, reason } of excluded) rows.push({ name: command.fullName, text: `excluded: ${reason}` });
  }
  rows.sort((a, b) => (a.name < b.name ? -1 : 1));
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  for (const row of rows) process.stdout.write(`${row.name.padEnd(width)}  ${row.text}\n`);

  const total = methods.length + excluded.length;
  const percent = methods.length === 0 ? 0 : Math.round((tested / methods.length) * 1000) / 10;
  process.stdout.write(
    `\ncommands: ${total}  methods: ${methods.length}  excluded: ${excluded.length}  ` +
      `methods called by test/integration: ${tested}/${methods.length} (${percent}%)\n`,
  );
}

main(process.argv.slice(2));
