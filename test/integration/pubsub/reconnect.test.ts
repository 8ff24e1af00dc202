/**
 * A pubsub instance across lost connections: CLIENT KILL, a server restart, several failed
 * attempts in a row (a fake server that drops them), a dead peer found by the keep-alive, an
 * unreachable server (bounded waits, typed errors), the client closed under it, and a
 * subscription the server refuses. Keep-alive PINGs under RESP2 and RESP3 are here too.
 *
 * Ported from the Python coredis tests: test_resubscribe_to_channels_on_reconnection and
 * test_resubscribe_to_patterns_on_reconnection (tests/test_pubsub.py).
 */
import assert from "node:assert/strict";
import type net from "node:net";
import { after, before, describe, it } from "node:test";
import {
  ClientClosedError,
  ConnectionError,
  Redis,
  ResponseError,
  TimeoutError,
  type PubSub,
  type PubSubItem,
} from "../../../src/index.js";
import { replyToCommands, resp, startFakeServer, type CommandReplier, type FakeServer } from "../../harness/fake-server.js";
import { freePort } from "../../harness/ports.js";
import { clientIdsNamed, openSideConnection, runRequest } from "../../harness/run-request.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";
import { until } from "../../harness/wait.js";

const fixture = standaloneWithSide();

async function numsub(channel: string): Promise<number> {
  const reply = (await runRequest(fixture.side, ["PUBSUB", "NUMSUB", channel])) as (string | number)[];
  return Number(reply[1]);
}

/** A reader that collects everything into `items`, and can wait for a condition on them. */
class Reader {
  readonly items: PubSubItem[] = [];
  readonly done: Promise<unknown>;
  #changed: (() => void) | undefined;

  constructor(ps: PubSub) {
    this.done = (async () => {
      for await (const item of ps) {
        this.items.push(item);
        this.#changed?.();
      }
    })().catch((error: unknown) => error);
  }

  /** Waits (at most `withinMs`) until `condition` holds on the items read so far. */
  async until(condition: (items: readonly PubSubItem[]) => boolean, what: string, withinMs = 5_000): Promise<void> {
    const deadline = performance.now() + withinMs;
    while (!condition(this.items)) {
      const left = deadline - performance.now();
      if (left <= 0) assert.fail(`timed out waiting until ${what}; read ${JSON.stringify(this.items)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  data(): string[] {
    return this.items.flatMap((item) => (item.type === "message" || item.type === "pmessage" ? [item.data] : []));
  }
}

for (const protocolVersion of [2, 3] as const) {
  describe(`pubsub after CLIENT KILL [RESP${protocolVersion}]`, () => {
    const p = `kill${protocolVersion}:`;

    it("the instance resubscribes everything, tells the reader, and later messages arrive (coredis: test_resubscribe_to_channels/patterns_on_reconnection)", async () => {
      const name = `${p}victim`;
      await using client = new Redis({ port: fixture.server.port, protocolVersion, clientName: name });
      await using publisher = new Redis({ port: fixture.server.port, protocolVersion });
      const channels = [`${p}foo`, `${p}bar`, `${p}uni${String.fromCharCode(56)}code`];
      const patterns = [`${p}f*`, `${p}b*`];
      await using ps = await client.pubsub({ channels, patterns }).connect();
      const reader = new Reader(ps);
      await publisher.publish(`${p}bar`, "before");
      await reader.until((items) => items.length === 2, "both deliveries of the first message");

      const killed = Number(await runRequest(fixture.side, ["CLIENT", "KILL", "TYPE", "pubsub"]));
      assert.ok(killed >= 1);
      await reader.until((items) => items.some((item) => item.type === "resubscribed"), "the loss was reported");
      const notice = reader.items[2];
      assert.deepEqual(notice, { type: "resubscribed", channels, patterns });
      for (const channel of channels) assert.equal(await numsub(channel), 1, channel);
      assert.equal(ps.stats.reconnects, 1);
      assert.equal(ps.isConnected, true);
      assert.equal(client.connectionPool.stats.dedicated, 1, "the old slot was freed, a new one taken");

      assert.equal(await publisher.publish(`${p}foo`, "after"), 2);
      await reader.until((items) => items.length === 5, "the messages after the loss");
      assert.deepEqual(reader.data(), ["before", "before", "after", "after"]);
      assert.equal(reader.items.filter((item) => item.type === "resubscribed").length, 1);
    });

    it("killed 20 times in a row: every time resubscribed, every message published while subscribed arrives", async () => {
      const name = `${p}serial`;
      await using client = new Redis({ port: fixture.server.port, protocolVersion, clientName: name });
      await using publisher = new Redis({ port: fixture.server.port, protocolVersion });
      await using ps = await client.pubsub({ channels: [`${p}serial`] }).connect();
      const reader = new Reader(ps);
      for (let round = 0; round < 20; round++) {
        // Published while subscribed: the server counts one receiver.
        assert.equal(await publisher.publish(`${p}serial`, String(round)), 1);
        await reader.until(() => reader.data().length === round + 1, `message ${round}`);
        for (const id of await clientIdsNamed(fixture.side, name)) await runRequest(fixture.side, ["CLIENT", "KILL", "ID", id]);
        await reader.until(
          (items) => items.filter((item) => item.type === "resubscribed").length === round + 1,
          `resubscription ${round}`,
        );
        await until(async () => (await numsub(`${p}serial`)) === 1, "the server counts the subscriber again");
      }
      assert.deepEqual(reader.data(), Array.from({ length: 20 }, (_, i) => String(i)));
      assert.equal(ps.stats.reconnects, 20);
    });

    it(`keep-alive: with a short pingInterval, PINGs go out on the subscribed connection and are answered`, async () => {
      const name = `${p}ping`;
      await using client = new Redis({ port: fixture.server.port, protocolVersion, clientName: name });
      await using publisher = new Redis({ port: fixture.server.port, protocolVersion });
      await using ps = await client.pubsub({ channels: [`${p}ping`], patterns: [`${p}pi*`], pingInterval: 20, pingTimeout: 10_000 }).connect();
      const reader = new Reader(ps);
      await until(() => ps.stats.pings >= 3, "three keep-alive PINGs were sent", { withinMs: 5_000 });
      // The server saw them: PING is the connection's last command (CLIENT LIST's cmd), and
      // INFO commandstats counts them.
      await until(async () => {
        const list = String(await runRequest(fixture.side, ["CLIENT", "LIST"]));
        return list.split("\n").some((line) => line.includes(` name=${name} `) && / sub=1 psub=1 .* cmd=ping /.test(line));
      }, "CLIENT LIST shows cmd=ping on the subscribed connection");
      // Messages in between are unaffected, and the connection was never replaced.
      for (let i = 0; i < 50; i++) await publisher.publish(`${p}ping`, String(i));
      await reader.until(() => reader.data().length === 100, "100 deliveries");
      assert.equal(ps.stats.reconnects, 0);
      assert.equal(reader.items.length, 100, "no notices");
    });
  });
}

describe("pubsub across a server restart", () => {
  it("the instance waits through the outage, reconnects with backoff, resubscribes and reports it", async () => {
    let server: RedisServer | undefined = await startStandalone();
    const port = server.port;
    try {
      await using client = new Redis({ port });
      await using ps = await client.pubsub({ channels: ["restart:ch"], maxReconnectDelay: 100 }).connect();
      const reader = new Reader(ps);
      await server.stop();
      server = undefined;
      await until(() => !ps.isConnected, "the instance saw the server go");
      // Nothing answers now: a subscribe waits, bounded by subscribeTimeout (10 s); restart first.
      server = await startStandalone({ extraArgs: ["--port", String(port)] });
      await reader.until((items) => items.some((item) => item.type === "resubscribed"), "resubscribed", 10_000);
      await using publisher = new Redis({ port });
      assert.equal(await publisher.publish("restart:ch", "back"), 1);
      await reader.until(() => reader.data().includes("back"), "the message after the restart");
      assert.deepEqual(reader.items[0], { type: "resubscribed", channels: ["restart:ch"], patterns: [] });
    } finally {
      await server?.stop();
    }
  });
});

/**
 * A fake Redis that speaks enough pubsub: (p)(un)subscribe confirmations in RESP2 arrays or RESP3
 * pushes, PING in subscribed mode. `stallPings` leaves PINGs after the first on each connection
 * unanswered (a dead peer that still holds the socket).
 */
function pubsubReplier(options: { stallPings?: boolean; onSubscribe?: (socket: net.Socket) => void } = {}): CommandReplier {
  const counts = new Map<net.Socket, number>();
  const pings = new Map<net.Socket, number>();
  return (argv, ctx) => {
    const name = (argv[0] ?? "").toUpperCase();
    const frame = (items: Buffer[]): Buffer => (ctx.protocol === 3 ? resp.push(items) : resp.array(items));
    if (["SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE"].includes(name)) {
      const subscribing = !name.includes("UN");
      if (subscribing) options.onSubscribe?.(ctx.socket);
      const out: Buffer[] = [];
      for (const channel of argv.slice(1)) {
        const count = Math.max(0, (counts.get(ctx.socket) ?? 0) + (subscribing ? 1 : -1));
        counts.set(ctx.socket, count);
        out.push(frame([resp.bulk(name.toLowerCase()), resp.bulk(channel), resp.integer(count)]));
      }
      if (argv.length === 1) out.push(frame([resp.bulk(name.toLowerCase()), resp.bulk(null), resp.integer(0)]));
      if (argv.length === 1) counts.set(ctx.socket, 0);
      return Buffer.concat(out);
    }
    if (name === "PING") {
      const n = (pings.get(ctx.socket) ?? 0) + 1;
      pings.set(ctx.socket, n);
      if (options.stallPings === true && n > 1) return "";
      if ((counts.get(ctx.socket) ?? 0) > 0 && ctx.protocol === 2) return resp.array([resp.bulk("pong"), resp.bulk("")]);
      return resp.simple("PONG");
    }
    return undefined;
  };
}

/** A RESP2 or RESP3 message frame, as a server pushes it. */
function messageFrame(protocol: 2 | 3, channel: string, data: string): Buffer {
  const items = [resp.bulk("message"), resp.bulk(channel), resp.bulk(data)];
  return protocol === 3 ? resp.push(items) : resp.array(items);
}

describe("pubsub against a fake server", () => {
  let fake: FakeServer | undefined;
  after(() => fake?.close());

  for (const protocolVersion of [2, 3] as const) {
    it(`[RESP${protocolVersion}] three failed attempts in a row: waits 0, 50, 100, 200 ms between them (capped backoff), then resubscribes`, async () => {
      const acceptedAt: number[] = [];
      const subscribers: net.Socket[] = [];
      let drop = 0;
      const serve = replyToCommands(pubsubReplier({ onSubscribe: (socket) => subscribers.includes(socket) || subscribers.push(socket) }));
      fake = await startFakeServer((socket, ctx) => {
        if (drop > 0) {
          // A failed attempt: the connection is dropped at once, during its handshake.
          drop--;
          acceptedAt.push(performance.now());
          socket.destroy();
          return;
        }
        if (subscribers.length > 0) acceptedAt.push(performance.now());
        return serve(socket, ctx);
      });
      await using client = new Redis({ port: fake.port, protocolVersion });
      await using ps = await client.pubsub({ channels: ["fake:a"], patterns: ["fake:p*"], maxReconnectDelay: 150 }).connect();
      const reader = new Reader(ps);
      const [first] = subscribers;
      assert.ok(first !== undefined && subscribers.length === 1);
      first.write(messageFrame(protocolVersion, "fake:a", "one"));
      await reader.until(() => reader.data().length === 1, "the first message");
      drop = 3;
      acceptedAt.push(performance.now());
      first.destroy();
      await reader.until((items) => items.some((item) => item.type === "resubscribed"), "resubscribed");
      const second = subscribers[1];
      assert.ok(second !== undefined);
      assert.equal(subscribers.length, 2);
      second.write(messageFrame(protocolVersion, "fake:a", "two"));
      await reader.until(() => reader.data().length === 2, "the message after resubscribing");
      assert.deepEqual(reader.items, [
        { type: "message", channel: "fake:a", pattern: undefined, data: "one" },
        { type: "resubscribed", channels: ["fake:a"], patterns: ["fake:p*"] },
        { type: "message", channel: "fake:a", pattern: undefined, data: "two" },
      ]);
      // The loss, then at once; then 50 ms; 100 ms; 200 ms, capped at 150.
      const gaps = acceptedAt.slice(1).map((at, i) => at - (acceptedAt[i] ?? 0));
      assert.equal(gaps.length, 4, `gaps ${gaps.join(", ")}`);
      const [immediate, fifty, hundred, capped] = gaps as [number, number, number, number];
      assert.ok(immediate < 45, `gaps ${gaps.join(", ")}`);
      assert.ok(fifty >= 45 && fifty < 150, `gaps ${gaps.join(", ")}`);
      assert.ok(hundred >= 95 && hundred < 250, `gaps ${gaps.join(", ")}`);
      assert.ok(capped >= 145 && capped < 300, `gaps ${gaps.join(", ")}`);
      // The new connection got the whole set, and nothing but pubsub commands and PINGs.
      const subscribes = fake.commands.filter((argv) => /SUBSCRIBE$/i.test(argv[0] ?? ""));
      assert.deepEqual(subscribes, [["SUBSCRIBE", "fake:a"], ["PSUBSCRIBE", "fake:p*"], ["SUBSCRIBE", "fake:a"], ["PSUBSCRIBE", "fake:p*"]]);
      const handshake = new Set(["HELLO", "CLIENT", "SELECT", "AUTH"]);
      const others = fake.commands.map((argv) => (argv[0] ?? "").toUpperCase()).filter((command) => !handshake.has(command));
      assert.deepEqual(new Set(others), new Set(["SUBSCRIBE", "PSUBSCRIBE", "PING"]), "nothing but subscriptions and PINGs");
      await fake.close();
      fake = undefined;
    });

    it(`[RESP${protocolVersion}] a peer that stops answering is found by the keep-alive and replaced`, async () => {
      fake = await startFakeServer(replyToCommands(pubsubReplier({ stallPings: true })));
      await using client = new Redis({ port: fake.port, protocolVersion });
      // The first PING on each connection is the subscription barrier; the keep-alive's go unanswered.
      await using ps = await client.pubsub({ channels: ["fake:dead"], pingInterval: 30 }).connect();
      const reader = new Reader(ps);
      await reader.until((items) => items.some((item) => item.type === "resubscribed"), "the dead connection was replaced");
      assert.ok(fake.connections.length >= 2);
      assert.ok(ps.stats.pings >= 1);
      await fake.close();
      fake = undefined;
    });
  }
});

describe("pubsub while the server cannot be reached", () => {
  it("connect() and subscribe() reject with TimeoutError (phase connect, cause: the connection error) after subscribeTimeout; the instance keeps trying and succeeds once a server is there", async () => {
    const port = await freePort();
    await using client = new Redis({ port, connectTimeout: 200 });
    await using ps = client.pubsub({ channels: ["later:a"], subscribeTimeout: 300, maxReconnectDelay: 50 });
    let started = performance.now();
    await assert.rejects(ps.connect(), (error: unknown) => {
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(error.phase, "connect");
      assert.ok(error.cause instanceof ConnectionError, String(error.cause));
      return true;
    });
    let elapsed = performance.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 1_000, `${elapsed} ms`);
    started = performance.now();
    await assert.rejects(ps.subscribe("later:b"), TimeoutError);
    elapsed = performance.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 1_000, `${elapsed} ms`);
    assert.deepEqual(ps.channels, ["later:a", "later:b"], "a timed-out subscribe stays in the kept set");
    const server = await startStandalone({ extraArgs: ["--port", String(port)] });
    try {
      await ps.connect();
      // The server listens on `port` (its --port argument wins over the harness's choice).
      const side = await openSideConnection({ host: server.host, port });
      try {
        await until(async () => Number(((await runRequest(side, ["PUBSUB", "NUMSUB", "later:b"])) as unknown[])[1]) === 1, "subscribed");
      } finally {
        await side.close();
      }
      await ps.close();
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it("a pool with no free slot: connect() rejects with TimeoutError; once the slot is free the instance gets it", async () => {
    await using client = new Redis({ port: fixture.server.port, maxConnections: 1, poolTimeout: 100 });
    const holder = await client.pubsub({ channels: ["slot:a"] }).connect();
    const waiting = client.pubsub({ channels: ["slot:b"], subscribeTimeout: 300, maxReconnectDelay: 50 });
    await assert.rejects(waiting.connect(), (error: unknown) => error instanceof TimeoutError);
    await holder.close();
    await waiting.connect();
    assert.equal(await numsub("slot:b"), 1);
    await waiting.close();
    assert.equal(client.connectionPool.stats.dedicated, 0);
  });
});

describe("pubsub when it cannot go on", () => {
  it("the client closed under it: iteration throws ClientClosedError, calls reject with it", async () => {
    const client = new Redis({ port: fixture.server.port });
    const ps = await client.pubsub({ channels: ["closed:a"] }).connect();
    const reading = (async () => {
      for await (const _ of ps) {
        /* nothing is published */
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    await client.close();
    const error = await reading;
    assert.ok(error instanceof ClientClosedError, String(error));
    await assert.rejects(ps.subscribe("closed:b"), ClientClosedError);
    assert.equal(ps.isClosed, true);
    await ps.close();
  });

  describe("with an ACL user limited to some channels", () => {
    let server: RedisServer | undefined;
    before(async () => {
      server = await startStandalone({ aclUsers: [{ name: "reader", password: "secret", rules: "resetchannels &allowed:* +@all ~*" }] });
    });
    after(() => server?.stop());

    it("subscribe() to a forbidden channel rejects with the server's NOPERM, and the instance goes on", async () => {
      if (server === undefined) throw new Error("no server");
      await using client = new Redis({ port: server.port, username: "reader", password: "secret" });
      await using publisher = new Redis({ port: server.port });
      await using ps = await client.pubsub({ channels: ["allowed:1"] }).connect();
      const reader = new Reader(ps);
      await assert.rejects(ps.subscribe("allowed:2", "forbidden:1"), (error: unknown) => {
        assert.ok(error instanceof ResponseError, String(error));
        assert.match(error.message, /NOPERM/);
        return true;
      });
      assert.deepEqual(ps.channels, ["allowed:1"], "the refused names are not kept");
      assert.equal(ps.stats.reconnects, 0, "the refusal leaves the connection in step: it is kept");
      await ps.subscribe("allowed:3");
      assert.equal(await publisher.publish("allowed:3", "ok"), 1);
      await reader.until(() => reader.data().includes("ok"), "a message on an allowed channel");
    });

    it("a pubsub whose first subscriptions are refused stops: connect() and iteration fail with NOPERM", async () => {
      if (server === undefined) throw new Error("no server");
      await using client = new Redis({ port: server.port, username: "reader", password: "secret" });
      const ps = client.pubsub({ channels: ["forbidden:2"] });
      await assert.rejects(ps.connect(), /NOPERM/);
      await assert.rejects(ps[Symbol.asyncIterator]().next(), /NOPERM/);
      assert.equal(ps.isClosed, true);
      await ps.close();
      assert.equal(client.connectionPool.stats.dedicated, 0);
    });
  });
});
