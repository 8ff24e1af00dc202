/**
 * The scripting commands (EVAL*, SCRIPT *, FUNCTION *, FCALL*) against a real server, under RESP2
 * and RESP3. SCRIPT KILL and FUNCTION KILL stop a busy script run by a second client.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";
import { plain, sameUnderBothProtocols } from "./compare-protocols.js";

const sha1 = (text: string): string => createHash("sha1").update(text).digest("hex");

/** Sends `kill` until it stops failing with NOTBUSY (the busy script has not started yet). */
async function killWhenBusy(kill: () => Promise<"OK">): Promise<"OK"> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await kill();
    } catch (error) {
      if (attempt > 200 || !/NOTBUSY/.test(String(error))) throw error;
      await delay(10);
    }
  }
}

describeEachProtocol("scripting commands", (ctx) => {
  it("EVAL, EVAL_RO, SCRIPT LOAD, EVALSHA, EVALSHA_RO, SCRIPT EXISTS, SCRIPT FLUSH", async () => {
    const { client, prefix } = ctx();
    const key = `${prefix}script:k`;
    await client.set(key, "stored");
    const script = "return {KEYS[1], ARGV[1], redis.call('GET', KEYS[1]), 42}";
    assert.deepEqual(await client.eval(script, [key], ["arg"]), [key, "arg", "stored", 42]);
    assert.equal(await client.eval("return 'no keys'"), "no keys");
    assert.equal(await client.eval("return ARGV[1] .. ARGV[2]", [], ["a", "b"]), "ab");
    assert.deepEqual(await client.evalRo("return redis.call('GET', KEYS[1])", [key]), "stored");
    await assert.rejects(client.evalRo("return redis.call('SET', KEYS[1], 'x')", [key]), /write command/i);

    const sha = await client.scriptLoad(script);
    assert.equal(sha, sha1(script));
    assert.deepEqual(await client.evalsha(sha, [key], ["arg"]), [key, "arg", "stored", 42]);
    assert.deepEqual(await client.evalshaRo(sha, [key], ["ro"]), [key, "ro", "stored", 42]);
    assert.deepEqual(await client.scriptExists([sha, sha1("never loaded")]), [1, 0]);
    assert.equal(await client.scriptFlush({ sync: true }), "OK");
    assert.deepEqual(await client.scriptExists([sha]), [0]);
    await assert.rejects(client.evalsha(sha, [key]), /NOSCRIPT/);
    await client.scriptLoad(script);
    assert.equal(await client.scriptFlush({ async: true }), "OK");
    assert.equal(await client.scriptFlush(), "OK");
  });

  it("EVAL replies: nil, status, error, nested tables, Buffers", async () => {
    const { client, buffers } = ctx();
    assert.equal(await client.eval("return nil"), null);
    assert.equal(await client.eval("return redis.status_reply('FINE')"), "FINE");
    assert.deepEqual(await client.eval("return {1, {2, 'x'}, 'y'}"), [1, [2, "x"], "y"]);
    await assert.rejects(client.eval("return redis.error_reply('MYERR broken')"), /MYERR broken/);
    assert.deepEqual(await buffers.eval("return ARGV[1]", [], [Buffer.from([0, 255])]), Buffer.from([0, 255]));
  });

  it("SCRIPT HELP, SCRIPT DEBUG NO", async () => {
    const { client } = ctx();
    assert.ok((await client.scriptHelp()).some((line) => line.includes("FLUSH")));
    assert.ok((await ctx().buffers.functionHelp()).every((line) => typeof line === "string"));
    // YES/SYNC would turn the next EVAL on the shared connection into a debugging session.
    assert.equal(await client.scriptDebug("NO"), "OK");
  });

  it("SCRIPT SHOW", async (t) => {
    if (ctx().skipUnless(t, "8.0.0")) return;
    const { client } = ctx();
    const sha = await client.scriptLoad("return 1");
    assert.equal(await client.scriptShow(sha), "return 1");
  });

  it("SCRIPT KILL stops a busy script of another client", async () => {
    const { client, server, protocolVersion } = ctx();
    const threshold = (await client.configGet(["busy-reply-threshold"]))["busy-reply-threshold"] ?? "5000";
    await client.configSet({ "busy-reply-threshold": "50" });
    const other = new Redis({ port: server.port, protocolVersion });
    try {
      const busy = other.eval("local i = 0 while true do i = i + 1 end");
      const outcome = busy.then(
        () => "returned",
        (error: unknown) => String(error),
      );
      assert.equal(await killWhenBusy(() => client.scriptKill()), "OK");
      assert.match(await outcome, /killed/i);
    } finally {
      await other.close();
      await client.configSet({ "busy-reply-threshold": threshold });
    }
    await assert.rejects(client.scriptKill(), /NOTBUSY/);
  });

  it("FUNCTION LOAD, LIST, FCALL, FCALL_RO, DELETE, FLUSH", async () => {
    const { client, buffers, server, prefix, protocolVersion } = ctx();
    const lib = `lib${protocolVersion}`;
    await client.functionFlush({ sync: true });
    const code = [
      `#!lua name=${lib}`,
      `redis.register_function('set${protocolVersion}', function(keys, args) return redis.call('SET', keys[1], args[1]) end)`,
      "redis.register_function{",
      `  function_name='get${protocolVersion}',`,
      "  callback=function(keys, args) return redis.call('GET', keys[1]) end,",
      "  flags={'no-writes'},",
      "  description='reads one key'",
      "}",
    ].join("\n");
    assert.equal(await client.functionLoad(code), lib);
    await assert.rejects(client.functionLoad(code), /already exists/);
    assert.equal(await client.functionLoad(code, { replace: true }), lib);

    const key = `${prefix}fn:k`;
    assert.equal(await client.fcall(`set${protocolVersion}`, [key], ["via function"]), "OK");
    assert.equal(await client.fcall(`get${protocolVersion}`, [key]), "via function");
    assert.equal(await client.fcallRo(`get${protocolVersion}`, [key]), "via function");
    await assert.rejects(client.fcallRo(`set${protocolVersion}`, [key], ["x"]), /write flag/i);

    const listed = await sameUnderBothProtocols(server, (c) => c.functionList());
    assert.equal(listed.length, 1);
    const [library] = plain(listed);
    assert.ok(library !== undefined);
    assert.equal(library.library_name, lib);
    assert.equal(library.engine, "LUA");
    assert.equal(library.library_code, undefined);
    // The server lists a library's functions in no set order.
    assert.deepEqual(library.functions.sort((a, b) => a.name.localeCompare(b.name)), [
      { name: `get${protocolVersion}`, description: "reads one key", flags: ["no-writes"] },
      { name: `set${protocolVersion}`, description: null, flags: [] },
    ]);
    const [raw] = await buffers.functionList();
    assert.deepEqual(raw?.library_name, Buffer.from(lib));
    assert.deepEqual(raw?.functions.map((f) => f.flags).sort((a, b) => b.length - a.length), [["no-writes"], []]);
    const withCode = await sameUnderBothProtocols(server, (c) => c.functionList({ libraryname: lib, withcode: true }));
    assert.equal(withCode.length, 1);
    assert.equal(withCode[0]?.library_code, code);
    assert.deepEqual(await client.functionList({ libraryname: "no-such-lib" }), []);

    assert.equal(await client.functionDelete(lib), "OK");
    await assert.rejects(client.functionDelete(lib), /not found/i);
    await client.functionLoad(code);
    assert.equal(await client.functionFlush({ async: true }), "OK");
    assert.deepEqual(await client.functionList(), []);
    assert.equal(await client.functionFlush(), "OK");
  });

  it("FUNCTION DUMP and RESTORE (Buffers), FUNCTION HELP", async () => {
    const { client, buffers, protocolVersion } = ctx();
    const lib = `dumped${protocolVersion}`;
    await client.functionFlush();
    await client.functionLoad(`#!lua name=${lib}\nredis.register_function('d${protocolVersion}', function() return 7 end)`);
    const payload = await buffers.functionDump();
    assert.ok(Buffer.isBuffer(payload) && payload.length > 0);

    await client.functionFlush();
    assert.equal(await client.functionRestore(payload), "OK");
    assert.equal(await client.fcall(`d${protocolVersion}`), 7);
    await assert.rejects(client.functionRestore(payload), /already exists/);
    await assert.rejects(client.functionRestore(payload, { append: true }), /already exists/);
    assert.equal(await client.functionRestore(payload, { replace: true }), "OK");
    assert.equal(await client.functionRestore(payload, { flush: true }), "OK");
    assert.deepEqual((await client.functionList()).map((l) => l.library_name), [lib]);
    await client.functionFlush();
    assert.equal(await client.functionRestore(payload, { append: true }), "OK");
    await client.functionFlush();

    assert.ok((await client.functionHelp()).some((line) => line.includes("RESTORE")));
  });

  it("FUNCTION DUMP is a Buffer under the default decoding too, and FUNCTION RESTORE takes it back", async () => {
    const { client, protocolVersion } = ctx();
    const lib = `dumpedtext${protocolVersion}`;
    await client.functionFlush();
    await client.functionLoad(`#!lua name=${lib}\nredis.register_function('t${protocolVersion}', function() return 'restored' end)`);
    const payload = await client.functionDump();
    assert.ok(Buffer.isBuffer(payload), `functionDump gave a ${typeof payload}`);
    // The payload ends in its RDB version and a CRC64: bytes that are not text.
    assert.deepEqual(payload, await ctx().buffers.functionDump());
    await client.functionFlush();
    assert.equal(await client.functionRestore(payload), "OK");
    assert.equal(await client.fcall(`t${protocolVersion}`), "restored");
    await client.functionFlush();
  });

  it("FUNCTION STATS and FUNCTION KILL while a function is busy", async () => {
    const { client, server, protocolVersion } = ctx();
    const lib = `busy${protocolVersion}`;
    await client.functionFlush();
    await client.functionLoad(
      [
        `#!lua name=${lib}`,
        `redis.register_function{function_name='spin${protocolVersion}', flags={'no-writes'},`,
        "  callback=function() local i = 0 while true do i = i + 1 end end}",
        `redis.register_function('one${protocolVersion}', function() return 1 end)`,
      ].join("\n"),
    );
    const idle = await sameUnderBothProtocols(server, (c) => c.functionStats());
    assert.deepEqual(plain(idle), {
      running_script: null,
      engines: { LUA: { libraries_count: 1, functions_count: 2 } },
    });

    const threshold = (await client.configGet(["busy-reply-threshold"]))["busy-reply-threshold"] ?? "5000";
    await client.configSet({ "busy-reply-threshold": "50" });
    const other = new Redis({ port: server.port, protocolVersion });
    try {
      const outcome = other.fcall(`spin${protocolVersion}`).then(
        () => "returned",
        (error: unknown) => String(error),
      );
      // FUNCTION STATS is allowed while busy: it names the running function.
      let running = (await client.functionStats()).running_script;
      for (let i = 0; running === null && i < 200; i++) {
        await delay(10);
        running = (await client.functionStats()).running_script;
      }
      assert.ok(running !== null);
      assert.equal(running.name, `spin${protocolVersion}`);
      assert.deepEqual(running.command, ["FCALL", `spin${protocolVersion}`, "0"]);
      assert.equal(typeof running.duration_ms, "number");
      assert.equal(await killWhenBusy(() => client.functionKill()), "OK");
      assert.match(await outcome, /killed/i);
    } finally {
      await other.close();
      await client.configSet({ "busy-reply-threshold": threshold });
    }
    await assert.rejects(client.functionKill(), /NOTBUSY/);
    await client.functionFlush();
  });
});
