/**
 * `Pipeline` on a scripted `BatchRunner`: what it hands the runner (argv in order, MULTI … EXEC
 * framing, the keys for program order, whether the batch only reads) and how it reads the
 * outcome back (replies in place, `PipelineError`, `raiseOnError: false`, EXEC's array through
 * each command's transform, EXECABORT, WATCH's null, a lost connection). No server.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandSpecForArgv } from "../../../src/commands/generated/table.js";
import {
  ConnectionError,
  ExecAbortError,
  InvalidArgumentError,
  PipelineError,
  ResponseError,
  TimeoutError,
  WatchError,
  WrongTypeError,
} from "../../../src/errors.js";
import type { BatchCommand, BatchOutcome } from "../../../src/pipeline/batch.js";
import { type BatchRunner, Pipeline, PIPELINE_TRACKED_KEYS, pipelineKeys } from "../../../src/pipeline/pipeline.js";
import type { RedisArgument, RESPVersion } from "../../../src/protocol/values.js";

/** One call of the runner, as the pipeline made it. */
interface RunCall {
  readonly commands: readonly BatchCommand[];
  readonly keys: readonly RedisArgument[] | undefined;
  readonly readOnly: boolean;
}

/**
 * A runner that records each batch and answers it with `answer(commands)`: by default each
 * command's reply is its index (MULTI "OK", QUEUED …, EXEC the list of indexes for a transaction).
 */
class ScriptedRunner implements BatchRunner {
  readonly calls: RunCall[] = [];
  constructor(
    readonly answer: (commands: readonly BatchCommand[]) => Partial<BatchOutcome> = (commands) => ({
      replies: commands.map((_, index) => index),
    }),
    readonly protocolVersion: RESPVersion = 3,
  ) {}

  run(commands: readonly BatchCommand[], keys: readonly RedisArgument[] | undefined, readOnly: boolean): Promise<BatchOutcome> {
    this.calls.push({ commands, keys, readOnly });
    const outcome = this.answer(commands);
    return Promise.resolve({
      replies: outcome.replies ?? [],
      lost: outcome.lost,
      protocolVersion: outcome.protocolVersion ?? this.protocolVersion,
    });
  }

  get only(): RunCall {
    assert.equal(this.calls.length, 1, "the runner ran one batch");
    return this.calls[0]!;
  }
}

/** The replies of a MULTI … EXEC batch: OK, QUEUED per command, then `exec`. */
function transactionReplies(queued: number, exec: unknown, queuedReplies: readonly unknown[] = []): unknown[] {
  return ["OK", ...Array.from({ length: queued }, (_, i) => (i < queuedReplies.length ? queuedReplies[i] : "QUEUED")), exec];
}

const argvStrings = (command: BatchCommand): string[] => command.argv.map((a) => (Buffer.isBuffer(a) ? a.toString() : String(a)));

describe("queuing", () => {
  it("hands the runner every command in order, once, synchronously inside exec()", async () => {
    const runner = new ScriptedRunner();
    const pipeline = new Pipeline(runner, true).set("a", "1").incr("n").get("a");
    assert.equal(pipeline.length, 3);
    assert.equal(pipeline.isTransaction, false);
    const done = pipeline.exec();
    // Program order is taken before any await: the batch is with the runner already.
    assert.equal(runner.calls.length, 1);
    await done;
    assert.deepEqual(runner.only.commands.map(argvStrings), [["SET", "a", "1"], ["INCR", "n"], ["GET", "a"]]);
    assert.deepEqual(runner.only.keys, ["a", "n", "a"]);
    assert.equal(runner.only.readOnly, false);
  });

  it("a batch of reads only is read-only (the retry policy may send it again)", async () => {
    const runner = new ScriptedRunner();
    await new Pipeline(runner, true).get("a").mget(["b", "c"]).strlen("d").exec();
    assert.equal(runner.only.readOnly, true);
    assert.deepEqual(runner.only.keys, ["a", "b", "c", "d"]);
  });

  it("an unknown command (sendCommand) is neither read-only nor keyed: it may touch any key", async () => {
    const runner = new ScriptedRunner();
    await new Pipeline(runner, true).get("a").sendCommand(["NOSUCHCOMMAND", "x"]).exec();
    assert.equal(runner.only.readOnly, false);
    assert.equal(runner.only.keys, undefined);
  });

  it("each command's decoding follows the pipeline's, except binary replies (DUMP); blocking ones are marked", async () => {
    const runner = new ScriptedRunner();
    await new Pipeline(runner, true).get("a").dump("a").blpop(["q"], 1).exec();
    const [get, dump, blpop] = runner.only.commands;
    assert.equal(get?.decodeStrings, true);
    assert.equal(dump?.decodeStrings, false);
    assert.equal(blpop?.blocking, true);
    assert.equal(get?.blocking, false);
    const buffers = new ScriptedRunner();
    await new Pipeline<Buffer>(buffers, false).get("a").exec();
    assert.equal(buffers.only.commands[0]?.decodeStrings, false);
  });

  it("an empty pipeline resolves to [] without a batch; an empty transaction still sends MULTI, EXEC", async () => {
    const runner = new ScriptedRunner();
    assert.deepEqual(await new Pipeline(runner, true).exec(), []);
    assert.equal(runner.calls.length, 0);
    const tx = new ScriptedRunner(() => ({ replies: ["OK", []] }));
    assert.deepEqual(await new Pipeline(tx, true, { transaction: true }).exec(), []);
    assert.deepEqual(tx.only.commands.map(argvStrings), [["MULTI"], ["EXEC"]]);
  });

  it("a pipeline runs once: a second exec() rejects, a command queued after exec() throws at once", async () => {
    const runner = new ScriptedRunner();
    const pipeline = new Pipeline(runner, true).incr("n");
    assert.deepEqual(await pipeline.exec(), [0]);
    await assert.rejects(pipeline.exec(), InvalidArgumentError);
    await assert.rejects(pipeline.exec({ raiseOnError: false }), InvalidArgumentError);
    assert.throws(() => pipeline.incr("n"), InvalidArgumentError);
    assert.throws(() => pipeline.sendCommand(["PING"]), InvalidArgumentError);
    assert.equal(runner.calls.length, 1, "the batch was sent once");
    assert.equal(pipeline.length, 1);
  });

  it("a second exec() while the first is in flight rejects too, and sends nothing", async () => {
    let release: (() => void) | undefined;
    const runner: BatchRunner & { runs: number } = {
      runs: 0,
      run(commands) {
        this.runs++;
        return new Promise((resolve) => {
          release = () => resolve({ replies: commands.map(() => 1), lost: undefined, protocolVersion: 3 });
        });
      },
    };
    const pipeline = new Pipeline(runner, true).incr("n");
    const first = pipeline.exec();
    await assert.rejects(pipeline.exec(), InvalidArgumentError);
    release?.();
    assert.deepEqual(await first, [1]);
    assert.equal(runner.runs, 1);
  });
});

describe("sendCommand", () => {
  it("refuses connection-state commands synchronously, whatever their case", () => {
    const pipeline = new Pipeline(new ScriptedRunner(), true);
    for (const argv of [["SELECT", "1"], ["multi"], ["Exec"], ["DISCARD"], ["WATCH", "k"], ["unwatch"], ["SUBSCRIBE", "c"], ["psubscribe", "p*"], ["CLIENT", "REPLY", "OFF"], ["client", "tracking", "on"], ["HELLO", "3"], ["AUTH", "x"], ["RESET"], ["QUIT"], ["MONITOR"]]) {
      assert.throws(() => pipeline.sendCommand(argv), InvalidArgumentError, argv.join(" "));
    }
    assert.throws(() => pipeline.sendCommand([]), InvalidArgumentError);
    assert.equal(pipeline.length, 0, "nothing refused was queued");
  });

  it("refuses them in a transaction pipeline too, and a Buffer command name is read the same", () => {
    const pipeline = new Pipeline(new ScriptedRunner(), true, { transaction: true });
    assert.throws(() => pipeline.sendCommand([Buffer.from("MULTI")]), InvalidArgumentError);
    assert.throws(() => pipeline.sendCommand([Buffer.from("select"), "2"]), InvalidArgumentError);
  });

  it("queues anything else, DEBUG and other CLIENT subcommands included, untransformed", async () => {
    const runner = new ScriptedRunner((commands) => ({ replies: commands.map(() => "raw") }));
    const results = await new Pipeline(runner, true).sendCommand(["DEBUG", "SLEEP", "0"]).sendCommand(["CLIENT", "ID"]).exec();
    assert.deepEqual(results, ["raw", "raw"]);
    assert.deepEqual(runner.only.commands.map(argvStrings), [["DEBUG", "SLEEP", "0"], ["CLIENT", "ID"]]);
    assert.equal(runner.only.commands[0]?.transform, undefined);
  });
});

describe("replies of a plain pipeline", () => {
  it("an error reply rejects with PipelineError holding every result in place, the first error as cause", async () => {
    const wrongType = new WrongTypeError("WRONGTYPE Operation against a key holding the wrong kind of value");
    const other = new ResponseError("ERR value is not an integer or out of range");
    const runner = new ScriptedRunner(() => ({ replies: ["OK", wrongType, 7, other] }));
    const error = await new Pipeline(runner, true).set("a", "1").lpush("a", ["x"]).incr("n").incr("a").exec().then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof PipelineError);
    assert.deepEqual(error.results, ["OK", wrongType, 7, other]);
    assert.equal(error.results[1], wrongType);
    assert.equal(error.cause, wrongType);
    assert.match(error.message, /2 of 4 commands/);
    assert.match(error.message, /WRONGTYPE/);
  });

  it("raiseOnError: false resolves to the same array, errors in place", async () => {
    const wrongType = new WrongTypeError("WRONGTYPE Operation against a key holding the wrong kind of value");
    const runner = new ScriptedRunner(() => ({ replies: ["OK", wrongType, 7] }));
    const results = await new Pipeline(runner, true).set("a", "1").lpush("a", ["x"]).incr("n").exec({ raiseOnError: false });
    assert.deepEqual(results, ["OK", wrongType, 7]);
    assert.ok(results[1] instanceof WrongTypeError);
  });

  it("a batch lost after its write rejects with a ConnectionError (written) saying how far it got", async () => {
    const cause = new ConnectionError("127.0.0.1:6379 closed the connection", { written: true });
    const runner = new ScriptedRunner(() => ({ replies: ["OK"], lost: { error: cause, written: true, answered: 1 } }));
    const error = await new Pipeline(runner, true).set("a", "1").incr("n").incr("m").exec().then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.written, true);
    assert.equal(error.retryable, false);
    assert.equal(error.cause, cause);
    assert.match(error.message, /1 of 3 replies/);
    assert.match(error.message, /may or may not have run/);
  });

  it("a batch lost before any write rejects with a ConnectionError that is not written", async () => {
    const cause = new ConnectionError("connection to 127.0.0.1:6379 is not open", { written: false });
    const runner = new ScriptedRunner(() => ({ replies: [], lost: { error: cause, written: false, answered: 0 } }));
    const error = await new Pipeline(runner, true).incr("n").exec({ raiseOnError: false }).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.written, false);
    assert.match(error.message, /never sent/);
  });

  it("a batch lost to another failure (a reply timeout) rejects with that error as it is", async () => {
    const timeout = new TimeoutError("no reply within 10 ms", "reply");
    const runner = new ScriptedRunner(() => ({ replies: [], lost: { error: timeout, written: true, answered: 0 } }));
    await assert.rejects(new Pipeline(runner, true).get("a").exec(), (error) => error === timeout);
  });
});

describe("replies of a transaction", () => {
  it("frames the commands with MULTI … EXEC, untransformed on the wire, and reads EXEC's array through each transform", async () => {
    const runner = new ScriptedRunner(
      (commands) => ({ replies: transactionReplies(commands.length - 2, ["OK", 3, ["f", "v", "g", "w"], "1"]) }),
      2,
    );
    const pipeline = new Pipeline(runner, true, { transaction: true });
    assert.equal(pipeline.isTransaction, true);
    const results = await pipeline.set("a", "1").incr("n").hgetall("h").get("a").exec();
    const [ok, n, hash, value] = results;
    assert.deepEqual([ok, n, { ...hash }, value], ["OK", 3, { f: "v", g: "w" }, "1"]);
    const commands = runner.only.commands;
    assert.deepEqual(commands.map(argvStrings), [["MULTI"], ["SET", "a", "1"], ["INCR", "n"], ["HGETALL", "h"], ["GET", "a"], ["EXEC"]]);
    assert.ok(commands.slice(0, -1).every((command) => command.transform === undefined && !command.blocking));
    assert.deepEqual(runner.only.keys, ["a", "n", "h", "a"], "the keys are the queued commands', not MULTI's");
  });

  it("an error inside EXEC's array stays in place, named after its command", async () => {
    const wrongType = new WrongTypeError("WRONGTYPE Operation against a key holding the wrong kind of value");
    const runner = new ScriptedRunner(() => ({ replies: transactionReplies(3, ["OK", wrongType, 1]) }));
    const pipeline = new Pipeline(runner, true, { transaction: true }).set("a", "1").lpush("a", ["x"]).incr("n");
    const results = await pipeline.exec({ raiseOnError: false });
    assert.deepEqual(results, ["OK", wrongType, 1]);
    assert.equal(wrongType.command, "LPUSH");
    const raising = new Pipeline(new ScriptedRunner(() => ({ replies: transactionReplies(2, [wrongType, 1]) })), true, { transaction: true });
    await assert.rejects(raising.lpush("a", ["x"]).incr("n").exec(), (error) => error instanceof PipelineError && error.results[0] === wrongType);
  });

  it("a transform that cannot read its reply gives a ResponseError in its place", async () => {
    const runner = new ScriptedRunner(() => ({ replies: transactionReplies(2, [Symbol("unreadable"), 1]) }));
    const results = await new Pipeline(runner, true, { transaction: true }).hgetall("h").incr("n").exec({ raiseOnError: false });
    assert.ok(results[0] instanceof ResponseError, String(results[0]));
    assert.equal(results[1], 1);
  });

  it("EXECABORT: ExecAbortError with each command's queue-time error in place, whatever raiseOnError says", async () => {
    const queueError = new ResponseError("ERR wrong number of arguments for 'set' command");
    const abort = new ExecAbortError("EXECABORT Transaction discarded because of previous errors.");
    for (const raiseOnError of [true, false]) {
      const runner = new ScriptedRunner(() => ({ replies: transactionReplies(3, abort, ["QUEUED", queueError, "QUEUED"]) }));
      const pipeline = new Pipeline(runner, true, { transaction: true }).incr("a").sendCommand(["SET", "onlykey"]).incr("b");
      const error = await pipeline.exec({ raiseOnError }).then(
        () => assert.fail("resolved"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ExecAbortError, String(error));
      assert.deepEqual(error.errors, [undefined, queueError, undefined]);
      assert.equal(error.command, "EXEC");
      assert.equal(error.cause, abort);
    }
  });

  it("EXEC's null (a watched key changed) is a WatchError", async () => {
    const runner = new ScriptedRunner(() => ({ replies: transactionReplies(1, null) }));
    await assert.rejects(new Pipeline(runner, true, { transaction: true }).incr("n").exec(), WatchError);
  });

  it("an EXEC array of the wrong length is a ResponseError, not a misaligned tuple", async () => {
    const runner = new ScriptedRunner(() => ({ replies: transactionReplies(2, [1]) }));
    await assert.rejects(new Pipeline(runner, true, { transaction: true }).incr("n").incr("m").exec(), (error) => {
      assert.ok(error instanceof ResponseError && !(error instanceof ExecAbortError));
      assert.match(error.message, /1 replies for 2 commands/);
      return true;
    });
  });

  it("MULTI refused (NOPERM): the transaction rejects with that error", async () => {
    const refused = new ResponseError("NOPERM this user has no permissions to run the 'multi' command");
    const runner = new ScriptedRunner(() => ({ replies: [refused, 1, new ResponseError("ERR EXEC without MULTI")] }));
    await assert.rejects(new Pipeline(runner, true, { transaction: true }).incr("n").exec(), (error) => error === refused);
  });

  it("a transaction lost with its connection rejects like a plain batch, never as a WatchError", async () => {
    const cause = new ConnectionError("closed", { written: true });
    const runner = new ScriptedRunner(() => ({ replies: ["OK", "QUEUED"], lost: { error: cause, written: true, answered: 2 } }));
    await assert.rejects(new Pipeline(runner, true, { transaction: true }).incr("n").exec(), (error) => {
      assert.ok(error instanceof ConnectionError && error.written);
      assert.match(error.message, /2 of 3 replies/);
      return true;
    });
  });
});

describe("pipelineKeys", () => {
  const queued = (...argvs: RedisArgument[][]) => argvs.map((argv) => ({ spec: commandSpecForArgv(argv), argv, blocking: false }));

  it("collects the keys of every command, keyless commands adding none", () => {
    assert.deepEqual(pipelineKeys(queued(["SET", "a", "1"], ["PING"], ["MSET", "b", "1", "c", "2"], ["GET", "a"])), ["a", "b", "c", "a"]);
    assert.deepEqual(pipelineKeys(queued(["PING"], ["TIME"])), []);
  });

  it("a command that may touch any key (FLUSHALL), or an unknown one, makes the batch unkeyed", () => {
    assert.equal(pipelineKeys(queued(["GET", "a"], ["FLUSHALL"])), undefined);
    assert.equal(pipelineKeys(queued(["GET", "a"], ["NOSUCHCOMMAND", "a"])), undefined);
  });

  it(`past ${PIPELINE_TRACKED_KEYS} keys the batch is unkeyed (ordered like a command on any key)`, () => {
    const many = Array.from({ length: PIPELINE_TRACKED_KEYS }, (_, i): RedisArgument[] => ["GET", `k${i}`]);
    assert.equal(pipelineKeys(queued(...many))?.length, PIPELINE_TRACKED_KEYS);
    assert.equal(pipelineKeys(queued(...many, ["GET", "one-more"])), undefined);
  });
});
