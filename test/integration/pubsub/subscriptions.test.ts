/**
 * `client.pubsub()` against a real server, under RESP2 and RESP3: subscribe and unsubscribe
 * confirmations (seen on the server through PUBSUB NUMSUB / NUMPAT), messages and their shape,
 * unsubscribing while iterating, and what closing leaves behind (nothing subscribed at the
 * server, the pool's slot free, the connection usable for ordinary commands again).
 *
 * Also the Python coredis pubsub tests that apply (tests/test_pubsub.py), noted at each test.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ClientClosedError,
  InvalidArgumentError,
  PubSub,
  Redis,
  TimeoutError,
  type PubSubItem,
  type PubSubMessage,
} from "../../../src/index.js";
import type { StringType } from "../../../src/commands/executor.js";
import type { Lease, LeaseOptions } from "../../../src/pool/target.js";
import { runRequest } from "../../harness/run-request.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";
import { until } from "../../harness/wait.js";

const fixture = standaloneWithSide();

/** Subscriber counts per channel, as the server sees them. */
async function numsub(...channels: string[]): Promise<Record<string, number>> {
  const reply = (await runRequest(fixture.side, ["PUBSUB", "NUMSUB", ...channels])) as (string | number)[];
  const counts: Record<string, number> = {};
  for (let i = 0; i < reply.length; i += 2) counts[String(reply[i])] = Number(reply[i + 1]);
  return counts;
}

async function numpat(): Promise<number> {
  return Number(await runRequest(fixture.side, ["PUBSUB", "NUMPAT"]));
}

/** The CLIENT LIST lines of the connections named `name`. */
async function clientLines(name: string): Promise<string[]> {
  const list = String(await runRequest(fixture.side, ["CLIENT", "LIST"]));
  return list.split("\n").filter((line) => line.includes(` name=${name} `));
}

/** Reads items until `count` messages have arrived (notices are kept too), bounded in time. */
async function take<S extends StringType>(ps: PubSub<S>, count: number, withinMs = 5_000): Promise<PubSubItem<S>[]> {
  const items: PubSubItem<S>[] = [];
  let messages = 0;
  const iterator = ps[Symbol.asyncIterator]();
  const deadline = setTimeout(() => void ps.close(), withinMs);
  try {
    while (messages < count) {
      const next = await iterator.next();
      if (next.done === true) assert.fail(`the iteration ended after ${messages} of ${count} messages`);
      items.push(next.value);
      if (next.value.type === "message" || next.value.type === "pmessage") messages++;
    }
  } finally {
    clearTimeout(deadline);
  }
  return items;
}

function messagesOf<S extends StringType>(items: readonly PubSubItem<S>[]): PubSubMessage<S>[] {
  return items.filter((item): item is PubSubMessage<S> => item.type === "message" || item.type === "pmessage");
}

for (const protocolVersion of [2, 3] as const) {
  describe(`pubsub subscriptions [RESP${protocolVersion}]`, () => {
    const p = `resp${protocolVersion}:`;
    const open = (name: string): Redis => new Redis({ port: fixture.server.port, protocolVersion, clientName: name });

    it("subscribe() and psubscribe() resolve once the server counts them; unsubscribe() once it no longer does (coredis: test_channel/pattern_subscribe_unsubscribe)", async () => {
      await using client = open(`${p}confirm`);
      await using ps = client.pubsub();
      const keys = [`${p}foo`, `${p}bar`, `${p}uni${String.fromCharCode(56)}code`];
      const patternsBefore = await numpat();
      for (const key of keys) assert.equal(await ps.subscribe(key), undefined);
      assert.deepEqual(await numsub(...keys), Object.fromEntries(keys.map((key) => [key, 1])));
      await ps.psubscribe(`${p}f*`, `${p}b*`);
      assert.equal(await numpat(), patternsBefore + 2);
      assert.deepEqual(ps.channels, keys);
      assert.deepEqual(ps.patterns, [`${p}f*`, `${p}b*`]);
      for (const key of keys) await ps.unsubscribe(key);
      assert.deepEqual(await numsub(...keys), Object.fromEntries(keys.map((key) => [key, 0])));
      await ps.punsubscribe();
      assert.equal(await numpat(), patternsBefore);
      assert.deepEqual(ps.channels, []);
      assert.deepEqual(ps.patterns, []);
    });

    it("channels and patterns given to pubsub() are subscribed by connect(), and messages come in order, with their shape (coredis: test_subscribe_on_construct, test_published_message_to_channel/pattern)", async () => {
      await using client = open(`${p}construct`);
      await using publisher = open(`${p}publisher`);
      await using ps = await client.pubsub({ channels: [`${p}foo`], patterns: [`${p}baz*`] }).connect();
      assert.equal(ps.isConnected, true);
      assert.deepEqual(await numsub(`${p}foo`), { [`${p}foo`]: 1 });
      assert.equal(await publisher.publish(`${p}foo`, "bar"), 1);
      assert.equal(await publisher.publish(`${p}bazz`, "qux"), 1);
      assert.equal(await publisher.publish(`${p}other`, "nobody"), 0);
      const items = await take(ps, 2);
      assert.deepEqual(items, [
        { type: "message", channel: `${p}foo`, pattern: undefined, data: "bar" },
        { type: "pmessage", channel: `${p}bazz`, pattern: `${p}baz*`, data: "qux" },
      ]);
      assert.equal(items[0] !== undefined && "pattern" in items[0] ? items[0].pattern : "absent", undefined);
    });

    it("a message matching a channel and a pattern arrives once for each", async () => {
      await using client = open(`${p}both`);
      await using publisher = open(`${p}publisher`);
      await using ps = client.pubsub();
      await ps.subscribe(`${p}foo`);
      await ps.psubscribe(`${p}f*`);
      assert.equal(await publisher.publish(`${p}foo`, "test message"), 2);
      const items = await take(ps, 2);
      assert.deepEqual(
        new Set(items.map((item) => JSON.stringify(item))),
        new Set([
          JSON.stringify({ type: "message", channel: `${p}foo`, data: "test message" }),
          JSON.stringify({ type: "pmessage", channel: `${p}foo`, pattern: `${p}f*`, data: "test message" }),
        ]),
      );
    });

    it("payloads with quotes, newlines, binary-looking text and Unicode come back unchanged, in channel and pattern names too (coredis: test_published_pickled_obj_*, test_unicode_*)", async () => {
      await using client = open(`${p}unicode`);
      await using publisher = open(`${p}publisher`);
      await using ps = client.pubsub();
      const channel = `${p}uni${String.fromCharCode(56)}code·ключ`;
      const payload = `cexceptions\nException\np0\n(tRp1\n."quoted" \\ 🎉 ${String.fromCharCode(0)}`;
      await ps.subscribe(channel);
      await ps.psubscribe(`${p}uni${String.fromCharCode(56)}*`);
      assert.equal(await publisher.publish(channel, payload), 2);
      const items = messagesOf(await take(ps, 2));
      assert.deepEqual(
        items.map((item) => [item.type, item.channel, item.pattern, item.data]),
        [
          ["message", channel, undefined, payload],
          ["pmessage", channel, `${p}uni${String.fromCharCode(56)}*`, payload],
        ],
      );
    });

    it("a client decoding to Buffers gets Buffer payloads and string channel names", async () => {
      await using client = new Redis<Buffer>({ port: fixture.server.port, protocolVersion, decodeResponses: false });
      await using publisher = open(`${p}publisher`);
      await using ps = client.pubsub({ channels: [`${p}bin`], patterns: [`${p}bi*`] });
      await ps.connect();
      const payload = Buffer.from([0, 255, 1, 128, 10, 13]);
      await publisher.publish(`${p}bin`, payload);
      const items = messagesOf(await take(ps, 2));
      for (const item of items) {
        assert.ok(Buffer.isBuffer(item.data));
        assert.deepEqual(item.data, payload);
        assert.equal(item.channel, `${p}bin`);
      }
      assert.equal(items[1]?.pattern, `${p}bi*`);
    });

    it("unsubscribing while iterating: the loop goes on, with no subscription left, until close (coredis: test_pubsub_message_iterator)", async () => {
      await using client = open(`${p}iterate`);
      await using publisher = open(`${p}publisher`);
      const ps = client.pubsub({ channels: [`${p}test`], patterns: [`${p}fu*`] });
      await ps.connect();
      for (let i = 0; i < 10; i++) await publisher.publish(`${p}fubar`, String(i));
      for (let i = 0; i < 10; i++) await publisher.publish(`${p}test`, String(i + 10));
      const received: string[] = [];
      let unsubscribed: Promise<void> | undefined;
      for await (const item of ps) {
        assert.ok(item.type === "message" || item.type === "pmessage");
        received.push(item.data);
        if (received.length === 1) {
          unsubscribed = Promise.all([ps.punsubscribe(`${p}fu*`), ps.unsubscribe(`${p}test`)]).then(async () => {
            assert.deepEqual(await numsub(`${p}test`), { [`${p}test`]: 0 });
            assert.equal(ps.isClosed, false, "no subscription left, and the instance is still open");
            // Nothing is subscribed now: this one is not delivered; the loop ends with close().
            assert.equal(await publisher.publish(`${p}test`, "after"), 0);
          });
        }
        if (received.length === 20) {
          await unsubscribed;
          setImmediate(() => void ps.close());
        }
      }
      assert.deepEqual(received, Array.from({ length: 20 }, (_, i) => String(i)));
      assert.equal(ps.isClosed, true);
    });

    it("break out of for await closes the instance: nothing subscribed at the server, the slot free, the connection back in normal mode", async () => {
      const name = `${p}break`;
      await using client = open(name);
      await using publisher = open(`${p}publisher`);
      const pool = client.connectionPool;
      const ps = client.pubsub({ channels: [`${p}news`], patterns: [`${p}n*`] });
      await ps.connect();
      assert.equal(pool.stats.dedicated, 1);
      const subscribed = (await clientLines(name)).filter((line) => / sub=1 psub=1 /.test(line));
      assert.equal(subscribed.length, 1);
      const id = / id=(\d+) /.exec(` ${subscribed[0] ?? ""}`)?.[1];
      const { open: openBefore, closed: closedBefore } = pool.stats;
      await publisher.publish(`${p}news`, "hello");
      for await (const item of ps) {
        assert.equal(item.type, "message");
        break;
      }
      assert.equal(ps.isClosed, true);
      assert.equal(pool.stats.dedicated, 0, "the slot is free");
      assert.equal(pool.stats.open, openBefore, "the connection was given back, not closed");
      assert.equal(pool.stats.closed, closedBefore);
      assert.deepEqual(await numsub(`${p}news`), { [`${p}news`]: 0 });
      const lines = await clientLines(name);
      const released = lines.find((line) => line.startsWith(`id=${id ?? "?"} `));
      assert.ok(released !== undefined, "the released connection is still open at the server");
      assert.match(released, / sub=0 psub=0 /);
      assert.doesNotMatch(released, / flags=[^ ]*P/);
      // Given back in normal mode: a blocking call leases it again (the pool's only idle one) and
      // an ordinary reply comes back on it.
      assert.equal(pool.stats.idle, 1);
      assert.equal(await client.blpop([`${p}no-such-list`], 0.01), null);
      assert.equal(pool.stats.closed, closedBefore, "the connection served the call");
      // Reading after the end: done, at once.
      assert.deepEqual(await ps[Symbol.asyncIterator]().next(), { done: true, value: undefined });
      await client.close();
      await until(async () => (await clientLines(name)).length === 0, "the client's connections are gone");
    });

    it("the connection given back is as it was lent: push mode none, string decoding, the pool's observer, open, not held", async () => {
      await using client = open(`${p}restored`);
      await client.connect();
      const pool = client.connectionPool;
      const leases: Lease[] = [];
      const source = {
        lease: async (options?: LeaseOptions) => {
          const lease = await pool.lease(options ?? {});
          leases.push(lease);
          return lease;
        },
      };
      const ps = new PubSub<Buffer>(source, false, { channels: [`${p}r`], patterns: [`${p}r*`] });
      await ps.connect();
      const [lease] = leases;
      assert.ok(lease !== undefined);
      const connection = lease.connection;
      assert.equal(connection.pushMode, "subscribed");
      assert.equal(connection.pushDecodeStrings, false);
      assert.equal(connection.observer, pool, "the pool observes the connection throughout");
      await ps.close();
      assert.equal(lease.isHeld, false);
      assert.equal(connection.isClosed, false);
      assert.equal(connection.pushMode, "none");
      assert.equal(connection.pushDecodeStrings, true);
      assert.equal(connection.observer, pool);
      assert.equal(connection.pendingCount, 0);
      // Its replies are ordinary again: a request on it gets its own reply.
      assert.equal(await runRequest(connection, ["ECHO", "normal"]), "normal");
    });

    it("close(): idempotent, ends a waiting reader, and later calls fail with ClientClosedError (unsubscribe is a no-op)", async () => {
      await using client = open(`${p}close`);
      const ps = client.pubsub({ channels: [`${p}c`] });
      await ps.connect();
      const reading = ps[Symbol.asyncIterator]().next();
      await Promise.all([ps.close(), ps.close()]);
      assert.deepEqual(await reading, { done: true, value: undefined });
      await assert.rejects(ps.subscribe(`${p}d`), ClientClosedError);
      await assert.rejects(ps.psubscribe(`${p}d*`), ClientClosedError);
      await assert.rejects(ps.connect(), ClientClosedError);
      await ps.unsubscribe(`${p}c`);
      assert.equal(client.connectionPool.stats.dedicated, 0);
    });

    it("a pubsub never started takes no connection, and closes without one", async () => {
      await using client = open(`${p}lazy`);
      const ps = client.pubsub({ channels: [`${p}lazy`] });
      await client.ping();
      assert.equal(client.connectionPool.stats.dedicated, 0);
      assert.deepEqual(await numsub(`${p}lazy`), { [`${p}lazy`]: 0 });
      await ps.close();
      assert.equal(client.connectionPool.stats.open, 1);
    });

    it("subscribe() with nothing to subscribe, or a name that is not a string, is an InvalidArgumentError", async () => {
      await using client = open(`${p}invalid`);
      await using ps = client.pubsub();
      await assert.rejects(ps.subscribe(), InvalidArgumentError);
      await assert.rejects(ps.psubscribe(), InvalidArgumentError);
      await assert.rejects(ps.subscribe(1 as unknown as string), InvalidArgumentError);
      assert.throws(() => client.pubsub({ maxBufferedMessages: 0 }), InvalidArgumentError);
      assert.throws(() => client.pubsub({ pingInterval: -1 }), InvalidArgumentError);
      assert.throws(() => client.pubsub({ channels: [42 as unknown as string] }), InvalidArgumentError);
      assert.equal(client.connectionPool.stats.dedicated, 0);
    });

    it("subscribe() before and during iteration, on a started instance: each resolves after its confirmation (coredis: test_subscribed_property)", async () => {
      await using client = open(`${p}during`);
      await using publisher = open(`${p}publisher`);
      await using ps = client.pubsub();
      const reading = take(ps, 3);
      await ps.subscribe(`${p}a`);
      await publisher.publish(`${p}a`, "1");
      await ps.subscribe(`${p}b`, `${p}c`);
      assert.deepEqual(ps.channels, [`${p}a`, `${p}b`, `${p}c`]);
      await publisher.publish(`${p}b`, "2");
      await ps.unsubscribe();
      assert.deepEqual(ps.channels, []);
      await ps.subscribe(`${p}c`);
      await publisher.publish(`${p}c`, "3");
      const items = messagesOf(await reading);
      assert.deepEqual(items.map((item) => [item.channel, item.data]), [[`${p}a`, "1"], [`${p}b`, "2"], [`${p}c`, "3"]]);
    });

    it("PUBSUB CHANNELS, NUMSUB and NUMPAT see three instances' subscriptions (coredis: TestPubSubPubSubSubcommands)", async () => {
      await using client = open(`${p}numsub`);
      const [p1, p2, p3] = [client.pubsub(), client.pubsub(), client.pubsub()];
      try {
        const before = await numpat();
        await p1.subscribe(`${p}n-foo`, `${p}n-bar`, `${p}n-baz`);
        await p2.subscribe(`${p}n-bar`, `${p}n-baz`);
        await p3.subscribe(`${p}n-baz`);
        await p3.psubscribe("*oo", "*ar", "b*z");
        assert.deepEqual(await numsub(`${p}n-foo`, `${p}n-bar`, `${p}n-baz`), {
          [`${p}n-foo`]: 1,
          [`${p}n-bar`]: 2,
          [`${p}n-baz`]: 3,
        });
        assert.equal(await numpat(), before + 3);
        const channels = await client.pubsubChannels({ pattern: `${p}n-*` });
        assert.deepEqual(new Set(channels), new Set([`${p}n-foo`, `${p}n-bar`, `${p}n-baz`]));
        assert.equal(client.connectionPool.stats.dedicated, 3);
      } finally {
        await Promise.all([p1.close(), p2.close(), p3.close()]);
      }
      assert.equal(client.connectionPool.stats.dedicated, 0);
    });

    it("a subscribe the server does not confirm in time rejects with TimeoutError (phase reply), and the subscription still takes effect (coredis: test_subscribe_timeout)", async () => {
      await using client = open(`${p}timeout`);
      await using ps = await client.pubsub({ subscribeTimeout: 200 }).connect();
      // Every client's commands wait while the server is paused; its +OK says the pause is on.
      await pauseServer(600);
      const started = performance.now();
      await assert.rejects(ps.subscribe(...Array.from({ length: 200 }, (_, k) => `${p}topic${k}`)), (error: unknown) => {
        assert.ok(error instanceof TimeoutError, String(error));
        assert.equal(error.phase, "reply");
        return true;
      });
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 190 && elapsed < 550, `${elapsed} ms`);
      await pauseEnded();
      assert.equal(ps.channels.length, 200, "the names stay in the kept set");
      await until(async () => (await numsub(`${p}topic0`))[`${p}topic0`] === 1, "the server subscribed them after all");
      // Once the server answers again, subscribing works in time.
      await ps.subscribe(`${p}topic-late`);
    });

    it("close() while the server does not answer gives up after subscribeTimeout and closes the connection instead", async () => {
      const name = `${p}close-stuck`;
      await using client = open(name);
      const ps = await client.pubsub({ channels: [`${p}stuck`], subscribeTimeout: 150 }).connect();
      await pauseServer(500);
      const started = performance.now();
      await ps.close();
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 450, `close took ${elapsed} ms`);
      assert.equal(client.connectionPool.stats.dedicated, 0);
      await pauseEnded();
      await until(async () => (await clientLines(name)).every((line) => !/ sub=1 /.test(line)), "the subscribed connection is gone");
    });
  });
}

/** Pauses every client's commands (CLIENT PAUSE ALL) for `ms`; resolves once the pause is on. */
async function pauseServer(ms: number): Promise<void> {
  assert.equal(await runRequest(fixture.side, ["CLIENT", "PAUSE", String(ms), "ALL"]), "OK");
}

/** Resolves once the server answers the side connection again (the pause is over). */
async function pauseEnded(): Promise<void> {
  assert.equal(await runRequest(fixture.side, ["PING"]), "PONG");
}
