// Runs node:test over the *.test.ts files below the given folders, through tsx.
// Node 20's --test takes no globs, and sh's ** is not recursive, hence this small lister.
// Usage: node scripts/run-tests.mjs [--concurrency N] folder...
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
let concurrency = "1";
const folders = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--concurrency") concurrency = args[++i];
  else folders.push(args[i]);
}

const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith(".test.ts")) files.push(path);
  }
};
for (const folder of folders) walk(folder);
if (files.length === 0) {
  console.error(`no test files under ${folders.join(", ")}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
