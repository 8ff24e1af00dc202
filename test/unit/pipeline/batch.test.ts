/**
 * `sendBatch` (chunks of BATCH_CHUNK, at most BATCH_WINDOW unanswered, replies in place, a lost
 * connection ends the batch) and `LeasedBatchRunner` (one lease per batch, in program order,
 * re-sent only when the retry policy allows) on a scripted connection: the test decides when each
 * request is written, answered or lost. No server.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultRetryPolicy } from "../../../src/client/retry.js";
import type { BaseConnection } from "../../../src/connection/base-connection.js";
import { type Request, RequestState } from "../../../src/connection/request.js";
import { ConnectionError, ProtocolError, type RedisError, ResponseError, WrongTypeError } from "../../../src/errors.js";
import { BATCH_CHUNK, BATCH_WINDOW, type BatchCommand, type BatchOutcome, sendBatch } from "../../../src/pipeline/batch.js";
import type { BatchTurn, OrderedLease, PipelineHost } from "../../../src/pipeline/host.js";
import { LeasedBatchRunner } from "../../../src/pipeline/pipeline.js";
import type { LeaseOptions } from "../../../src/pool/target.js";
import type { RedisArgument, ReplyTransform, RESPValue } from "../../../src/protocol/values.js";

/**
 * The part of a connection `sendBatch` uses: `send` and `protocolVersion`. Requests stay where the
 * test puts them; `closed` makes `send` fail each request as never written, as a closed
 * connection does.
 */
class ScriptedConnection {
  readonly sent: Request[] = [];
  /** Requests sent and neither answered nor failed yet. */
  readonly outstanding = new Set<Request>();
  closed = false;
  /** Answer each request as it is sent, with this reply. */
  autoAnswer: RESPValue | undefined = undefined;
  /** The most requests outstanding at once. */
  maxOutstanding = 0;
  readonly protocolVersion = 3 as const;

  constructor(readonly name = "scripted") {}

  get isClosed(): boolean {
    return this.closed;
  }

  send(request: Request): void {
    if (this.closed) {
      request.fail(new ConnectionError(`connection ${this.name} is not open`, { written: false }));
      return;
    }
    request.state = RequestState.Written;
    this.sent.push(request);
    this.outstanding.add(request);
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding.size);
    if (this.autoAnswer !== undefined) this.answer(1, () => this.autoAnswer ?? null);
  }

  /** Answers the oldest `count` outstanding requests, each with `reply(request)`. */
  answer(count: number, reply: (request: Request) => RESPValue = () => "OK"): void {
    for (const request of [...this.outstanding].slice(0, count)) {
      this.outstanding.delete(request);
      request.complete(reply(request), this.protocolVersion);
    }
  }

  /** The connection drops: every outstanding request fails as written, and nothing more is accepted. */
  drop(): void {
    this.closed = true;
    for (const request of this.outstanding) request.fail(new ConnectionError(`${this.name} closed the connection`, { written: true }));
    this.outstanding.clear();
  }

  asConnection(): BaseConnection {
    return this as unknown as BaseConnection;
  }
}

const command = (argv: readonly RedisArgument[], transform?: ReplyTransform<unknown>): BatchCommand => ({
  argv,
  transform,
  decodeStrings: true,
  blocking: false,
});

const incrs = (count: number): BatchCommand[] => Array.from({ length: count }, (_, i) => command(["INCR", `n${i}`]));

/** Lets the batch's continuations run (it resumes on promise jobs only). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("sendBatch", () => {
  it("a reply its transform cannot read is a ResponseError in its place, not a lost connection", async () => {
    const connection = new ScriptedConnection();
    const unreadable = command(["HGETALL", "h"], () => {
      throw new ProtocolError("unexpected reply: a map sent as an array of odd length");
    });
    const outcome = sendBatch(connection.asConnection(), [unreadable, command(["GET", "k"])]);
    connection.answer(2, () => ["a"]);
    const { replies, lost } = await outcome;
    assert.equal(lost, undefined);
    assert.ok(replies[0] instanceof ResponseError && /could not be read/.test(replies[0].message), String(replies[0]));
    assert.deepEqual(replies[1], ["a"]);
  });

  it("a batch of one chunk is sent at once, and resolves to the replies in place", async () => {
    const connection = new ScriptedConnection();
    const outcome = sendBatch(connection.asConnection(), incrs(BATCH_CHUNK));
    assert.equal(connection.sent.length, BATCH_CHUNK, "sent synchronously");
    connection.answer(BATCH_CHUNK, (request) => Number(String(request.argv[1]).slice(1)));
    const { replies, lost, protocolVersion } = await outcome;
    assert.equal(lost, undefined);
    assert.equal(protocolVersion, 3);
    assert.deepEqual(replies, Array.from({ length: BATCH_CHUNK }, (_, i) => i));
  });

  /** Answers `connection` in steps of `step` until `total` were answered, checking the bound after each. */
  async function answerAll(connection: ScriptedConnection, total: number, step: number, bound: number): Promise<void> {
    let answered = connection.sent.length - connection.outstanding.size;
    while (answered < total) {
      const count = Math.min(step, connection.outstanding.size);
      assert.ok(count > 0, `the batch stalled with ${answered} of ${total} answered`);
      connection.answer(count, (request) => String(request.argv[1]));
      answered += count;
      await settle();
      assert.ok(connection.outstanding.size <= bound, `${connection.outstanding.size} unanswered`);
    }
  }

  it(`writes on in chunks of ${BATCH_CHUNK} as replies come, each command once, replies in place`, async () => {
    const connection = new ScriptedConnection();
    const total = 3 * BATCH_WINDOW + 17;
    const outcome = sendBatch(connection.asConnection(), incrs(total));
    assert.equal(connection.sent.length, BATCH_WINDOW, "the first window goes at once");
    connection.answer(BATCH_CHUNK - 1);
    await settle();
    assert.equal(connection.sent.length, BATCH_WINDOW, "no chunk before a chunk's worth of replies");
    connection.answer(1);
    await settle();
    assert.equal(connection.sent.length, BATCH_WINDOW + BATCH_CHUNK, "one chunk more once a chunk was answered");
    // Memory stays bounded by a window and a chunk, whatever the size of the batch.
    await answerAll(connection, total, 777, BATCH_WINDOW + BATCH_CHUNK);
    const { replies, lost } = await outcome;
    assert.equal(lost, undefined);
    assert.equal(connection.sent.length, total, "each command written once");
    assert.equal(replies.length, total);
    assert.equal(replies[total - 1], `n${total - 1}`);
    assert.equal(replies[BATCH_CHUNK + 5], `n${BATCH_CHUNK + 5}`);
  });

  it("error replies, and replies a transform cannot read, are ResponseErrors in place; the others go through their transform", async () => {
    const connection = new ScriptedConnection();
    const wrongType = new WrongTypeError("WRONGTYPE Operation against a key holding the wrong kind of value");
    const doubled: ReplyTransform<unknown> = (reply, context) => {
      assert.deepEqual(context, { protocolVersion: 3, decodeStrings: true });
      if (typeof reply !== "number") throw new TypeError("not a number");
      return reply * 2;
    };
    const outcome = sendBatch(connection.asConnection(), [
      command(["INCR", "a"], doubled),
      command(["LPUSH", "s", "x"]),
      command(["INCR", "b"], doubled),
      command(["INCR", "c"]),
    ]);
    const replies: RESPValue[] = [21, wrongType, "not a number either", 4];
    let index = 0;
    connection.answer(4, () => replies[index++] ?? null);
    const { replies: results, lost } = await outcome;
    assert.equal(lost, undefined, "a reply error is not a lost connection");
    assert.equal(results[0], 42);
    assert.equal(results[1], wrongType);
    assert.equal(wrongType.command, "LPUSH");
    assert.ok(results[2] instanceof ResponseError);
    assert.match(results[2].message, /could not be read/);
    assert.equal(results[3], 4);
  });

  it("a connection lost after the write ends the batch: written, with the count answered, and nothing more is written", async () => {
    const connection = new ScriptedConnection();
    const total = BATCH_WINDOW + 3 * BATCH_CHUNK;
    const outcome = sendBatch(connection.asConnection(), incrs(total));
    connection.answer(10, () => 1);
    connection.drop();
    const { replies, lost } = await outcome;
    assert.ok(lost !== undefined);
    assert.equal(lost.written, true);
    assert.equal(lost.answered, 10);
    assert.ok(lost.error instanceof ConnectionError);
    assert.equal(connection.sent.length, BATCH_WINDOW, "no chunk after the loss");
    assert.deepEqual(replies.slice(0, 10), Array.from({ length: 10 }, () => 1));
    assert.equal(replies[10], undefined, "holes where lost");
  });

  it("a connection closed before the write: lost, not written, after one attempt", async () => {
    const connection = new ScriptedConnection();
    connection.closed = true;
    const { lost, replies } = await sendBatch(connection.asConnection(), incrs(5000));
    assert.ok(lost !== undefined);
    assert.equal(lost.written, false);
    assert.equal(lost.answered, 0);
    assert.equal(lost.error instanceof ConnectionError && lost.error.retryable, true);
    assert.equal(replies.filter((reply) => reply !== undefined).length, 0);
  });
});

/** A host whose every lease is on the next connection of `connections`, with the default retry policy. */
class ScriptedHost implements PipelineHost {
  /** Batches always take a lease here: the shared path is the client's (tested against real servers). */
  async takeTurn(keys: readonly RedisArgument[] | undefined, _shareable: unknown, options: LeaseOptions): Promise<BatchTurn> {
    return { lease: await this.leaseInOrder(keys, true, options) };
  }

  readonly leases: { keys: readonly RedisArgument[] | undefined; holdOrder: boolean; options: LeaseOptions }[] = [];
  released = 0;
  renewed = 0;
  readonly retryAsks: { error: RedisError; attempts: number; readOnly: boolean }[] = [];
  #next = 0;

  constructor(readonly connections: readonly ScriptedConnection[]) {}

  /** One server: batches are never split, nothing is redirected. */
  readonly routed = false;
  locate(): string {
    return "";
  }
  redirect(): undefined {
    return undefined;
  }

  #take(): BaseConnection {
    const connection = this.connections[this.#next++];
    if (connection === undefined) throw new Error("no connection left");
    return connection.asConnection();
  }

  leaseInOrder(keys: readonly RedisArgument[] | undefined, holdOrder: boolean, options: LeaseOptions): Promise<OrderedLease> {
    this.leases.push({ keys, holdOrder, options });
    let connection = this.#take();
    return Promise.resolve({
      get connection() {
        return connection;
      },
      renew: () => {
        this.renewed++;
        connection = this.#take();
        return Promise.resolve(connection);
      },
      release: () => {
        this.released++;
      },
      destroy: () => {
        this.released++;
      },
    });
  }

  retryDelayMs(error: RedisError, attempts: number, readOnly: boolean): number | undefined {
    this.retryAsks.push({ error, attempts, readOnly });
    return defaultRetryPolicy.retryDelayMs(error, attempts, { command: "PIPELINE", readOnly }) === undefined ? undefined : 0;
  }
}

/** Runs `commands` through a LeasedBatchRunner, answering each connection with `script` as it gets requests. */
async function runLeased(
  host: ScriptedHost,
  commands: readonly BatchCommand[],
  readOnly: boolean,
  script: (connection: ScriptedConnection, index: number) => void,
): Promise<BatchOutcome> {
  const runner = new LeasedBatchRunner(host, { timeoutMs: 50 });
  const running = runner.run(commands, ["k"], readOnly);
  for (let index = 0; index < host.connections.length; index++) {
    const connection = host.connections[index]!;
    // Wait until the runner uses this connection (or is done).
    let done = false;
    void running.finally(() => (done = true));
    while (!done && connection.sent.length === 0 && !connection.closed) await settle();
    if (done) break;
    script(connection, index);
  }
  return running;
}

describe("LeasedBatchRunner", () => {
  it("leases in program order with the batch's keys, holding its place until the lease ends, and releases once", async () => {
    const host = new ScriptedHost([new ScriptedConnection()]);
    const outcome = await runLeased(host, incrs(3), false, (connection) => connection.answer(3, () => 1));
    assert.equal(outcome.lost, undefined);
    assert.deepEqual(host.leases, [{ keys: ["k"], holdOrder: true, options: { timeoutMs: 50 } }]);
    assert.equal(host.released, 1);
    assert.equal(host.renewed, 0);
  });

  it("a write batch lost after its write is not sent again", async () => {
    const first = new ScriptedConnection("first");
    const second = new ScriptedConnection("second");
    const host = new ScriptedHost([first, second]);
    const outcome = await runLeased(host, incrs(3), false, (connection) => {
      connection.answer(1, () => 1);
      connection.drop();
    });
    assert.equal(outcome.lost?.written, true);
    assert.equal(second.sent.length, 0, "never re-sent");
    assert.equal(host.renewed, 0);
    assert.equal(host.released, 1);
  });

  it("a batch that was never written is sent again on a renewed connection, keeping the lease", async () => {
    const first = new ScriptedConnection("first");
    first.closed = true;
    const second = new ScriptedConnection("second");
    const host = new ScriptedHost([first, second]);
    const outcome = await runLeased(host, incrs(3), false, (connection, index) => {
      if (index === 1) connection.answer(3, () => 7);
    });
    assert.equal(outcome.lost, undefined);
    assert.deepEqual(outcome.replies, [7, 7, 7]);
    assert.equal(host.renewed, 1);
    assert.equal(host.leases.length, 1, "one place in the order for both attempts");
    assert.equal(host.released, 1);
  });

  it("a read-only batch lost after its write is sent again (the default policy repeats reads)", async () => {
    const first = new ScriptedConnection("first");
    const second = new ScriptedConnection("second");
    const host = new ScriptedHost([first, second]);
    const reads = [command(["GET", "a"]), command(["GET", "b"])];
    const outcome = await runLeased(host, reads, true, (connection, index) => {
      if (index === 0) connection.drop();
      else connection.answer(2, (request) => `v-${String(request.argv[1])}`);
    });
    assert.equal(outcome.lost, undefined);
    assert.deepEqual(outcome.replies, ["v-a", "v-b"]);
    assert.equal(host.retryAsks[0]?.readOnly, true);
  });

  it("a batch whose first window was answered is never sent again, even if the rest was lost unwritten", async () => {
    const first = new ScriptedConnection("first");
    const second = new ScriptedConnection("second");
    second.autoAnswer = 1;
    const host = new ScriptedHost([first, second]);
    const total = BATCH_WINDOW + BATCH_CHUNK;
    const outcome = await runLeased(host, incrs(total), false, (connection, index) => {
      if (index === 0) {
        // The whole first window is answered (it ran); the connection closes before the next chunk is written.
        connection.answer(BATCH_WINDOW, () => 1);
        connection.closed = true;
      }
    });
    const ranTwice = second.sent.filter((request) => first.sent.some((earlier) => earlier.argv[1] === request.argv[1])).length;
    assert.equal(ranTwice, 0, `${ranTwice} answered INCRs were sent again (lost: ${JSON.stringify(outcome.lost?.written)})`);
  });
});
