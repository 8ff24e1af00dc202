// After `npm run build`: loads the package as ESM and as CommonJS through its exports map, checks
// both expose the same names, and that an error from one copy is `instanceof` the other's class.
import assert from "node:assert/strict";
import { createRequire } from "node:module";

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
