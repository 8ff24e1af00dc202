/**
 * `SentinelConnectionPool` driven by a directory the test controls (no sentinel): two real
 * servers, and the announcements a sentinel would make, given one at a time. What a pool does on
 * each — hold, move, resume, ask again — is checked on the servers themselves.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConnectionError, Redis, SentinelConnectionPool, TCPLocation, type SentinelDirectory, type SentinelEvent, type SentinelEventListener } from "../../../src/index.js";
import { freePort } from "../../harness/ports.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";
import { until } from "../../harness/wait.js";

let first: RedisServer;
let second: RedisServer;
before(async () => {
  [first, second] = await Promise.all([startStandalone(), startStandalone()]);
});
after(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

/** A directory whose answers and announcements the test sets. */
class TestDirectory implements SentinelDirectory {
  answers: TCPLocation[];
  asked = 0;
  readonly listeners = new Set<SentinelEventListener>();

  constructor(...answers: TCPLocation[]) {
    this.answers = answers;
  }

  async locate(): Promise<TCPLocation> {
    this.asked++;
    const answer = this.answers.length > 1 ? this.answers.shift() : this.answers[0];
    if (answer === undefined) throw new Error("no answer");
    return answer;
  }

  watch(_service: string, listener: SentinelEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(event: SentinelEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

const at = (server: RedisServer): TCPLocation => new TCPLocation(server.host, server.port);

async function clients(): Promise<{ onFirst: Redis; onSecond: Redis }> {
  const onFirst = new Redis({ port: first.port });
  const onSecond = new Redis({ port: second.port });
  await Promise.all([onFirst.flushall(), onSecond.flushall()]);
  return { onFirst, onSecond };
}

describe("SentinelConnectionPool", () => {
  it("holds calls from `promoting` until the switch, then sends them to the new primary", async () => {
    const { onFirst, onSecond } = await clients();
    const directory = new TestDirectory(at(first));
    await using client = new Redis({ connectionPool: new SentinelConnectionPool({ service: "s", directory }) });
    await client.set("held:before", "1");
    directory.announce({ kind: "promoting" });
    const held = client.set("held:during", "1");
    // Held: not on the old primary, and not failed.
    let settled = false;
    void held.finally(() => (settled = true));
    await onFirst.ping();
    assert.equal(await onFirst.exists(["held:during"]), 0);
    assert.equal(settled, false);
    directory.announce({ kind: "switch", to: at(second) });
    assert.equal(await held, "OK");
    assert.equal(await onSecond.get("held:during"), "1");
    assert.equal(await onFirst.exists(["held:during"]), 0);
    assert.equal(await onFirst.get("held:before"), "1");
    await Promise.all([onFirst.close(), onSecond.close()]);
  });

  it("an aborted failover resumes on the old primary", async () => {
    const { onFirst, onSecond } = await clients();
    const directory = new TestDirectory(at(first));
    await using client = new Redis({ connectionPool: new SentinelConnectionPool({ service: "s", directory }) });
    await client.ping();
    directory.announce({ kind: "promoting" });
    const held = client.set("aborted:k", "1");
    directory.announce({ kind: "aborted" });
    assert.equal(await held, "OK");
    assert.equal(await onFirst.get("aborted:k"), "1");
    assert.equal(await onSecond.exists(["aborted:k"]), 0);
    await Promise.all([onFirst.close(), onSecond.close()]);
  });

  it("a hold longer than failoverTimeout asks the directory and goes where it says", async () => {
    const { onFirst, onSecond } = await clients();
    const directory = new TestDirectory(at(first), at(second));
    await using client = new Redis({ connectionPool: new SentinelConnectionPool({ service: "s", directory, failoverTimeout: 200 }) });
    await client.ping();
    directory.announce({ kind: "promoting" });
    assert.equal(await client.set("timeout:k", "1"), "OK");
    assert.equal(await onSecond.get("timeout:k"), "1");
    assert.equal(await onFirst.exists(["timeout:k"]), 0);
    await Promise.all([onFirst.close(), onSecond.close()]);
  });

  it("a switch closes leased connections at once: a subscriber is subscribed again on the new primary", async () => {
    const { onFirst, onSecond } = await clients();
    const directory = new TestDirectory(at(first));
    await using client = new Redis({ connectionPool: new SentinelConnectionPool({ service: "s", directory }) });
    await using subscriber = client.pubsub({ channels: ["moved"] });
    await subscriber.connect();
    const items = subscriber[Symbol.asyncIterator]();
    directory.announce({ kind: "switch", to: at(second) });
    const resubscribed = await items.next();
    assert.equal(resubscribed.done, false);
    assert.equal(resubscribed.value?.type, "resubscribed");
    assert.equal(await onSecond.publish("moved", "hello"), 1);
    const message = await items.next();
    assert.equal(message.value?.type === "message" ? message.value.data : undefined, "hello");
    // Nothing is left subscribed on the old primary.
    await until(async () => JSON.stringify(await onFirst.sendCommand(["PUBSUB", "NUMSUB", "moved"])) === '["moved",0]', "no subscriber left on the old primary");
    await Promise.all([onFirst.close(), onSecond.close()]);
  });

  it("refuses a server whose ROLE is not master, asks again, and writes to the primary", async () => {
    await using replica = await startStandalone({ extraArgs: ["--replicaof", first.host, String(first.port)] });
    const { onFirst, onSecond } = await clients();
    const directory = new TestDirectory(at(replica), at(first));
    await using client = new Redis({ connectionPool: new SentinelConnectionPool({ service: "s", directory }) });
    assert.equal(await client.set("role:k", "1"), "OK");
    assert.equal(await onFirst.get("role:k"), "1");
    assert.ok(directory.asked >= 2, "asked the directory again after the refusal");
    await Promise.all([onFirst.close(), onSecond.close()]);
  });

  it("a primary that stays unreachable fails calls that never ran after about failoverTimeout, not before, not never", async () => {
    const dead = new TCPLocation("127.0.0.1", await freePort());
    const directory = new TestDirectory(at(first));
    await using client = new Redis({ connectionPool: new SentinelConnectionPool({ service: "s", directory, failoverTimeout: 600 }) });
    await client.ping();
    directory.answers = [dead];
    directory.announce({ kind: "switch", to: dead });
    const started = performance.now();
    await assert.rejects(client.set("dead:k", "1"), (error: unknown) => error instanceof ConnectionError && !error.written);
    const waited = performance.now() - started;
    assert.ok(waited >= 300 && waited < 3_000, `failed after ${Math.round(waited)} ms`);
  });
});
