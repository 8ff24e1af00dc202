// After `npm run build`: checks the built package as its users see it.
//
// 1. Loads it as ESM and as CommonJS through its exports map, checks both expose the same names,
//    and that an error from one copy is `instanceof` the other's class.
// 2. Compiles a small consumer against its declarations the way a strict project would: in a
//    temporary directory whose node_modules/coredis links to this repository (so the exports map
//    and `types` conditions are what resolve it, as from a registry install), with `strict: true`
//    and `skipLibCheck: false` (so every .d.ts the package ships is checked, not only what the
//    consumer touches), module and moduleResolution `nodenext`, `"type": "module"`: one `.ts` file
//    compiled as ESM (which resolves dist/esm) and one `.cts` file compiled as CommonJS (which
//    resolves dist/cjs). The repository's own TypeScript compiles it; the script fails with tsc's
//    output when it does not compile. Declarations that are consistent for the repository's own
//    `skipLibCheck: true` build can still fail here: a member `stripInternal` removes while an
//    abstract member or an `implements` clause still asks for it, for one.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// ---- 1. both module formats load, with the same exports and errors that match across copies
const esm = await import("coredis");
const cjs = createRequire(import.meta.url)("coredis");
assert.deepEqual(Object.keys(esm).filter((k) => k !== "default").sort(), Object.keys(cjs).sort());
assert.notEqual(esm.Redis, cjs.Redis, "two copies are loaded");
for (const name of ["Redis", "ConnectionPool", "BaseConnection", "TCPConnection", "UnixDomainSocketConnection", "TCPLocation"]) {
  assert.equal(typeof esm[name], "function", name);
}
const fromCjs = new cjs.WrongTypeError("WRONGTYPE x");
assert.ok(fromCjs instanceof esm.WrongTypeError && fromCjs instanceof esm.ResponseError && fromCjs instanceof esm.RedisError);
assert.ok(!(fromCjs instanceof esm.TimeoutError));
console.log(`package ok: ${Object.keys(cjs).length} exports in ESM and CommonJS; errors keep instanceof across copies`);

// ---- 2. a strict consumer compiles against the declarations, as ESM and as CommonJS

/** What a user writes first: a client, a shared pool, a Buffer client, errors told apart. */
const CONSUMER = `
import { ConnectionError, ConnectionPool, Redis, RedisError, ResponseError, TimeoutError, TCPLocation } from "coredis";
import type { RedisOptions } from "coredis";

export async function main(): Promise<string | null> {
  const options: RedisOptions = { host: "127.0.0.1", port: 6379, maxConnections: 4, poolTimeout: 1000 };
  const client = new Redis(options);
  const pool = new ConnectionPool({ location: new TCPLocation("127.0.0.1", 6379), maxConnections: 2 });
  const shared = new Redis({ connectionPool: pool });
  const buffers = new Redis<Buffer>({ port: 6379, decodeResponses: false });
  try {
    const value: string | null = await client.get("key");
    const raw: Buffer | null = await buffers.get("key");
    const dumped: Buffer | null = await shared.dump("key");
    await client.set("key", raw ?? "v", { ex: 10 });
    if (dumped !== null) await client.restore("copy", 0, dumped, { replace: true });
    return value;
  } catch (error) {
    if (error instanceof TimeoutError) return error.phase;
    if (error instanceof ConnectionError || error instanceof ResponseError) return error.code;
    if (error instanceof RedisError) return error.name;
    throw error;
  } finally {
    await Promise.all([client.close(), shared.close(), buffers.close()]);
    await pool.close();
  }
}
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    skipLibCheck: false,
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    lib: ["es2023", "esnext.disposable"],
    types: ["node"],
    noEmit: true,
  },
  files: ["esm.ts", "cjs.cts"],
};

function checkConsumer() {
  const dir = mkdtempSync(join(tmpdir(), "coredis-consumer-"));
  try {
    mkdirSync(join(dir, "node_modules/@types"), { recursive: true });
    symlinkSync(ROOT, join(dir, "node_modules/coredis"), "dir");
    symlinkSync(join(ROOT, "node_modules/@types/node"), join(dir, "node_modules/@types/node"), "dir");
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "consumer", private: true, type: "module" })}\n`);
    writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
    // Top-level await, which only an ES module may use: tsc refuses it if the file is not one.
    writeFileSync(join(dir, "esm.ts"), `${CONSUMER}\nconsole.log(await main());\n`);
    writeFileSync(join(dir, "cjs.cts"), `${CONSUMER}\nvoid main().then(console.log);\n`);
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir, "--listFiles"], {
      cwd: dir,
      encoding: "utf8",
    });
    const output = `${tsc.stdout}${tsc.stderr}`;
    if (tsc.status !== 0) {
      const errors = output.split("\n").filter((line) => !line.startsWith("/")).join("\n");
      throw new Error(`a strict consumer (skipLibCheck: false, nodenext, ESM and CommonJS) does not compile:\n${errors}`);
    }
    // Both declaration trees were checked: the ESM file resolved dist/esm, the CommonJS one dist/cjs.
    for (const entry of ["dist/esm/index.d.ts", "dist/cjs/index.d.ts"]) {
      assert.ok(output.includes(join(ROOT, entry)), `the consumer's compilation did not include ${entry}`);
    }
    const declarations = output.split("\n").filter((line) => line.startsWith(join(ROOT, "dist/"))).length;
    console.log(`types ok: a strict consumer compiles as ESM and as CommonJS (${declarations} declaration files checked)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  checkConsumer();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
