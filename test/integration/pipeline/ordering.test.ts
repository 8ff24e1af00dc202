/**
 * Program order per key across pipelines, tried where it could break: a pipeline travels on a
 * leased connection of its own, so without the order a call issued after it could overtake it
 * (it waits for a lease, maybe a fresh connection) and it could overtake a call issued before it
 * (a large write still in flight on the bulk lane). Each case repeats 30 times.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AbortError, Redis, TimeoutError } from "../../../src/index.js";
import { runRequest } from "../../harness/run-request.js";
import * as signals from "../../harness/server-signals.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";

const fixture = standaloneWithSide();

const ONE_MIB = "x".repeat(1024 * 1024);
const ROUNDS = 30;

/** Keeps a call not awaited on purpose; its failure is reported by {@link settleAll}, never as an unhandled rejection. */
function notAwaited(pending: Promise<unknown>[], call: Promise<unknown>): void {
  pending.push(
    call.then(
      () => undefined,
      (error: unknown) => error,
    ),
  );
}

/** Waits for the calls not awaited (before the client closes): none may have failed. */
async function settleAll(pending: readonly Promise<unknown>[]): Promise<void> {
  const failures = (await Promise.all(pending)).filter((outcome) => outcome !== undefined);
  assert.deepEqual(failures, [], "a call not awaited failed");
}

const untilBlockedClients = (count: number): Promise<void> => signals.untilBlockedClients(fixture.side, count);

describe("a pipeline after the client's earlier calls", () => {
  it("a large SET on the bulk lane, not awaited, then a pipeline GET of the key: sees it", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:set-pipe:${i}`;
      notAwaited(pending, client.set(key, ONE_MIB));
      const [value] = await client.pipeline().get(key).exec();
      assert.equal(value?.length, ONE_MIB.length, `round ${i}`);
    }
    await settleAll(pending);
  });

  it("a large SET, not awaited, then a transaction pipeline on the key: sees it", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:set-tx:${i}`;
      notAwaited(pending, client.set(key, ONE_MIB));
      const [length, appended] = await client.pipeline({ transaction: true }).strlen(key).append(key, "!").exec();
      assert.equal(length, ONE_MIB.length, `round ${i}`);
      assert.equal(appended, ONE_MIB.length + 1, `round ${i}`);
    }
    await settleAll(pending);
  });

  it("a plain INCR, not awaited, then a transaction of INCRs: the transaction's replies follow it", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["order:incr-tx"]);
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      notAwaited(pending, client.incr("order:incr-tx"));
      const replies = await client.pipeline({ transaction: true }).incr("order:incr-tx").incr("order:incr-tx").exec();
      assert.deepEqual(replies, [3 * i + 2, 3 * i + 3], `round ${i}`);
    }
    await settleAll(pending);
  });

  it("a large SET, not awaited, then a transaction watching the key: its WATCH comes after (no retry needed)", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:set-watch:${i}`;
      notAwaited(pending, client.set(key, ONE_MIB));
      let attempts = 0;
      const [length] = await client.transaction(
        async (tx) => {
          attempts++;
          const value = await tx.get(key);
          return tx.multi().strlen(key).set(key, String(value?.length));
        },
        { watches: [key], retries: 0 },
      );
      assert.equal(length, ONE_MIB.length, `round ${i}`);
      assert.equal(attempts, 1);
    }
    await settleAll(pending);
  });
});

describe("the client's later calls after a pipeline", () => {
  it("a pipeline writing 1 MiB, not awaited, then a GET of the key: sees the pipeline's write", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:pipe-get:${i}`;
      const pipeline = client.pipeline().set(key, ONE_MIB).exec();
      assert.equal((await client.get(key))?.length, ONE_MIB.length, `round ${i}`);
      assert.deepEqual(await pipeline, ["OK"]);
    }
  });

  it("a pipeline writing a small value, not awaited, then GET: sees it (the lease is slower than the shared connection)", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:pipe-small:${i}`;
      notAwaited(pending, client.pipeline().set(key, `v${i}`).exec());
      assert.equal(await client.get(key), `v${i}`, `round ${i}`);
    }
    await settleAll(pending);
  });

  it("a transaction pipeline writing the key, not awaited, then GET: sees the transaction's write", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:tx-get:${i}`;
      notAwaited(pending, client.pipeline({ transaction: true }).set(key, "first").append(key, `-${i}`).exec());
      assert.equal(await client.get(key), `first-${i}`, `round ${i}`);
    }
    await settleAll(pending);
  });

  it("a pipeline, then a plain write on another key: not held behind it", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    const base = await signals.blockedClients(fixture.side);
    const blocked = client.pipeline().blpop(["order:other:q"], 10).exec();
    await untilBlockedClients(base + 1);
    assert.equal(await client.set("order:other:k", "free"), "OK");
    await runRequest(fixture.side, ["RPUSH", "order:other:q", "x"]);
    assert.deepEqual(await blocked, [["order:other:q", "x"]]);
  });
});

describe("a pipeline after an earlier pipeline on its keys", () => {
  it("a pipeline writing 1 MiB, not awaited, then a pipeline reading the key: sees the write", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    let overtaken = 0;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:pipe-pipe:${i}`;
      notAwaited(pending, client.pipeline().set(key, ONE_MIB).exec());
      const [value] = await client.pipeline().get(key).exec();
      if (value?.length !== ONE_MIB.length) overtaken++;
    }
    await settleAll(pending);
    assert.equal(overtaken, 0, `the second pipeline overtook the first in ${overtaken} of ${ROUNDS} rounds`);
  });

  it("the same with transaction pipelines", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    let overtaken = 0;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const key = `order:tx-tx:${i}`;
      notAwaited(pending, client.pipeline({ transaction: true }).set(key, ONE_MIB).exec());
      const [value] = await client.pipeline({ transaction: true }).strlen(key).exec();
      if (value !== ONE_MIB.length) overtaken++;
    }
    await settleAll(pending);
    assert.equal(overtaken, 0, `the second transaction overtook the first in ${overtaken} of ${ROUNDS} rounds`);
  });
});

describe("waiting in the order is bounded like waiting for the pool", () => {
  it("withOptions({ timeout: 300 }).pipeline() held behind an earlier pipeline on its key times out after ≈300 ms", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    const base = await signals.blockedClients(fixture.side);
    const ahead = client.pipeline().blpop(["order:bounded:q:wait"], 2).llen("order:bounded:q").exec(); // slow, and holding order:bounded:q
    await untilBlockedClients(base + 1);
    const started = performance.now();
    const outcome = await client
      .withOptions({ timeout: 300 })
      .pipeline()
      .llen("order:bounded:q")
      .exec()
      .then(
        () => "resolved",
        (error: unknown) => error,
      );
    const waited = performance.now() - started;
    await ahead;
    assert.ok(outcome instanceof TimeoutError, `the pipeline ${String(outcome)} after ${Math.round(waited)} ms`);
    assert.ok(waited < 1_500, `waited ${Math.round(waited)} ms`);
  });

  it("withOptions({ signal }).pipeline() held in the order rejects as soon as the signal fires", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    const base = await signals.blockedClients(fixture.side);
    const ahead = client.pipeline().blpop(["order:signal:q:wait"], 2).llen("order:signal:q").exec(); // slow, and holding order:signal:q
    await untilBlockedClients(base + 1);
    const started = performance.now();
    const outcome = await client
      .withOptions({ signal: AbortSignal.timeout(200) })
      .pipeline()
      .llen("order:signal:q")
      .exec()
      .then(
        () => "resolved",
        (error: unknown) => error,
      );
    const waited = performance.now() - started;
    await ahead;
    assert.ok(outcome instanceof AbortError, String(outcome));
    assert.ok(waited < 1_500, `the AbortError came after ${Math.round(waited)} ms`);
  });

  it("a plain call with a timeout, held behind a pipeline on its key, times out (for comparison)", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.ping();
    const base = await signals.blockedClients(fixture.side);
    const ahead = client.pipeline().blpop(["order:plain:q:wait"], 10).llen("order:plain:q").exec(); // slow, and holding order:plain:q
    await untilBlockedClients(base + 1);
    const started = performance.now();
    await assert.rejects(client.withOptions({ timeout: 300 }).llen("order:plain:q"), TimeoutError);
    assert.ok(performance.now() - started < 1_500);
    await runRequest(fixture.side, ["RPUSH", "order:plain:q:wait", "x"]);
    await ahead;
  });
});

describe("a blocking command inside a pipeline", () => {
  it("a later RPUSH of the client on the BLPOP's key feeds it (as for a plain BLPOP), rather than waiting for its timeout", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["order:feed:q"]);
    const base = await signals.blockedClients(fixture.side);
    const pipeline = client.pipeline().blpop(["order:feed:q"], 2).exec();
    await untilBlockedClients(base + 1);
    const started = performance.now();
    await client.rpush("order:feed:q", ["fed"]);
    const waited = performance.now() - started;
    const [popped] = await pipeline;
    assert.deepEqual(popped, ["order:feed:q", "fed"], `the RPUSH waited ${Math.round(waited)} ms, the BLPOP timed out`);
  });
});

describe("after close()", () => {
  it("no connection of this file's clients is left at the server", async () => {
    await signals.untilOnlySideConnected(fixture.side);
  });
});
