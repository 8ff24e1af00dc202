/**
 * The Python coredis project's pipeline tests (alisaifee/coredis: tests/test_pipeline.py at 6.x
 * HEAD, plus the 5.7 cases it dropped, and the standalone-applicable case of
 * tests/cluster/test_pipeline.py), ported to this client's API. Each `it` names the test it
 * ports. Where the APIs differ the port keeps the behaviour under test, in our terms:
 * - coredis's `pipeline(transaction=…)` defaults to a transaction; ours does not, so most cases
 *   run in both modes;
 * - its `pipe.watch(...)` / `pipe.multi()` / `client.transaction(fn, *watches)` are our
 *   `client.transaction(fn, { watches, retries })` with `tx.multi()`;
 * - a pipeline runs once here (coredis resets it after execute()): "the pipe was restored to a
 *   working state" becomes "a new pipeline on the same client works".
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AuthorizationError,
  ExecAbortError,
  InvalidArgumentError,
  PipelineError,
  Redis,
  ResponseError,
  WatchError,
  WrongTypeError,
} from "../../../src/index.js";
import { runRequest } from "../../harness/run-request.js";
import { untilOnlySideConnected } from "../../harness/server-signals.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";

const NO_MULTI_USER = "nomulti";
const NO_MULTI_PASSWORD = "nomulti-secret-5d1e";

const fixture = standaloneWithSide({
  aclUsers: [{ name: NO_MULTI_USER, password: NO_MULTI_PASSWORD, rules: "~* &* +@all -multi" }],
});

const MODES = [false, true] as const;

describe("TestPipeline", () => {
  // test_incorrect_use_pipeline: a queued command is not awaitable on its own; results come from exec().
  it("test_incorrect_use_pipeline: a queued command returns the pipeline itself, not a promise", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const pipeline = client.pipeline();
    const queued = pipeline.get("ported:a");
    assert.equal(queued, pipeline);
    assert.equal("then" in queued, false, "awaiting a queued command cannot hang or resolve to a reply");
    assert.deepEqual(await pipeline.exec(), [null]);
  });

  // test_empty_pipeline
  it("test_empty_pipeline: resolves to [] in both modes", async () => {
    await using client = new Redis({ port: fixture.server.port });
    for (const transaction of MODES) assert.deepEqual(await client.pipeline({ transaction }).exec(), []);
  });

  // test_pipeline (and tests/cluster/test_pipeline.py test_pipeline_simple)
  for (const transaction of MODES) {
    it(`test_pipeline (transaction: ${transaction}): set, get, zadd, zincrby, zrange withscores`, async () => {
      await using client = new Redis({ port: fixture.server.port });
      await client.del(["ported:a", "ported:z"]);
      const results = await client
        .pipeline({ transaction })
        .set("ported:a", "a1")
        .get("ported:a")
        .zadd("ported:z", [{ score: 1, member: "z1" }])
        .zadd("ported:z", [{ score: 4, member: "z2" }])
        .zincrby("ported:z", 1, "z1")
        .zrange("ported:z", 0, 5, { withscores: true })
        .exec();
      assert.deepEqual(results, ["OK", "a1", 1, 1, 2, [["z1", 2], ["z2", 4]]]);
    });
  }

  // test_pipeline_length (5.7)
  it("test_pipeline_length: length counts the queued commands", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const pipeline = client.pipeline();
    assert.equal(pipeline.length, 0);
    pipeline.set("ported:a", "a1").set("ported:b", "b1").set("ported:c", "c1");
    assert.equal(pipeline.length, 3);
    await pipeline.exec();
    assert.equal(pipeline.length, 3, "a pipeline runs once and keeps what it ran (coredis resets it instead)");
  });

  // test_pipeline_no_transaction
  it("test_pipeline_no_transaction: three SETs, each applied", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const results = await client.pipeline().set("ported:a", "a1").set("ported:b", "b1").set("ported:c", "c1").exec();
    assert.deepEqual(results, ["OK", "OK", "OK"]);
    assert.equal(await client.get("ported:a"), "a1");
    assert.equal(await client.get("ported:b"), "b1");
    assert.equal(await client.get("ported:c"), "c1");
  });

  // test_pipeline_invalid_flow (5.7): MULTI twice, WATCH after MULTI, MULTI after commands are
  // RedisErrors there; here MULTI and WATCH cannot be queued at all.
  it("test_pipeline_invalid_flow: MULTI, EXEC and WATCH cannot be queued by hand", async () => {
    await using client = new Redis({ port: fixture.server.port });
    for (const transaction of MODES) {
      const pipeline = client.pipeline({ transaction }).set("ported:fubar", "1");
      assert.throws(() => pipeline.sendCommand(["MULTI"]), InvalidArgumentError);
      assert.throws(() => pipeline.sendCommand(["WATCH", "ported:test"]), InvalidArgumentError);
      assert.throws(() => pipeline.sendCommand(["EXEC"]), InvalidArgumentError);
      assert.deepEqual(await pipeline.exec(), ["OK"]);
    }
  });

  // test_pipeline_no_permission
  it("test_pipeline_no_permission: a user without MULTI gets AuthorizationError from a transaction", async () => {
    await using client = new Redis({ port: fixture.server.port, username: NO_MULTI_USER, password: NO_MULTI_PASSWORD });
    await runRequest(fixture.side, ["SET", "ported:perm", "value"]);
    await assert.rejects(client.pipeline({ transaction: true }).get("ported:perm").exec(), AuthorizationError);
    await assert.rejects(client.transaction((tx) => tx.multi().get("ported:perm"), { watches: ["ported:perm"] }), AuthorizationError);
    // Plain pipelines need no MULTI.
    assert.deepEqual(await client.pipeline().get("ported:perm").exec(), ["value"]);
  });

  it("test_pipeline_no_permission, continued: the refused transaction's commands do not run outside it", async () => {
    await using client = new Redis({ port: fixture.server.port, username: NO_MULTI_USER, password: NO_MULTI_PASSWORD });
    await runRequest(fixture.side, ["DEL", "ported:nomulti"]);
    await assert.rejects(client.pipeline({ transaction: true }).set("ported:nomulti", "ran").exec(), AuthorizationError);
    assert.equal(await runRequest(fixture.side, ["EXISTS", "ported:nomulti"]), 0, "the SET ran without MULTI");
  });

  // test_pipeline_no_transaction_watch
  it("test_pipeline_no_transaction_watch: read under WATCH, then write in MULTI", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("ported:w", "0");
    const result = await client.transaction(
      async (tx) => {
        const a = await tx.get("ported:w");
        return tx.multi().set("ported:w", String(Number(a) + 1));
      },
      { watches: ["ported:w"] },
    );
    assert.deepEqual(result, ["OK"]);
    assert.equal(await client.get("ported:w"), "1");
  });

  // test_pipeline_no_transaction_watch_failure
  it("test_pipeline_no_transaction_watch_failure: a write by the client meanwhile is a WatchError", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("ported:wf", "0");
    await assert.rejects(
      client.transaction(
        async (tx) => {
          const a = await tx.get("ported:wf");
          await client.set("ported:wf", "bad");
          return tx.multi().set("ported:wf", String(Number(a) + 1));
        },
        { watches: ["ported:wf"], retries: 0 },
      ),
      WatchError,
    );
    assert.equal(await client.get("ported:wf"), "bad");
  });

  // test_exec_error_in_response (and, 5.7, its explicit-transaction twin)
  for (const transaction of MODES) {
    it(`test_exec_error_in_response (transaction: ${transaction}): raiseOnError false puts the error in place, the others ran`, async () => {
      await using client = new Redis({ port: fixture.server.port });
      await client.set("ported:c", "a");
      await client.del(["ported:a", "ported:b", "ported:d"]);
      const results = await client
        .pipeline({ transaction })
        .set("ported:a", "1")
        .set("ported:b", "2")
        .lpush("ported:c", ["3"])
        .set("ported:d", "4")
        .exec({ raiseOnError: false });
      assert.equal(results[0], "OK");
      assert.equal(await client.get("ported:a"), "1");
      assert.equal(results[1], "OK");
      assert.equal(await client.get("ported:b"), "2");
      assert.ok(results[2] instanceof ResponseError);
      assert.equal(await client.get("ported:c"), "a");
      assert.equal(results[3], "OK", "the commands after the error still ran");
      assert.equal(await client.get("ported:d"), "4");
      // "make sure the pipe was restored to a working state"
      assert.deepEqual(await client.pipeline({ transaction }).set("ported:z", "zzz").exec(), ["OK"]);
      assert.equal(await client.get("ported:z"), "zzz");
    });
  }

  // test_exec_error_raised (and, 5.7, test_exec_error_raised_explicit_transaction)
  for (const transaction of MODES) {
    it(`test_exec_error_raised (transaction: ${transaction}): PipelineError, the WRONGTYPE in place, the last SET ran`, async () => {
      await using client = new Redis({ port: fixture.server.port });
      await client.set("ported:c", "a");
      await client.del(["ported:d"]);
      const error = await client
        .pipeline({ transaction })
        .set("ported:a", "1")
        .set("ported:b", "2")
        .lpush("ported:c", ["3"])
        .set("ported:d", "4")
        .exec()
        .then(
          () => assert.fail("exec resolved"),
          (e: unknown) => e,
        );
      assert.ok(error instanceof PipelineError);
      assert.deepEqual(error.results.slice(0, 2), ["OK", "OK"]);
      assert.ok(error.results[2] instanceof WrongTypeError);
      assert.match((error.results[2] as Error).message, /Operation against a key holding the wrong kind of value/);
      assert.equal(error.results[3], "OK");
      assert.equal(await client.get("ported:d"), "4");
      assert.deepEqual(await client.pipeline({ transaction }).set("ported:z", "zzz").exec(), ["OK"]);
    });
  }

  // test_parse_error_raised (and, 5.7, its explicit-transaction twin): ZREM without members.
  it("test_parse_error_raised: a command with too few arguments fails in place; in a transaction it aborts all", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["ported:pa", "ported:pb"]);
    // The typed zrem() wants at least one member: the bad command goes through sendCommand.
    const plain = await client.pipeline().set("ported:pa", "1").sendCommand(["ZREM", "ported:pz"]).set("ported:pb", "2").exec().then(
      () => assert.fail("exec resolved"),
      (e: unknown) => e,
    );
    assert.ok(plain instanceof PipelineError);
    assert.ok(plain.results[1] instanceof ResponseError);
    assert.deepEqual([plain.results[0], plain.results[2]], ["OK", "OK"]);

    await client.del(["ported:pa", "ported:pb"]);
    const aborted = await client
      .pipeline({ transaction: true })
      .set("ported:pa", "1")
      .sendCommand(["ZREM", "ported:pz"])
      .set("ported:pb", "2")
      .exec()
      .then(
        () => assert.fail("exec resolved"),
        (e: unknown) => e,
      );
    assert.ok(aborted instanceof ExecAbortError, String(aborted));
    assert.equal(aborted.errors[0], undefined);
    assert.ok(aborted.errors[1] instanceof ResponseError);
    assert.equal(aborted.errors[2], undefined);
    assert.equal(await client.exists(["ported:pa", "ported:pb"]), 0, "nothing of the aborted transaction ran");
    assert.deepEqual(await client.pipeline({ transaction: true }).set("ported:z", "zzz").exec(), ["OK"]);
  });

  // test_watch_succeed
  it("test_watch_succeed: two watched keys read unchanged, EXEC runs", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("ported:wa", "1");
    await client.set("ported:wb", "2");
    const result = await client.transaction(
      async (tx) => {
        assert.equal(await tx.get("ported:wa"), "1");
        assert.equal(await tx.get("ported:wb"), "2");
        return tx.multi().set("ported:wc", "3");
      },
      { watches: ["ported:wa", "ported:wb"], retries: 0 },
    );
    assert.deepEqual(result, ["OK"]);
  });

  // test_watch_failure
  it("test_watch_failure: one of two watched keys written meanwhile: WatchError", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("ported:fa", "1");
    await client.set("ported:fb", "2");
    await assert.rejects(
      client.transaction(
        async (tx) => {
          await client.set("ported:fb", "3");
          return tx.multi().get("ported:fa");
        },
        { watches: ["ported:fa", "ported:fb"], retries: 0 },
      ),
      WatchError,
    );
  });

  // test_unwatch: a transaction that queues nothing undoes its WATCH (UNWATCH) before its
  // connection is reused: a change to the key afterwards does not abort the next EXEC there.
  it("test_unwatch: after a transaction that queued nothing, the key's change does not abort the next EXEC", async () => {
    await using client = new Redis({ port: fixture.server.port, maxConnections: 1, poolTimeout: 2_000 });
    await client.set("ported:ua", "1");
    await client.set("ported:ub", "2");
    const nothingQueued = await client.transaction(
      async (tx) => {
        await tx.get("ported:ua");
      },
      { watches: ["ported:ua", "ported:ub"] },
    );
    assert.deepEqual(nothingQueued, []);
    await runRequest(fixture.side, ["SET", "ported:ub", "3"]);
    assert.deepEqual(await client.pipeline({ transaction: true }).get("ported:ua").exec(), ["1"]);
  });

  // test_transaction_callable
  it("test_transaction_callable: a run-once INCR of a watched key makes fn run again; c ends 4", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("ported:ta", "1");
    await client.set("ported:tb", "2");
    let hasRun = false;
    const result = await client.transaction(
      async (tx) => {
        const a = await tx.get("ported:ta");
        assert.ok(a === "1" || a === "2");
        const b = await tx.get("ported:tb");
        assert.equal(b, "2");
        if (!hasRun) {
          await client.incr("ported:ta");
          hasRun = true;
        }
        return tx.multi().set("ported:tc", String(Number(a) + Number(b)));
      },
      { watches: ["ported:ta", "ported:tb"] },
    );
    assert.deepEqual(result, ["OK"]);
    assert.equal(await client.get("ported:tc"), "4");
  });

  // test_exec_error_in_no_transaction_pipeline, and its _unicode_command twin
  for (const key of ["ported:llen", `${String.fromCharCode(11)}abcd${String.fromCharCode(23)}`]) {
    it(`test_exec_error_in_no_transaction_pipeline (key ${JSON.stringify(key)}): LLEN of a string fails, the value stays`, async () => {
      await using client = new Redis({ port: fixture.server.port });
      await client.set(key, "1");
      await assert.rejects(client.pipeline().llen(key).expire(key, 100).exec(), (error) => {
        assert.ok(error instanceof PipelineError);
        assert.ok(error.results[0] instanceof WrongTypeError);
        assert.equal(error.results[1], 1);
        return true;
      });
      assert.equal(await client.get(key), "1");
    });
  }

  // tests/cluster/test_pipeline.py test_pipeline_eval (its standalone part)
  for (const transaction of MODES) {
    it(`test_pipeline_eval (transaction: ${transaction}): EVAL's keys and arguments come back in order`, async () => {
      await using client = new Redis({ port: fixture.server.port });
      const [result] = await client
        .pipeline({ transaction })
        .eval("return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", ["A{foo}", "B{foo}"], ["first", "second"])
        .exec();
      assert.deepEqual(result, ["A{foo}", "B{foo}", "first", "second"]);
    });
  }
});

describe("TestPipelineConnectionRelease", () => {
  // test_pipeline_exit_no_exceptions / test_pipeline_exit_response_error
  for (const transaction of MODES) {
    it(`test_pipeline_exit_no_exceptions + _response_error (transaction: ${transaction}): the lease ends either way`, async () => {
      await using client = new Redis({ port: fixture.server.port });
      await client.set("ported:rel", "0");
      const stats = () => client.connectionPool.stats;
      const before = stats().dedicated;
      const pipeline = client.pipeline({ transaction }).get("ported:rel");
      assert.equal(stats().dedicated, before, "queuing leases nothing");
      assert.deepEqual(await pipeline.exec(), ["0"]);
      assert.equal(stats().dedicated, before);
      await assert.rejects(client.pipeline({ transaction }).llen("ported:rel").exec(), PipelineError);
      assert.equal(stats().dedicated, before);
    });
  }

  // test_pipeline_exit_body_error / test_pipeline_exit_watch_error
  it("test_pipeline_exit_body_error + _watch_error: the WATCH holds a lease while fn runs, given back after a throw or a WatchError", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("ported:body", "0");
    const stats = () => client.connectionPool.stats;
    const before = stats().dedicated;
    await assert.rejects(
      client.transaction(
        () => {
          assert.equal(stats().dedicated, before + 1);
          throw new Error("body error");
        },
        { watches: ["ported:body"] },
      ),
      /body error/,
    );
    assert.equal(stats().dedicated, before);
    await assert.rejects(
      client.transaction(
        async (tx) => {
          assert.equal(stats().dedicated, before + 1);
          await client.set("ported:body", "-1");
          return tx.multi().set("ported:body", "1");
        },
        { watches: ["ported:body"], retries: 0 },
      ),
      WatchError,
    );
    assert.equal(stats().dedicated, before);
  });

  // test_pipeline_conn_reuse
  it("test_pipeline_conn_reuse: with one connection, a failed pipeline gives it back for the next command", async () => {
    await using client = new Redis({ port: fixture.server.port, maxConnections: 1, poolTimeout: 1_000 });
    await client.set("ported:reuse", "0");
    await assert.rejects(client.pipeline({ transaction: true }).llen("ported:reuse").exec(), PipelineError);
    await assert.rejects(client.pipeline().llen("ported:reuse").exec(), PipelineError);
    assert.equal(await client.get("ported:reuse"), "0");
  });

  // test_pipeline_conn_clear
  it("test_pipeline_conn_clear: with one connection, fn throwing after WATCH leaves no WATCH behind", async () => {
    await using client = new Redis({ port: fixture.server.port, maxConnections: 1, poolTimeout: 1_000 });
    await client.set("ported:clear", "0");
    await assert.rejects(
      client.transaction(
        () => {
          throw new RangeError("body");
        },
        { watches: ["ported:clear"] },
      ),
      RangeError,
    );
    await client.set("ported:clear", "-1");
    assert.deepEqual(await client.pipeline({ transaction: true }).set("ported:clear", "1").exec(), ["OK"]);
    assert.equal(await client.get("ported:clear"), "1");
  });

  // test_outer_body_error_after_successful_watch: here fn is the whole body, so a throw after
  // queuing means nothing queued runs (coredis had already executed the watch block's batch).
  it("test_outer_body_error_after_successful_watch: fn throws after queuing: nothing runs, the lease ends", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("ported:outer", "0");
    const before = client.connectionPool.stats.dedicated;
    await assert.rejects(
      client.transaction(
        (tx) => {
          tx.multi().set("ported:outer", "1");
          throw new Error("after watch");
        },
        { watches: ["ported:outer"] },
      ),
      /after watch/,
    );
    assert.equal(client.connectionPool.stats.dedicated, before);
    assert.equal(await client.get("ported:outer"), "0");
  });
});

describe("after close()", () => {
  it("no connection of this file's clients is left at the server", async () => {
    await untilOnlySideConnected(fixture.side);
  });
});
