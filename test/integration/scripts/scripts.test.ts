/**
 * Scripts and functions as objects: EVALSHA first, one SCRIPT LOAD on NOSCRIPT (never EVAL),
 * loaded ahead of a pipeline, typed by the caller; FCALL / FCALL_RO through `client.function()`.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { NoScriptError, PipelineError, Redis, ResponseError } from "../../../src/index.js";
import { runRequest } from "../../harness/run-request.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";

const fixture = standaloneWithSide();

/** Calls of each command since the last CONFIG RESETSTAT, from INFO commandstats. */
async function commandCalls(): Promise<Map<string, number>> {
  const info = String(await runRequest(fixture.side, ["INFO", "commandstats"]));
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1] as string, Number(match[2]));
  return calls;
}

beforeEach(async () => {
  await runRequest(fixture.side, ["SCRIPT", "FLUSH"]);
  await runRequest(fixture.side, ["CONFIG", "RESETSTAT"]);
});

describe("client.script()", () => {
  const LUA = "return redis.call('INCRBY', KEYS[1], ARGV[1])";

  it("runs EVALSHA, loads once on NOSCRIPT, and never falls back to EVAL", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const incrBy = client.script<number>(LUA);
    assert.match(incrBy.sha, /^[0-9a-f]{40}$/);
    const first: number = await incrBy.call(["script:n"], [5]);
    assert.equal(first, 5);
    assert.equal(await incrBy.call(["script:n"], [2]), 7);
    let calls = await commandCalls();
    assert.equal(calls.get("script|load"), 1);
    assert.equal(calls.get("evalsha"), 3, "NOSCRIPT, then the call after the load, then the second call");
    assert.equal(calls.get("eval"), undefined);
    // After SCRIPT FLUSH: one load again, then EVALSHA as before.
    await runRequest(fixture.side, ["SCRIPT", "FLUSH"]);
    assert.equal(await incrBy.call(["script:n"], [1]), 8);
    assert.equal(await incrBy.call(["script:n"], [1]), 9);
    calls = await commandCalls();
    assert.equal(calls.get("script|load"), 2);
    assert.equal(calls.get("eval"), undefined);
  });

  it("its sha is the one Redis computes", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const script = client.script("return 1");
    assert.equal(await client.scriptLoad(script.lua), script.sha);
  });

  it("a read-only script runs as EVALSHA_RO, which Redis does not let write", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("script:ro", "v");
    const read = client.script<string | null>("return redis.call('GET', KEYS[1])", { readOnly: true });
    assert.equal(await read.call(["script:ro"]), "v");
    assert.equal((await commandCalls()).get("evalsha_ro"), 2);
    const write = client.script("return redis.call('SET', KEYS[1], 'x')", { readOnly: true });
    await assert.rejects(write.call(["script:ro"]), ResponseError);
  });

  it("a script error is a typed error, not retried as NOSCRIPT", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const failing = client.script("return redis.error_reply('MYERR broken')");
    await assert.rejects(failing.call(), (error: unknown) => error instanceof ResponseError && !(error instanceof NoScriptError) && error.prefix === "MYERR");
  });

  it("decodes as its client does", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const echo = client.decoding(false).script<Buffer>("return ARGV[1]");
    const reply = await echo.call([], ["bytes"]);
    assert.ok(Buffer.isBuffer(reply));
    assert.equal(reply.toString(), "bytes");
  });
});

describe("scripts in pipelines", () => {
  it("are loaded ahead of the batch, and the load is not among the results", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const incrBy = client.script<number>("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    const results = await client.pipeline().set("script:p", "1").runScript(incrBy, ["script:p"], [10]).get("script:p").exec();
    assert.deepEqual(results, ["OK", 11, "11"]);
    const calls = await commandCalls();
    assert.equal(calls.get("script|load"), 1);
    assert.equal(calls.get("eval"), undefined);
  });

  it("run inside a transaction too", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const double = client.script<number>("return tonumber(ARGV[1]) * 2");
    const results = await client.pipeline({ transaction: true }).runScript(double, [], [21]).runScript(double, [], [2]).exec();
    assert.deepEqual(results, [42, 4]);
    assert.equal((await commandCalls()).get("script|load"), 1, "one load per distinct script");
  });

  it("a failing script fails in place", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const failing = client.script("return redis.error_reply('MYERR broken')");
    const pipeline = client.pipeline().ping().runScript(failing).ping();
    await assert.rejects(pipeline.exec(), (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.results[0], "PONG");
      assert.ok(error.results[1] instanceof ResponseError);
      assert.equal(error.results[2], "PONG");
      return true;
    });
  });
});

describe("client.function()", () => {
  const LIBRARY = [
    "#!lua name=coredis_test",
    "redis.register_function('hello', function(keys, args) return 'hello ' .. args[1] end)",
    "redis.register_function{function_name='getter', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}",
  ].join("\n");

  it("calls a loaded function, typed by the caller, with FCALL or FCALL_RO", async () => {
    await using client = new Redis({ port: fixture.server.port });
    assert.equal(await client.functionLoad(LIBRARY, { replace: true }), "coredis_test");
    const hello = client.function<string>("hello");
    const greeting: string = await hello.call([], ["you"]);
    assert.equal(greeting, "hello you");
    await client.set("fn:k", "v");
    const getter = client.function<string | null>("getter", { readOnly: true });
    assert.equal(await getter.call(["fn:k"]), "v");
    const calls = await commandCalls();
    assert.equal(calls.get("fcall"), 1);
    assert.equal(calls.get("fcall_ro"), 1);
    const results = await client.pipeline().runFunction(hello, [], ["pipe"]).runFunction(getter, ["fn:k"]).exec();
    assert.deepEqual(results, ["hello pipe", "v"]);
  });

  it("an unknown function is a typed error", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await assert.rejects(client.function("no_such_function").call(), ResponseError);
  });
});
