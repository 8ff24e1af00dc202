/**
 * Pipelines when connections are scarce or lost: slow pipelines filling `maxConnections` make the
 * next one wait for the pool and time out (phase "pool"); a CLIENT KILL under a pipeline in
 * flight rejects it with a typed error and nothing runs twice; connections killed before exec()
 * cost nothing (the batch was never written, so it goes again on a fresh connection); a
 * read-only pipeline lost after its write is sent again by the default policy.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AbortError, ConnectionError, Redis, TimeoutError } from "../../../src/index.js";
import { clientIdsNamed, runRequest } from "../../harness/run-request.js";
import * as signals from "../../harness/server-signals.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";
import { until } from "../../harness/wait.js";

const fixture = standaloneWithSide();

const blockedClients = (): Promise<number> => signals.blockedClients(fixture.side);
const untilBlockedClients = (count: number): Promise<void> => signals.untilBlockedClients(fixture.side, count);

/** CLIENT LIST lines of the connections named `name`. */
async function linesNamed(name: string): Promise<string[]> {
  const list = String(await runRequest(fixture.side, ["CLIENT", "LIST"]));
  return list.split("\n").filter((line) => line.includes(` name=${name} `));
}

/** The id of the connection named `name` whose last command is `command` (lower case). */
async function idRunning(name: string, command: string): Promise<string> {
  const line = (await linesNamed(name)).find((candidate) => candidate.includes(` cmd=${command} `));
  const id = line === undefined ? undefined : /id=(\d+)/.exec(line)?.[1];
  assert.ok(id !== undefined, `no connection named ${name} running ${command}`);
  return id;
}

async function kill(id: string): Promise<void> {
  assert.equal(await runRequest(fixture.side, ["CLIENT", "KILL", "ID", id]), 1);
}

/** Settles `promise` into its value or error, for assertions on either. */
async function outcomeOf<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

describe("a full pool", () => {
  it("four blocked pipelines fill maxConnections: 4; a fifth times out (phase pool) after ≈ poolTimeout; the pool serves afterwards", async () => {
    await using client = new Redis({ port: fixture.server.port, maxConnections: 4, poolTimeout: 300 });
    await client.ping();
    const base = await blockedClients();
    const slow = Array.from({ length: 4 }, (_, i) => client.pipeline().blpop([`full:q${i}`], 10).incr(`full:n${i}`).exec());
    await untilBlockedClients(base + 4);
    assert.equal(client.connectionPool.stats.dedicated, 4);

    const started = performance.now();
    const fifth = await outcomeOf(client.pipeline().incr("full:fifth").exec());
    const waited = performance.now() - started;
    assert.ok("error" in fifth, "the fifth pipeline got a connection");
    assert.ok(fifth.error instanceof TimeoutError, String(fifth.error));
    assert.equal(fifth.error.phase, "pool");
    assert.ok(waited >= 250 && waited < 3_000, `waited ${Math.round(waited)} ms`);
    assert.equal(await runRequest(fixture.side, ["EXISTS", "full:fifth"]), 0, "the fifth pipeline was never sent");

    // Feed the four: they finish, give their connections back, and the pool serves again.
    for (let i = 0; i < 4; i++) await runRequest(fixture.side, ["RPUSH", `full:q${i}`, `item${i}`]);
    const done = await Promise.all(slow);
    done.forEach(([popped, n], i) => {
      assert.deepEqual(popped, [`full:q${i}`, `item${i}`]);
      assert.equal(n, 1);
    });
    assert.deepEqual(await client.pipeline().incr("full:fifth").exec(), [1]);
    assert.deepEqual(await client.pipeline({ transaction: true }).incr("full:fifth").exec(), [2]);
    assert.equal(await client.incr("full:fifth"), 3);
    assert.equal(client.connectionPool.stats.dedicated, 0);
    await client.del(["full:n0", "full:n1", "full:n2", "full:n3"]);
  });

  it("withOptions({ timeout }) bounds the wait for the lease the same way; withOptions({ signal }) aborts it", async () => {
    await using client = new Redis({ port: fixture.server.port, maxConnections: 2 });
    await client.ping();
    const base = await blockedClients();
    const slow = [0, 1].map((i) => client.pipeline().blpop([`full:view:q${i}`], 10).exec());
    await untilBlockedClients(base + 2);

    const started = performance.now();
    const timedOut = await outcomeOf(client.withOptions({ timeout: 300 }).pipeline().incr("full:view").exec());
    const waited = performance.now() - started;
    assert.ok("error" in timedOut && timedOut.error instanceof TimeoutError, JSON.stringify(timedOut));
    assert.equal(timedOut.error.phase, "pool");
    assert.ok(waited >= 250 && waited < 3_000, `waited ${Math.round(waited)} ms`);

    const aborted = await outcomeOf(client.withOptions({ signal: AbortSignal.timeout(100) }).pipeline({ transaction: true }).incr("full:view").exec());
    assert.ok("error" in aborted && aborted.error instanceof AbortError, JSON.stringify(aborted));
    assert.equal(aborted.error.written, false);
    assert.equal(await runRequest(fixture.side, ["EXISTS", "full:view"]), 0, "neither was sent");

    for (let i = 0; i < 2; i++) await runRequest(fixture.side, ["RPUSH", `full:view:q${i}`, "x"]);
    await Promise.all(slow);
    assert.deepEqual(await client.withOptions({ timeout: 300 }).pipeline().incr("full:view").exec(), [1]);
  });
});

describe("CLIENT KILL under a pipeline in flight", () => {
  it("a pipeline blocked in BLPOP, killed: ConnectionError (written), its INCR never ran twice, the client works on", async () => {
    const name = "kill-inflight";
    await using client = new Redis({ port: fixture.server.port, clientName: name });
    await client.del(["kill:counter", "kill:q"]);
    const base = await blockedClients();
    // Its outcome is taken at once: the rejection may come before the kill's own reply.
    const pipeline = outcomeOf(client.pipeline().blpop(["kill:q"], 10).incr("kill:counter").exec());
    await untilBlockedClients(base + 1);
    await kill(await idRunning(name, "blpop"));

    const outcome = await pipeline;
    assert.ok("error" in outcome, "the killed pipeline resolved");
    assert.ok(outcome.error instanceof ConnectionError, String(outcome.error));
    assert.equal(outcome.error.written, true);
    assert.match(outcome.error.message, /0 of 2 replies/);
    const counter = Number(await client.get("kill:counter"));
    assert.ok(counter === 0 || counter === 1, `INCR ran ${counter} times`);
    assert.equal(counter, 0, "a client blocked in BLPOP runs nothing after it before the kill");

    // Not re-sent later either, and the client goes on.
    assert.equal(await blockedClients(), base, "the BLPOP was not sent again");
    assert.deepEqual(await client.pipeline().incr("kill:counter").get("kill:counter").exec(), [1, "1"]);
    assert.deepEqual(await client.pipeline({ transaction: true }).incr("kill:counter").exec(), [2]);
  });

  it("a transaction killed while its commands are being queued: ConnectionError (written), nothing of it applied", async () => {
    const name = "kill-tx";
    await using client = new Redis({ port: fixture.server.port, clientName: name });
    await client.del(["kill:tx:n"]);
    await client.ping();
    const pipeline = client.pipeline({ transaction: true });
    for (let i = 0; i < 200_000; i++) pipeline.incr("kill:tx:n");
    const running = outcomeOf(pipeline.exec());
    // CLIENT LIST's multi= field counts the commands queued so far: kill once the queue is long.
    let id: string | undefined;
    await until(
      async () => {
        const line = (await linesNamed(name)).find((candidate) => Number(/ multi=(\d+)/.exec(candidate)?.[1] ?? -1) > 1_000);
        id = line === undefined ? undefined : /id=(\d+)/.exec(line)?.[1];
        return id !== undefined;
      },
      "the transaction is being queued",
      { withinMs: 10_000, everyMs: 1 },
    );
    await kill(id!);
    const outcome = await running;
    assert.ok("error" in outcome, "the killed transaction resolved");
    assert.ok(outcome.error instanceof ConnectionError, String(outcome.error));
    assert.equal(outcome.error.written, true);
    assert.equal(await client.exists(["kill:tx:n"]), 0, "Redis discarded the open MULTI: nothing ran, nothing was re-sent");
    assert.deepEqual(await client.pipeline({ transaction: true }).incr("kill:tx:n").exec(), [1]);
  });

  it("a long pipeline (200 000 INCRs) killed half way: rejected (written), never re-sent: at most 200 000 applied", async (t) => {
    const name = "kill-long";
    await using client = new Redis({ port: fixture.server.port, clientName: name });
    await client.del(["kill:long"]);
    await client.ping();
    const pipeline = client.pipeline();
    for (let i = 0; i < 200_000; i++) pipeline.incr("kill:long");
    const running = outcomeOf(pipeline.exec());
    // Kill once the server has applied some of it.
    await until(async () => Number(await runRequest(fixture.side, ["GET", "kill:long"])) > 20_000, "the pipeline is under way", {
      withinMs: 10_000,
      everyMs: 1,
    });
    const ids = await clientIdsNamed(fixture.side, name);
    for (const id of ids) await runRequest(fixture.side, ["CLIENT", "KILL", "ID", id]);
    const outcome = await running;
    const applied = Number(await client.get("kill:long"));
    if ("value" in outcome) {
      // The pipeline finished before the kill landed: nothing to check but the count.
      t.diagnostic("the pipeline finished before the kill landed");
      assert.equal(applied, 200_000);
      return;
    }
    t.diagnostic(`killed after ${applied} of 200000 INCRs`);
    assert.ok(outcome.error instanceof ConnectionError, String(outcome.error));
    assert.equal(outcome.error.written, true);
    assert.ok(applied > 0 && applied < 200_000, `${applied} applied`);
    // No late re-send: the count stays put.
    assert.equal(await client.incr("kill:long"), applied + 1);
  });
});

describe("connections killed before exec()", () => {
  it("once the client has seen the kill, pipelines of writes work: the batch goes on a fresh connection", async () => {
    const name = "kill-before";
    await using client = new Redis({ port: fixture.server.port, clientName: name });
    await client.set("before:n", "0");
    const pool = client.connectionPool;
    for (let round = 0; round < 10; round++) {
      // Use a lease so that an idle connection sits in the pool, then kill every normal client.
      assert.deepEqual(await client.pipeline().get("before:n").exec(), [String(round)]);
      const closed = pool.stats.closed;
      assert.ok((await linesNamed(name)).length >= 1);
      await runRequest(fixture.side, ["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
      await until(() => pool.stats.closed > closed, "the client saw its connections close");
      const transaction = round % 2 === 1;
      assert.deepEqual(await client.pipeline({ transaction }).incr("before:n").exec(), [round + 1], `round ${round}`);
    }
  });

  it("issued right after the kill: read-only pipelines never fail; write pipelines fail only as written, never run twice", async (t) => {
    const name = "kill-race";
    await using client = new Redis({ port: fixture.server.port, clientName: name });
    await client.set("race:n", "0");
    let acknowledged = 0;
    let mayHaveRun = 0;
    for (let round = 0; round < 30; round++) {
      await client.pipeline().get("race:n").exec(); // leaves an idle connection in the pool
      await runRequest(fixture.side, ["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
      const [value, exists] = await client.pipeline().get("race:n").exists(["race:n"]).exec();
      assert.equal(exists, 1, `round ${round}`);
      const seen = Number(value);
      assert.ok(seen >= acknowledged && seen <= acknowledged + mayHaveRun, `round ${round}: ${seen}`);
      await runRequest(fixture.side, ["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
      const outcome = await outcomeOf(client.pipeline().incr("race:n").exec());
      if ("value" in outcome) acknowledged++;
      else {
        assert.ok(outcome.error instanceof ConnectionError && outcome.error.written, String(outcome.error));
        mayHaveRun++;
      }
    }
    const applied = Number(await client.get("race:n"));
    assert.ok(applied >= acknowledged && applied <= acknowledged + mayHaveRun, `applied ${applied}, acknowledged ${acknowledged}`);
    assert.ok(applied <= 30, "no pipeline ran twice");
    t.diagnostic(`${acknowledged} acknowledged, ${mayHaveRun} failed as written, ${applied} applied`);
  });

  it("a read-only pipeline lost after its write (XREAD BLOCK, killed) is sent again by the default policy", async () => {
    const name = "kill-read";
    await using client = new Redis({ port: fixture.server.port, clientName: name });
    await client.del(["readonly:s"]);
    await client.set("readonly:v", "value");
    const base = await blockedClients();
    const pipeline = outcomeOf(client.pipeline().xread({ "readonly:s": "$" }, { block: 10_000 }).get("readonly:v").exec());
    await untilBlockedClients(base + 1);
    const first = await idRunning(name, "xread");
    await kill(first);
    // The batch goes again on a fresh connection: the server holds a new XREAD.
    await until(async () => {
      const lines = await linesNamed(name);
      return lines.some((line) => line.includes(" cmd=xread ") && !line.includes(`id=${first} `)) && (await blockedClients()) >= base + 1;
    }, "the XREAD was sent again");
    const id = String(await runRequest(fixture.side, ["XADD", "readonly:s", "*", "field", "value"]));
    const outcome = await pipeline;
    assert.ok("value" in outcome, `the read-only pipeline failed: ${"error" in outcome ? String(outcome.error) : ""}`);
    const [streams, value] = outcome.value;
    assert.equal(value, "value");
    assert.ok(streams !== null);
    assert.equal(streams["readonly:s"]?.[0]?.id, id);
  });
});

describe("after close()", () => {
  it("no connection of this file's clients is left at the server", async () => {
    await signals.untilOnlySideConnected(fixture.side);
  });
});
