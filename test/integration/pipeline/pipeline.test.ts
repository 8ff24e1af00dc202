/**
 * Pipelines against a real server: large batches (10 000 commands, replies in order and typed;
 * 300 000 INCRs), reply errors in place (`PipelineError.results`, `raiseOnError: false`),
 * transactions' EXECABORT with the queue-time errors in place, decoding modes and reply
 * transforms, misuse refused before anything is sent — and nothing left at the server once the
 * clients are closed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expectTypeOf } from "expect-type";
import {
  ClientClosedError,
  ExecAbortError,
  InvalidArgumentError,
  PipelineError,
  Redis,
  ResponseError,
  WrongTypeError,
} from "../../../src/index.js";
import { untilOnlySideConnected } from "../../harness/server-signals.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";

const fixture = standaloneWithSide();

describe("a pipeline of 10 000 commands", () => {
  it("replies in order, typed", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const half = 5_000;
    await client.del(["p10k:n"]);
    await client.mset(Object.fromEntries(Array.from({ length: half }, (_, i) => [`p10k:v:${i}`, `v${i}`])));
    const typed = client.pipeline().set("p10k:typed", "t").incr("p10k:typed:n").get("p10k:typed");
    const [ok, n, value] = await typed.exec();
    expectTypeOf(ok).toEqualTypeOf<"OK" | null>();
    expectTypeOf(n).toEqualTypeOf<number>();
    expectTypeOf(value).toEqualTypeOf<string | null>();
    assert.deepEqual([ok, n, value], ["OK", 1, "t"]);

    const pipeline = client.pipeline();
    for (let i = 0; i < half; i++) pipeline.incr("p10k:n").get(`p10k:v:${i}`);
    assert.equal(pipeline.length, 2 * half);
    const results: readonly unknown[] = await pipeline.exec();
    assert.equal(results.length, 2 * half);
    for (let i = 0; i < half; i++) {
      assert.equal(results[2 * i], i + 1, `INCR #${i}`);
      assert.equal(results[2 * i + 1], `v${i}`, `GET #${i}`);
    }
  });

  it("a WRONGTYPE in the middle: PipelineError with every result in place, the commands after it ran", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["p10k:err:n"]);
    await client.set("p10k:err:string", "not a list");
    const pipeline = client.pipeline();
    for (let i = 0; i < 10_000; i++) {
      if (i === 5_000) pipeline.lpush("p10k:err:string", ["x"]);
      else pipeline.incr("p10k:err:n");
    }
    const error = await pipeline.exec().then(
      () => assert.fail("exec resolved"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof PipelineError, String(error));
    assert.equal(error.results.length, 10_000);
    const failed = error.results[5_000];
    assert.ok(failed instanceof WrongTypeError, String(failed));
    assert.equal(failed.command, "LPUSH");
    assert.equal(error.cause, failed);
    assert.equal(error.results[4_999], 5_000);
    assert.equal(error.results[5_001], 5_001, "the commands after the error ran");
    assert.equal(error.results[9_999], 9_999);
    assert.match(error.message, /1 of 10000 commands/);
    assert.equal(await client.get("p10k:err:n"), "9999");
  });

  it("raiseOnError: false resolves with the error in its place", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["p10k:settled:n"]);
    await client.set("p10k:settled:string", "s");
    const pipeline = client.pipeline().incr("p10k:settled:n").lpush("p10k:settled:string", ["x"]).get("p10k:settled:string");
    for (let i = 0; i < 9_997; i++) pipeline.incr("p10k:settled:n");
    const results = await pipeline.exec({ raiseOnError: false });
    const [first, second, third] = results;
    expectTypeOf(second).toEqualTypeOf<number | ResponseError>();
    assert.equal(first, 1);
    assert.ok(second instanceof WrongTypeError);
    assert.equal(third, "s");
    const all: readonly unknown[] = results;
    assert.equal(all.length, 10_000);
    assert.equal(all.filter((result) => result instanceof ResponseError).length, 1);
    assert.equal(all[9_999], 9_998);
  });

  it("a transaction of 10 000 INCRs: one EXEC, the replies consecutive", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("p10k:tx:n", "100");
    const pipeline = client.pipeline({ transaction: true });
    for (let i = 0; i < 10_000; i++) pipeline.incr("p10k:tx:n");
    const results: readonly unknown[] = await pipeline.exec();
    assert.equal(results.length, 10_000);
    results.forEach((result, i) => assert.equal(result, 101 + i));
  });

  it("300 000 INCRs complete with the right count", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["p300k:n"]);
    const started = performance.now();
    const pipeline = client.pipeline();
    for (let i = 0; i < 300_000; i++) pipeline.incr("p300k:n");
    const results: readonly unknown[] = await pipeline.exec();
    const elapsed = performance.now() - started;
    assert.equal(results.length, 300_000);
    assert.equal(results[0], 1);
    assert.equal(results[299_999], 300_000);
    assert.equal(await client.get("p300k:n"), "300000");
    // About 2 s here; the bound only catches a pipeline that crawls (per-command round trips).
    assert.ok(elapsed < 20_000, `${Math.round(elapsed)} ms`);
  });
});

describe("results", () => {
  it("set, incr, get: ['OK', number, string], in both modes", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["res:n"]);
    assert.deepEqual(await client.pipeline().set("res:a", "1").incr("res:n").get("res:a").exec(), ["OK", 1, "1"]);
    assert.deepEqual(await client.pipeline({ transaction: true }).set("res:a", "2").incr("res:n").get("res:a").exec(), ["OK", 2, "2"]);
  });

  it("an empty pipeline resolves to [], transaction or not", async () => {
    await using client = new Redis({ port: fixture.server.port });
    assert.deepEqual(await client.pipeline().exec(), []);
    assert.deepEqual(await client.pipeline({ transaction: true }).exec(), []);
  });

  it("decoding(false) gives Buffers, and so does a Redis<Buffer>", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("res:bin", Buffer.from([0xff, 0x00, 0xfe]));
    const [raw] = await client.decoding(false).pipeline().get("res:bin").exec();
    assert.ok(Buffer.isBuffer(raw));
    assert.deepEqual([...raw], [0xff, 0x00, 0xfe]);
    const [rawTx] = await client.decoding(false).pipeline({ transaction: true }).get("res:bin").exec();
    assert.ok(Buffer.isBuffer(rawTx));
    assert.deepEqual([...rawTx], [0xff, 0x00, 0xfe]);
    await using buffers = new Redis<Buffer>({ port: fixture.server.port, decodeResponses: false });
    const [viaClient, hash] = await buffers.pipeline().get("res:bin").hgetall("res:nohash").exec();
    assert.ok(Buffer.isBuffer(viaClient));
    assert.deepEqual({ ...hash }, {});
    // The string view of the same client decodes again.
    const [text] = await client.pipeline().set("res:text", "héllo").get("res:text").exec().then(([, v]) => [v]);
    assert.equal(text, "héllo");
  });

  it("DUMP is a Buffer in a plain pipeline, and RESTORE takes it back", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("res:dump", "value");
    const [dumped] = await client.pipeline().dump("res:dump").exec();
    assert.ok(Buffer.isBuffer(dumped));
    assert.deepEqual(dumped, await client.dump("res:dump"));
    await client.del(["res:dump:copy"]);
    assert.deepEqual(await client.pipeline().restore("res:dump:copy", 0, dumped).get("res:dump:copy").exec(), ["OK", "value"]);
  });

  it("DUMP is a Buffer inside a transaction too", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("res:dump:tx", "value");
    const [dumped] = await client.pipeline({ transaction: true }).dump("res:dump:tx").exec();
    assert.ok(Buffer.isBuffer(dumped), `DUMP in a transaction answered a ${typeof dumped}`);
    assert.deepEqual(dumped, await client.dump("res:dump:tx"));
  });

  for (const protocolVersion of [2, 3] as const) {
    it(`replies go through the client's transforms (RESP${protocolVersion}), transaction or not`, async () => {
      await using client = new Redis({ port: fixture.server.port, protocolVersion });
      const key = `res:tr:${protocolVersion}`;
      await client.del([`${key}:h`, `${key}:z`, `${key}:s`]);
      await client.hset(`${key}:h`, { f: "v", g: "w" });
      await client.zadd(`${key}:z`, [{ score: 1, member: "a" }, { score: 2.5, member: "b" }]);
      const id = await client.xadd(`${key}:s`, "*", { field: "value" });
      const direct = [
        await client.hgetall(`${key}:h`),
        await client.zrange(`${key}:z`, 0, -1, { withscores: true }),
        await client.xrange(`${key}:s`, "-", "+"),
        await client.exists([`${key}:h`, `${key}:none`]),
      ];
      for (const transaction of [false, true]) {
        const piped = await client
          .pipeline({ transaction })
          .hgetall(`${key}:h`)
          .zrange(`${key}:z`, 0, -1, { withscores: true })
          .xrange(`${key}:s`, "-", "+")
          .exists([`${key}:h`, `${key}:none`])
          .exec();
        assert.deepEqual({ ...piped[0] }, { ...(direct[0] as Record<string, string>) }, `transaction: ${transaction}`);
        assert.deepEqual(piped[1], [["a", 1], ["b", 2.5]]);
        assert.deepEqual(piped.slice(1), direct.slice(1), `transaction: ${transaction}`);
        assert.equal(piped[2][0]?.id, id);
      }
    });
  }
});

describe("transaction errors", () => {
  it("EXECABORT: ExecAbortError carries the queue-time error in place, nothing ran", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("abort:a", "before");
    await client.del(["abort:n"]);
    for (const raiseOnError of [true, false]) {
      const pipeline = client
        .pipeline({ transaction: true })
        .set("abort:a", "after")
        .sendCommand(["SET", "onlykey"])
        .incr("abort:n");
      const error = await pipeline.exec({ raiseOnError }).then(
        () => assert.fail("exec resolved"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ExecAbortError, String(error));
      assert.equal(error.errors.length, 3);
      assert.equal(error.errors[0], undefined);
      assert.ok(error.errors[1] instanceof ResponseError);
      assert.match(error.errors[1].message, /wrong number of arguments/i);
      assert.equal(error.errors[2], undefined);
      assert.equal(await client.get("abort:a"), "before", "nothing of the transaction ran");
      assert.equal(await client.exists(["abort:n"]), 0);
    }
  });

  it("a command failing inside EXEC (WRONGTYPE): PipelineError in place, the others ran (Redis does not roll back)", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("txerr:s", "string");
    await client.del(["txerr:n"]);
    const error = await client
      .pipeline({ transaction: true })
      .incr("txerr:n")
      .lpush("txerr:s", ["x"])
      .incr("txerr:n")
      .exec()
      .then(
        () => assert.fail("exec resolved"),
        (e: unknown) => e,
      );
    assert.ok(error instanceof PipelineError && !(error instanceof ExecAbortError), String(error));
    assert.equal(error.results[0], 1);
    assert.ok(error.results[1] instanceof WrongTypeError);
    assert.equal(error.results[1].command, "LPUSH");
    assert.equal(error.results[2], 2);
    assert.equal(await client.get("txerr:n"), "2");
  });
});

describe("misuse is refused before anything is sent", () => {
  it("sendCommand of a connection-state command throws synchronously, in either mode", async () => {
    await using client = new Redis({ port: fixture.server.port });
    for (const transaction of [false, true]) {
      const pipeline = client.pipeline({ transaction }).set("misuse:a", "1");
      for (const argv of [["SELECT", "1"], ["MULTI"], ["EXEC"], ["WATCH", "misuse:a"], ["SUBSCRIBE", "c"], ["CLIENT", "REPLY", "OFF"]]) {
        assert.throws(() => pipeline.sendCommand(argv), InvalidArgumentError, argv.join(" "));
      }
      assert.equal(pipeline.length, 1);
      assert.deepEqual(await pipeline.exec(), ["OK"]);
    }
  });

  it("a pipeline runs once: a second exec() rejects, and queuing after exec() throws", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["misuse:n"]);
    const pipeline = client.pipeline().incr("misuse:n");
    const first = pipeline.exec();
    await assert.rejects(pipeline.exec(), InvalidArgumentError);
    assert.throws(() => pipeline.incr("misuse:n"), InvalidArgumentError);
    assert.deepEqual(await first, [1]);
    await assert.rejects(pipeline.exec(), InvalidArgumentError);
    assert.equal(await client.get("misuse:n"), "1", "sent once");
  });

  it("a pipeline of a closed client rejects with ClientClosedError", async () => {
    const client = new Redis({ port: fixture.server.port });
    await client.ping();
    await client.close();
    await assert.rejects(client.pipeline().get("misuse:a").exec(), ClientClosedError);
    await assert.rejects(client.pipeline({ transaction: true }).get("misuse:a").exec(), ClientClosedError);
  });

  it("an argument that cannot be sent (NaN) in a transaction: nothing of it runs", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["nan:tx:a", "nan:tx:b"]);
    const attempt = async (): Promise<unknown> =>
      client.pipeline({ transaction: true }).set("nan:tx:a", "1").incrby("nan:tx:n", Number.NaN).set("nan:tx:b", "2").exec();
    await assert.rejects(attempt, InvalidArgumentError);
    assert.equal(await client.exists(["nan:tx:a", "nan:tx:b"]), 0, "the transaction ran without its NaN command");
  });

  it("an argument that cannot be sent (NaN) in a plain pipeline: rejected before any command runs", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["nan:plain:a", "nan:plain:b"]);
    const attempt = async (): Promise<unknown> =>
      client.pipeline().set("nan:plain:a", "1").incrby("nan:plain:n", Number.NaN).set("nan:plain:b", "2").exec();
    await assert.rejects(attempt, InvalidArgumentError);
    assert.equal(await client.exists(["nan:plain:a", "nan:plain:b"]), 0, "commands ran although exec() rejected");
  });

  it("a NaN early in a transaction of 10 000 commands does not leave its connection in MULTI", async () => {
    await using client = new Redis({ port: fixture.server.port, maxConnections: 1 });
    await client.set("nan:multi:k", "v");
    await client.del(["nan:multi:c"]);
    const pipeline = client.pipeline({ transaction: true }).incr("nan:multi:c");
    // Refused when queued, so the batch never holds a command that cannot be written.
    assert.throws(() => pipeline.incrby("nan:multi:n", Number.NaN), InvalidArgumentError);
    for (let i = 1; i < 10_000; i++) pipeline.incr("nan:multi:c");
    const results = await pipeline.exec();
    assert.equal(results.length, 10_000);
    assert.equal(await client.get("nan:multi:c"), "10000");
    assert.equal(await client.withOptions({ timeout: 2_000 }).get("nan:multi:k"), "v", "the next command on that connection");
  });
});

describe("after close()", () => {
  it("no connection of this file's clients is left at the server", async () => {
    await untilOnlySideConnected(fixture.side);
  });
});
