/**
 * The pubsub commands that do not subscribe (PUBLISH, SPUBLISH, PUBSUB *) against a real server,
 * under RESP2 and RESP3. The subscribers are raw sockets speaking RESP2, so that the counts and
 * deliveries do not depend on the client's own pubsub support.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { describeEachProtocol } from "../../harness/matrix.js";
import type { RedisServer } from "../../harness/servers.js";
import { plain, sameUnderBothProtocols } from "./compare-protocols.js";

/** A raw RESP2 connection that subscribes and collects everything the server sends. */
class RawSubscriber {
  #received = "";
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.#received += chunk;
    });
  }

  static async connect(server: RedisServer): Promise<RawSubscriber> {
    const socket = net.connect(server.port, server.host);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RawSubscriber(socket);
  }

  /** Sends one command. */
  send(...args: string[]): void {
    this.socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`);
  }

  /** Waits until `text` has arrived. */
  async waitFor(text: string): Promise<void> {
    for (let i = 0; !this.#received.includes(text); i++) {
      if (i > 500) throw new Error(`never received ${JSON.stringify(text)}; got ${JSON.stringify(this.#received)}`);
      await delay(10);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
    });
  }
}

describeEachProtocol("pubsub commands", (ctx) => {
  it("PUBLISH, PUBSUB CHANNELS, NUMSUB, NUMPAT", async () => {
    const { client, server, prefix } = ctx();
    const [news, sport] = [`${prefix}news`, `${prefix}sport`];
    assert.equal(await client.publish(news, "nobody listens"), 0);
    assert.deepEqual(await client.pubsubChannels({ pattern: `${prefix}*` }), []);
    const baseline = await client.pubsubNumpat();

    const first = await RawSubscriber.connect(server);
    const second = await RawSubscriber.connect(server);
    try {
      first.send("SUBSCRIBE", news, sport);
      second.send("SUBSCRIBE", news);
      second.send("PSUBSCRIBE", `${prefix}n*`);
      await first.waitFor(sport);
      await second.waitFor(`${prefix}n*`);

      assert.deepEqual([...(await client.pubsubChannels({ pattern: `${prefix}*` }))].sort(), [news, sport]);
      assert.ok((await client.pubsubChannels()).includes(news));
      const counts = await sameUnderBothProtocols(server, (c) => c.pubsubNumsub([news, sport, `${prefix}none`]));
      assert.deepEqual(plain(counts), { [news]: 2, [sport]: 1, [`${prefix}none`]: 0 });
      assert.deepEqual(plain(await client.pubsubNumsub()), {});
      assert.equal(await client.pubsubNumpat(), baseline + 1);

      // Two subscribers of the channel, one of them also through its pattern: three deliveries.
      assert.equal(await client.publish(news, "hello"), 3);
      await first.waitFor("hello");
      await second.waitFor("pmessage");
      assert.equal(await client.publish(sport, Buffer.from("score")), 1);
      await first.waitFor("score");
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("SPUBLISH, PUBSUB SHARDCHANNELS, SHARDNUMSUB", async () => {
    const { client, server, prefix } = ctx();
    const shard = `${prefix}shard`;
    assert.equal(await client.spublish(shard, "nobody"), 0);
    assert.deepEqual(await client.pubsubShardchannels({ pattern: `${prefix}*` }), []);
    const subscriber = await RawSubscriber.connect(server);
    try {
      subscriber.send("SSUBSCRIBE", shard);
      await subscriber.waitFor("ssubscribe");
      assert.deepEqual(await client.pubsubShardchannels({ pattern: `${prefix}*` }), [shard]);
      assert.ok((await client.pubsubShardchannels()).includes(shard));
      const counts = await sameUnderBothProtocols(server, (c) => c.pubsubShardnumsub([shard, `${prefix}other`]));
      assert.deepEqual(plain(counts), { [shard]: 1, [`${prefix}other`]: 0 });
      assert.deepEqual(plain(await client.pubsubShardnumsub()), {});
      assert.equal(await client.spublish(shard, "sharded hello"), 1);
      await subscriber.waitFor("sharded hello");
    } finally {
      await subscriber.close();
    }
  });

  it("PUBSUB HELP", async () => {
    const { client } = ctx();
    assert.ok((await client.pubsubHelp()).some((line) => line.includes("NUMSUB")));
    assert.ok((await ctx().buffers.pubsubHelp()).every((line) => typeof line === "string"));
  });
});
