/**
 * Volume, under RESP2 and RESP3: 10 000 messages over 100 channels, plus pattern messages, read
 * while they are published. Every message arrives, and each channel's messages in the order they
 * were published. Keep-alive PINGs sent meanwhile (a 5 ms interval) do not disturb the stream.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "../../../src/index.js";
import type { StringType } from "../../../src/commands/executor.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";

let server: RedisServer;
before(async () => {
  server = await startStandalone();
});
after(async () => {
  await server?.stop();
});

const CHANNELS = 100;
const PER_CHANNEL = 100;
const PATTERN_CHANNELS = 10;
const PER_PATTERN_CHANNEL = 100;

for (const protocolVersion of [2, 3] as const) {
  for (const decodeResponses of [true, false]) {
    describe(`pubsub volume [RESP${protocolVersion}${decodeResponses ? "" : ", Buffers"}]`, () => {
      it(`${CHANNELS * PER_CHANNEL} channel messages and pattern messages: all received, each channel in order`, async () => {
        const p = `vol${protocolVersion}${decodeResponses ? "s" : "b"}:`;
        await using subscriber = new Redis<StringType>({ port: server.port, protocolVersion, decodeResponses });
        await using publisher = new Redis({ port: server.port, protocolVersion });
        const channels = Array.from({ length: CHANNELS }, (_, i) => `${p}ch:${i}`);
        // `ch:1?` also matches ch:10 … ch:19: those messages arrive twice, once per subscription.
        const patterns = [`${p}pat:*`, `${p}ch:1?`];
        await using ps = await subscriber.pubsub({ channels, patterns, pingInterval: 5, pingTimeout: 10_000 }).connect();

        const overlap = channels.filter((channel) => /:ch:1\d$/.test(channel)).length;
        const expected = CHANNELS * PER_CHANNEL + PATTERN_CHANNELS * PER_PATTERN_CHANNEL + overlap * PER_CHANNEL;
        const next = new Map<string, number>(); // "kind channel" → next sequence number expected
        let received = 0;
        const reading = (async () => {
          for await (const item of ps) {
            assert.ok(item.type === "message" || item.type === "pmessage", `unexpected ${item.type}`);
            assert.equal(Buffer.isBuffer(item.data), !decodeResponses);
            const key = `${item.type} ${item.channel}`;
            const sequence = Number(item.data.toString());
            assert.equal(sequence, next.get(key) ?? 0, `${key} out of order`);
            next.set(key, sequence + 1);
            if (++received === expected) break;
          }
        })();

        // Each channel's messages in order (one publish after the other), the channels concurrently.
        const publishAll = async (channel: string, count: number): Promise<void> => {
          for (let i = 0; i < count; i++) await publisher.publish(channel, String(i));
        };
        const started = performance.now();
        await Promise.all([
          ...channels.map((channel) => publishAll(channel, PER_CHANNEL)),
          ...Array.from({ length: PATTERN_CHANNELS }, (_, i) => publishAll(`${p}pat:${i}`, PER_PATTERN_CHANNEL)),
        ]);
        const timeout = setTimeout(() => void ps.close(), 10_000);
        try {
          await reading;
        } finally {
          clearTimeout(timeout);
        }
        const elapsed = performance.now() - started;
        assert.equal(received, expected);
        for (const channel of channels) assert.equal(next.get(`message ${channel}`), PER_CHANNEL, channel);
        for (let i = 0; i < PATTERN_CHANNELS; i++) assert.equal(next.get(`pmessage ${p}pat:${i}`), PER_PATTERN_CHANNEL);
        assert.equal(ps.stats.dropped, 0);
        assert.equal(ps.stats.reconnects, 0);
        assert.ok(ps.stats.received >= expected);
        assert.equal(ps.isClosed, true, "break closed it");
        assert.equal(subscriber.connectionPool.stats.dedicated, 0);
        console.log(`RESP${protocolVersion}: ${received} messages in ${elapsed.toFixed(0)} ms, ${ps.stats.pings} keep-alive PINGs`);
      });
    });
  }
}
