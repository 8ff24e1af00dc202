/**
 * The buffer policy of a pubsub instance whose reader stops reading: at most
 * `maxBufferedMessages` items are kept; the oldest are dropped; the reader, when it comes back,
 * first gets `{ type: "overflow", dropped }` at the place of the gap, then the newest items.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Redis, type PubSubItem } from "../../../src/index.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";
import { until } from "../../harness/wait.js";

const fixture = standaloneWithSide();

for (const protocolVersion of [2, 3] as const) {
  describe(`pubsub buffer policy [RESP${protocolVersion}]`, () => {
    const p = `buf${protocolVersion}:`;

    it("a reader that never reads: the buffer holds the newest 100 of 1000; reading gives the overflow notice, then those 100", async () => {
      await using client = new Redis({ port: fixture.server.port, protocolVersion });
      await using publisher = new Redis({ port: fixture.server.port, protocolVersion });
      await using ps = await client.pubsub({ channels: [`${p}flood`], maxBufferedMessages: 100 }).connect();
      for (let i = 0; i < 1000; i++) await publisher.publish(`${p}flood`, String(i));
      await until(() => ps.stats.received === 1000, "every message reached the client");
      assert.deepEqual({ ...ps.stats, pings: 0 }, { received: 1000, buffered: 100, dropped: 900, reconnects: 0, pings: 0 });
      const iterator = ps[Symbol.asyncIterator]();
      assert.deepEqual(await iterator.next(), { done: false, value: { type: "overflow", dropped: 900 } });
      for (let i = 900; i < 1000; i++) {
        const next = await iterator.next();
        assert.equal(next.done, false);
        assert.equal(next.value?.type === "message" ? next.value.data : undefined, String(i));
      }
      assert.equal(ps.stats.buffered, 0);
      // The instance goes on as before.
      await publisher.publish(`${p}flood`, "after");
      const after = await iterator.next();
      assert.equal(after.value?.type === "message" ? after.value.data : undefined, "after");
    });

    it("a reader that pauses mid-stream: the notice sits exactly where the messages went missing", async () => {
      await using client = new Redis({ port: fixture.server.port, protocolVersion });
      await using publisher = new Redis({ port: fixture.server.port, protocolVersion });
      await using ps = await client.pubsub({ patterns: [`${p}pause:*`], maxBufferedMessages: 10 }).connect();
      const iterator = ps[Symbol.asyncIterator]();
      const seen: PubSubItem[] = [];
      for (let i = 0; i < 5; i++) {
        await publisher.publish(`${p}pause:x`, String(i));
        const next = await iterator.next();
        assert.equal(next.done, false);
        seen.push(next.value);
      }
      // The reader pauses; 25 more arrive.
      for (let i = 5; i < 30; i++) await publisher.publish(`${p}pause:x`, String(i));
      await until(() => ps.stats.received === 30, "all 30 arrived");
      for (let i = 0; i < 11; i++) {
        const next = await iterator.next();
        seen.push(next.value as PubSubItem);
      }
      assert.deepEqual(
        seen.map((item) => (item.type === "overflow" ? `overflow ${item.dropped}` : item.type === "pmessage" ? item.data : item.type)),
        ["0", "1", "2", "3", "4", "overflow 15", ...Array.from({ length: 10 }, (_, i) => String(20 + i))],
      );
    });

    it("memory stays bounded: 20 000 messages of 1 KiB into a buffer of 1000 keep at most 1000", async () => {
      await using client = new Redis({ port: fixture.server.port, protocolVersion });
      await using publisher = new Redis({ port: fixture.server.port, protocolVersion });
      await using ps = await client.pubsub({ channels: [`${p}big`], maxBufferedMessages: 1000 }).connect();
      const payload = "x".repeat(1024);
      let peak = 0;
      const publishers = Array.from({ length: 20 }, async () => {
        for (let i = 0; i < 1000; i++) {
          await publisher.publish(`${p}big`, payload);
          peak = Math.max(peak, ps.stats.buffered);
        }
      });
      await Promise.all(publishers);
      await until(() => ps.stats.received === 20_000, "every message reached the client");
      assert.ok(peak <= 1000, `peak ${peak}`);
      assert.equal(ps.stats.buffered, 1000);
      assert.equal(ps.stats.dropped, 19_000);
    });
  });
}
