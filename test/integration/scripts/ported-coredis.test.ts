/**
 * The Python coredis project's scripting and function tests (tests/test_scripting.py,
 * tests/commands/test_functions.py), ported to this API where they apply: `register_script`
 * is `client.script()`, `Library[name]` is `client.function(name)`. Not ported: the `wraps`
 * decorators (Python signatures; a typed `client.script<R>()` / `client.function<R>()` is the
 * equivalent here), the cluster and replica cases (no cluster client yet), `Library` objects.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { NoScriptError, PipelineError, Redis, ResponseError } from "../../../src/index.js";
import { runRequest } from "../../harness/run-request.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";

const fixture = standaloneWithSide();

const MULTIPLY = `
local value = redis.call('GET', KEYS[1])
value = tonumber(value)
return value * ARGV[1]`;
const MSGPACK_HELLO = `
local message = cmsgpack.unpack(ARGV[1])
local name = message['name']
return "hello " .. name`;
const MSGPACK_HELLO_BROKEN = `
local message = cmsgpack.unpack(ARGV[1])
local names = message['name']
return "hello " .. name`;
/** msgpack of {"name": "Joe"}. */
const MSGPACK_JOE = Buffer.from([0x81, 0xa4, ...Buffer.from("name"), 0xa3, ...Buffer.from("Joe")]);

const LIBRARY = `#!lua name=coredis

local function echo_key(keys, args)
    return keys[1]
end
local function return_arg(keys, args)
    return 10*args[1]
end
local function default_get(keys, args)
    return redis.call("get", keys[1]) or table.concat(args)
end

redis.register_function{function_name='echo_key', callback=echo_key, flags={ 'no-writes' }}
redis.register_function('return_arg', return_arg)
redis.register_function('default_get', default_get)
`;

beforeEach(async () => {
  await runRequest(fixture.side, ["SCRIPT", "FLUSH"]);
  await runRequest(fixture.side, ["FUNCTION", "FLUSH"]);
});

const open = (): Redis => new Redis({ port: fixture.server.port });

describe("ported: tests/test_scripting.py", () => {
  it("test_eval / test_evalsha", async () => {
    await using client = open();
    await client.set("a", "2");
    assert.equal(await client.eval(MULTIPLY, ["a"], [3]), 6);
    const sha = await client.scriptLoad(MULTIPLY);
    assert.equal(await client.evalsha(sha, ["a"], [3]), 6);
  });

  it("test_evalsha_script_not_loaded", async () => {
    await using client = open();
    await client.set("a", "2");
    const sha = await client.scriptLoad(MULTIPLY);
    await client.scriptFlush();
    await assert.rejects(client.evalsha(sha, ["a"], [3]), NoScriptError);
  });

  it("test_script_loading / test_script_flush_sync_mode", async () => {
    await using client = open();
    const sha = await client.scriptLoad(MULTIPLY);
    await client.scriptFlush({ sync: true });
    assert.deepEqual(await client.scriptExists([sha]), [0]);
    await client.scriptLoad(MULTIPLY);
    assert.deepEqual(await client.scriptExists([sha]), [1]);
  });

  it("test_script_object: the precalculated sha is Redis's, and the first call loads it", async () => {
    await using client = open();
    await client.set("a", "2");
    const multiply = client.script<number>(MULTIPLY);
    assert.deepEqual(await client.scriptExists([multiply.sha]), [0]);
    assert.equal(await multiply.call(["a"], [3]), 6);
    assert.deepEqual(await client.scriptExists([multiply.sha]), [1]);
    assert.equal(await multiply.call(["a"], [3]), 6);
  });

  it("test_script_object_in_pipeline: loaded by exec(), and again after SCRIPT FLUSH", async () => {
    await using client = open();
    const multiply = client.script<number>(MULTIPLY);
    for (let round = 0; round < 2; round++) {
      const pipeline = client.pipeline().set("a", "2").get("a").runScript(multiply, ["a"], [3]);
      assert.deepEqual(await client.scriptExists([multiply.sha]), [0], "not loaded before exec()");
      assert.deepEqual(await pipeline.exec(), ["OK", "2", 6]);
      assert.deepEqual(await client.scriptExists([multiply.sha]), [1]);
      await client.scriptFlush();
    }
  });

  it("test_eval_msgpack_pipeline_error_in_lua", async () => {
    await using client = open();
    const hello = client.script<string>(MSGPACK_HELLO);
    assert.deepEqual(await client.pipeline().runScript(hello, [], [MSGPACK_JOE]).exec(), ["hello Joe"]);
    assert.deepEqual(await client.scriptExists([hello.sha]), [1]);
    const broken = client.script(MSGPACK_HELLO_BROKEN);
    await assert.rejects(client.pipeline().runScript(broken, [], [MSGPACK_JOE]).exec(), (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.ok(error.results[0] instanceof ResponseError);
      return true;
    });
  });

  it("test_script_kill_no_scripts", async () => {
    await using client = open();
    await assert.rejects(client.scriptKill(), (error: unknown) => error instanceof ResponseError && error.prefix === "NOTBUSY");
  });

  it("test_wraps_function_no_keys / key_only / key_value, as typed script objects", async () => {
    await using client = open();
    const synth = client.script<number[]>("return {tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])}");
    assert.deepEqual(await synth.call([], [1, 2, 3]), [1, 2, 3]);
    const defaultGet = client.script<string>("return redis.call('GET', KEYS[1]) or ARGV[1]");
    await client.set("key", "redis");
    assert.equal(await defaultGet.call(["key"], ["coredis"]), "redis");
    await client.del(["key"]);
    assert.equal(await defaultGet.call(["key"], ["coredis"]), "coredis");
  });
});

describe("ported: tests/commands/test_functions.py", () => {
  it("test_empty_library / test_load_library", async () => {
    await using client = open();
    assert.deepEqual(await client.functionList(), []);
    assert.equal(await client.functionLoad(LIBRARY), "coredis");
    const [library] = await client.functionList({ withcode: true });
    assert.equal(library?.library_name, "coredis");
    assert.equal(library?.functions.length, 3);
    assert.equal(library?.library_code, LIBRARY);
    assert.equal((await client.functionStats()).running_script, null);
  });

  it("test_fcall, and test_call_library_function through client.function()", async () => {
    await using client = open();
    await client.functionLoad(LIBRARY);
    assert.equal(await client.fcall("echo_key", ["a"], []), "a");
    assert.equal(await client.fcall("return_arg", ["a"], [2]), 20);
    const echoKey = client.function<string>("echo_key", { readOnly: true });
    const returnArg = client.function<number>("return_arg");
    assert.equal(await echoKey.call(["A"], [1, 2, 3]), "A");
    assert.equal(await returnArg.call(["A"], [1.0, 2.0, 3.0]), 10);
    // FCALL_RO of a function without the no-writes flag is refused.
    await assert.rejects(client.function("return_arg", { readOnly: true }).call(["a"], [2]), ResponseError);
  });

  it("test_function_delete", async () => {
    await using client = open();
    await client.functionLoad(LIBRARY);
    assert.equal(await client.functionDelete("coredis"), "OK");
    assert.deepEqual(await client.functionList(), []);
    await assert.rejects(client.functionDelete("coredis"), ResponseError);
  });

  it("test_function_kill", async () => {
    await using client = open();
    await assert.rejects(client.functionKill(), (error: unknown) => error instanceof ResponseError && error.prefix === "NOTBUSY");
  });

  it("test_dump_restore", async () => {
    await using client = open();
    await client.functionLoad(LIBRARY);
    const dump = await client.functionDump();
    assert.ok(Buffer.isBuffer(dump));
    assert.equal(await client.functionFlush({ sync: true }), "OK");
    assert.deepEqual(await client.functionList(), []);
    assert.equal(await client.functionRestore(dump, { flush: true }), "OK");
    const [library] = await client.functionList();
    assert.equal(library?.functions.length, 3);
    assert.deepEqual(library?.functions.find((fn) => fn.name === "echo_key")?.flags, ["no-writes"]);
  });

  it("a function queued on a pipeline and in a transaction", async () => {
    await using client = open();
    await client.functionLoad(LIBRARY);
    const defaultGet = client.function<string>("default_get");
    await client.set("fk", "present");
    assert.deepEqual(await client.pipeline().runFunction(defaultGet, ["fk"], ["x"]).runFunction(defaultGet, ["none"], ["a", "b"]).exec(), [
      "present",
      "ab",
    ]);
    assert.deepEqual(await client.pipeline({ transaction: true }).runFunction(defaultGet, ["fk"]).exec(), ["present"]);
  });
});
