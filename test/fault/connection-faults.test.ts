/**
 * What a connection does with a server that misbehaves: malformed frames, hostile lengths,
 * a close mid-reply, a stall. Fake servers play the server: a real one cannot misbehave so.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { TCPConnection } from "../../src/connection/tcp-connection.js";
import { TCPLocation } from "../../src/connection/location.js";
import { ConnectionError, ProtocolError, RedisError, TimeoutError } from "../../src/errors.js";
import { destroyMidReply, replyToCommands, resp, startFakeServer, type FakeServer, type CommandReplier } from "../harness/fake-server.js";
import { runRequest } from "../harness/run-request.js";

let fake: FakeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function connectTo(replier: CommandReplier, options: { streamTimeout?: number; maxReplyBytes?: number; protocolVersion?: 2 | 3 } = {}): Promise<TCPConnection> {
  fake = await startFakeServer(replyToCommands(replier));
  const connection = new TCPConnection({ location: new TCPLocation(fake.host, fake.port), ...options });
  await connection.connect();
  return connection;
}

/** Sends `count` ECHOs and returns their settled outcomes. */
async function echoes(connection: TCPConnection, count: number): Promise<PromiseSettledResult<unknown>[]> {
  return Promise.allSettled(Array.from({ length: count }, (_, i) => runRequest(connection, ["ECHO", `m${i}`])));
}

describe("a malformed frame", () => {
  for (const [label, bytes] of [
    ["an unknown type byte", "?what\r\n"],
    ["a bad integer", ":12x\r\n"],
    ["a bad bulk length", "$abc\r\n"],
    ["a negative aggregate length", "*-7\r\n"],
    ["a bulk string without its CRLF", "$3\r\nabcXY"],
    ["a bad boolean", "#x\r\n"],
    ["a bare LF inside a simple string", "+OK\nstill\r\n"],
    ["a bare LF inside an error string", "-ERR x\ny\r\n"],
  ] as const) {
    // The timeout turns a frame wrongly accepted (the other requests then wait for replies the
    // fake server never sends) into a failure rather than a hang.
    it(`(${label}) fails every waiting request with a typed error and closes the connection`, { timeout: 10_000 }, async () => {
      const connection = await connectTo((argv) => (argv[0] !== "ECHO" ? undefined : argv[1] === "m0" ? bytes : null));
      const outcomes = await echoes(connection, 5);
      assert.equal(outcomes.length, 5);
      for (const outcome of outcomes) {
        assert.equal(outcome.status, "rejected");
        assert.ok(outcome.reason instanceof RedisError, String(outcome.reason));
      }
      assert.ok((outcomes[0] as PromiseRejectedResult).reason instanceof ProtocolError);
      assert.equal(connection.isClosed, true);
      // Nothing more can be sent, and what is sent fails as unwritten (safe to retry elsewhere).
      await assert.rejects(runRequest(connection, ["PING"]), (error: unknown) => error instanceof ConnectionError && error.retryable);
    });
  }
});

describe("hostile lengths", () => {
  it("a declared bulk length of 2^31-1 beyond maxReplyBytes fails at once without allocating", async () => {
    const before = process.memoryUsage().arrayBuffers;
    const connection = await connectTo((argv) => (argv[0] === "GET" ? "$2147483647\r\nabc" : undefined), { maxReplyBytes: 1024 * 1024 });
    await assert.rejects(runRequest(connection, ["GET", "k"]), (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.match(error.message, /2147483647|limit|maxReplyBytes|large/i);
      return true;
    });
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
    assert.equal(connection.isClosed, true);
  });

  it("a reply larger than maxReplyBytes in total (many small parts) is refused", async () => {
    const parts = Array.from({ length: 2000 }, () => resp.bulk("x".repeat(100)));
    const connection = await connectTo((argv) => (argv[0] === "LRANGE" ? resp.array(parts) : undefined), { maxReplyBytes: 64 * 1024 });
    await assert.rejects(runRequest(connection, ["LRANGE", "k", "0", "-1"]), ProtocolError);
  });

  it("an aggregate nested 100 000 deep neither overflows the stack nor hangs", async () => {
    const deep = "*1\r\n".repeat(100_000) + ":1\r\n";
    const connection = await connectTo((argv) => (argv[0] === "GET" ? deep : undefined));
    // The default depth limit refuses it cleanly.
    await assert.rejects(runRequest(connection, ["GET", "k"]), ProtocolError);
  });
});

describe("the server closing mid-reply", () => {
  it("fails every waiting request with ConnectionError", async () => {
    const connection = await connectTo((argv, ctx) => {
      if (argv[1] === "m0") {
        destroyMidReply(ctx.socket, resp.bulk("m0-but-cut-short"), 6);
        return null;
      }
      return undefined;
    });
    const outcomes = await echoes(connection, 10);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, "rejected");
      assert.ok((outcome).reason instanceof ConnectionError);
      // The written requests may have reached Redis: they are not marked safe to retry.
      assert.equal(((outcome).reason).retryable, false);
    }
    assert.equal(connection.isClosed, true);
  });
});

describe("a stalled server", () => {
  it("fails the waiting requests with TimeoutError after streamTimeout and discards the connection", async () => {
    let release: (() => void) | undefined;
    const connection = await connectTo(
      (argv) => {
        if (argv[1] !== "m0") return undefined;
        // Answer only long after the deadline: this late reply must reach nobody.
        return new Promise((resolve) => (release = () => resolve(resp.bulk("m0"))));
      },
      { streamTimeout: 100 },
    );
    const started = performance.now();
    const outcomes = await echoes(connection, 3);
    const elapsed = performance.now() - started;
    for (const outcome of outcomes) {
      assert.equal(outcome.status, "rejected");
      const reason = (outcome).reason as TimeoutError;
      assert.ok(reason instanceof TimeoutError);
      assert.equal(reason.phase, "reply");
    }
    assert.ok(elapsed >= 90 && elapsed < 2000, `timed out after ${elapsed} ms`);
    assert.equal(connection.isClosed, true);
    release?.();
    await assert.rejects(runRequest(connection, ["ECHO", "later"]), ConnectionError);
  });

  it("does not time out a blocking request that waits on purpose", async () => {
    let answer: (() => void) | undefined;
    const connection = await connectTo(
      (argv) => (argv[0] === "BLPOP" ? new Promise((resolve) => (answer = () => resolve(resp.array([resp.bulk("q"), resp.bulk("v")])))) : undefined),
      { streamTimeout: 50 },
    );
    const { Request } = await import("../../src/connection/request.js");
    const reply = new Promise((resolve) => connection.send(new Request(["BLPOP", "q", "0"], true, undefined, resolve, true)));
    // Three stream timeouts pass; the blocking request is still waiting, the connection still open.
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(connection.isClosed, false);
    answer?.();
    assert.deepEqual(await reply, ["q", "v"]);
    await connection.close();
  });
});

describe("push frames", () => {
  it("go to the push handler, never to a waiting request", async () => {
    const connection = await connectTo((argv) =>
      argv[0] === "GET" ? Buffer.concat([resp.push([resp.bulk("invalidate"), resp.array([resp.bulk("k")])]), resp.bulk("value")]) : undefined,
    );
    const pushes: unknown[] = [];
    connection.addPushListener((message) => pushes.push(message));
    assert.equal(await runRequest(connection, ["GET", "k"]), "value");
    assert.deepEqual(pushes, [["invalidate", ["k"]]]);
    await connection.close();
  });
});

describe("RESP2 fallback", () => {
  it("falls back to RESP2 when the server refuses HELLO", async () => {
    const connection = await connectTo((argv) => (argv[0] === "HELLO" ? resp.error("ERR unknown command 'HELLO'") : undefined));
    assert.equal(connection.protocolVersion, 2);
    assert.equal(await runRequest(connection, ["PING"]), "PONG");
    await connection.close();
  });
});

describe("write coalescing", () => {
  it("sends the requests issued in one event-loop turn in one socket write", async () => {
    let chunks = 0;
    const answer = replyToCommands(() => undefined);
    fake = await startFakeServer((socket, ctx) => {
      socket.on("data", () => chunks++);
      return answer(socket, ctx);
    });
    const connection = new TCPConnection({ location: new TCPLocation(fake.host, fake.port) });
    await connection.connect();
    chunks = 0;
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => runRequest(connection, ["PING", `p${i}`])));
    assert.equal(replies[99], "p99");
    assert.equal(chunks, 1, "100 requests of one turn arrive as one chunk");
    await connection.close();
  });
});
