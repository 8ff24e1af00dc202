/**
 * ConnectionPool behaviour beyond the seed's examples: dedicated timeouts that give their slot
 * back, idle reaping that spares blocking calls, cold bursts, head-of-line relief, retries,
 * aborts, custom connection classes.
 */
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  AbortError,
  BACKED_UP_BYTES,
  BaseConnection,
  ConnectionError,
  ConnectionPool,
  InvalidArgumentError,
  Redis,
  TCPConnection,
  TCPLocation,
  TimeoutError,
  type BaseConnectionOptions,
  type RedisOptions,
  type TCPConnectionOptions,
} from "../../../src/index.js";
import { replyToCommands, startFakeServer } from "../../harness/fake-server.js";
import { freePort } from "../../harness/ports.js";
import { openSideConnection, runRequest } from "../../harness/run-request.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";

let server: RedisServer;
let side: TCPConnection;

before(async () => {
  server = await startStandalone();
  side = await openSideConnection(server);
});
after(async () => {
  await side?.close();
  await server?.stop();
});

/** Checks `condition` every 10 ms until it holds; fails after 5 s rather than hang. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let checks = 0; !condition(); checks++) {
    if (checks > 500) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("dedicated connections", () => {
  it("a timed-out BLPOP closes its connection and gives its slot back", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 1 });
    await assert.rejects(client.withOptions({ timeout: 100 }).blpop(["pool:ghost"], 0), (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.equal(error.phase, "reply");
      return true;
    });
    // The slot is free again: with maxConnections 1 this would hang if it were lost.
    assert.equal(await client.withOptions({ timeout: 2000 }).ping(), "PONG");
    // And no ghost BLPOP is left at the server to steal the next element.
    await client.rpush("pool:ghost", ["v"]);
    assert.equal(await client.llen("pool:ghost"), 1);
  });

  it("an aborted BLPOP likewise", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 1 });
    const controller = new AbortController();
    const pending = client.withOptions({ signal: controller.signal }).blpop(["pool:aborted"], 0);
    await client.connectionPool.acquire({ dedicated: false }).then(() => undefined); // connected
    setImmediate(() => controller.abort());
    await assert.rejects(pending, AbortError);
    assert.equal(await client.ping(), "PONG");
  });

  it("a request aborted while waiting for a connection never reaches Redis", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 1 });
    const blocking = client.blpop(["pool:hold"], 0.3);
    const controller = new AbortController();
    const waiting = client.withOptions({ signal: controller.signal }).set("pool:never", "x");
    controller.abort();
    await assert.rejects(waiting, (error: unknown) => error instanceof AbortError && !error.written);
    await blocking;
    assert.equal(await client.exists(["pool:never"]), 0);
  });
});

describe("idle connections", () => {
  it("maxIdleTime closes idle connections but never one serving a long BLPOP", async () => {
    await using client = new Redis({ port: server.port, maxIdleTime: 50 });
    await client.ping();
    const blpop = client.blpop(["pool:long"], 0.4);
    // Wait, on pool events, until the shared connection has been reaped.
    const pool = client.connectionPool;
    // The pool has no event for a reap: look again every 10 ms, for 5 s at most.
    await until(() => pool.stats.multiplexed === 0, "the idle shared connection is reaped");
    assert.equal(pool.stats.dedicated, 1, "the BLPOP's connection survives its idle time");
    assert.equal(await blpop, null);
    await until(() => pool.stats.open === 0, "the BLPOP's connection is reaped once idle");
    assert.ok(pool.stats.closed >= 2);
  });
});

describe("multiplexing", () => {
  it("a burst of commands on a cold pool opens one connection, not one each", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 64 });
    const replies = await Promise.all(Array.from({ length: 1000 }, (_, i) => client.echo(`cold-${i}`)));
    assert.equal(replies[999], "cold-999");
    assert.equal(client.connectionPool.stats.created, 1);
  });

  it("a large value in flight makes small commands use another connection", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 4 });
    await client.ping();
    const big = Buffer.alloc(10 * 1024 * 1024, 97);
    // Written from beside the client, so that it does not know the key holds a large value (it
    // would send the GET on its bulk lane from the start: see the next test).
    await runRequest(side, ["SET", "pool:big", big]);
    const first = client.connectionPool.multiplexed()!;
    let largeDone = false;
    const large = client.get("pool:big").finally(() => (largeDone = true));
    // Wait, turn by turn of the event loop, until the 10 MB reply is arriving on the first
    // connection: small commands issued now must not queue behind it.
    while (first.partialReplyBytes <= BACKED_UP_BYTES) {
      assert.equal(largeDone, false, "the 10 MB reply finished before it could be seen arriving");
      await new Promise((resolve) => setImmediate(resolve));
    }
    const smalls = Promise.all(Array.from({ length: 50 }, () => client.ping()));
    assert.equal((await large)?.length, big.length);
    await smalls;
    assert.ok(client.connectionPool.stats.multiplexed >= 2, JSON.stringify(client.connectionPool.stats));
  });
});

describe("the bulk lane", () => {
  /** The `cmd=` (last command) of each of the server's connections, by client id. */
  async function lastCommands(): Promise<Map<number, string>> {
    const list = String(await runRequest(side, ["CLIENT", "LIST"]));
    return new Map(list.trim().split("\n").map((line) => [Number(/\bid=(\d+)/.exec(line)?.[1]), /\bcmd=(\S+)/.exec(line)?.[1] ?? ""]));
  }

  it("large values, written or read back, move on a connection that small commands do not use", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 4 });
    const smallId = await client.clientId();
    await client.set("lane:big", "v".repeat(100 * 1024)); // large arguments: the bulk lane opens
    assert.equal(client.connectionPool.stats.multiplexed, 2);
    assert.equal(await client.strlen("lane:big"), 100 * 1024); // names a key known to be large
    assert.equal(await client.exists(["lane:other"]), 0); // small: stays on the first connection
    assert.equal(await client.clientId(), smallId);
    const commands = await lastCommands();
    assert.equal(commands.get(smallId), "client|id");
    const bulkIds = [...commands].filter(([, cmd]) => cmd === "strlen").map(([id]) => id);
    assert.equal(bulkIds.length, 1, `one connection ran STRLEN: ${JSON.stringify([...commands])}`);
    assert.notEqual(bulkIds[0], smallId);
  });

  it("a key read back large is remembered, and forgotten once read back small", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 4 });
    const smallId = await client.clientId();
    await runRequest(side, ["SET", "lane:learned", "w".repeat(100 * 1024)]);
    assert.equal((await client.get("lane:learned"))?.length, 100 * 1024); // unknown yet: small lane
    assert.equal(client.connectionPool.stats.multiplexed, 1);
    await client.strlen("lane:learned"); // now known large: the bulk lane
    assert.equal(client.connectionPool.stats.multiplexed, 2);
    assert.notEqual((await lastCommands()).get(smallId), "strlen");
    await runRequest(side, ["SET", "lane:learned", "small"]);
    assert.equal(await client.get("lane:learned"), "small"); // read back small on the bulk lane: forgotten
    await client.strlen("lane:learned");
    assert.equal((await lastCommands()).get(smallId), "strlen");
  });

  it("small commands take back an idle connection rather than use the bulk one", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 2 });
    const smallId = await client.clientId();
    await client.set("lane:lend", "v".repeat(100 * 1024)); // the bulk lane: the limit is reached
    // At the limit, the BLPOP borrows the first shared connection, which has nothing in flight,
    // and gives it back idle.
    assert.equal(await client.blpop(["lane:empty"], 0.05), null);
    assert.equal(client.connectionPool.stats.idle, 1);
    assert.equal(await client.clientId(), smallId);
    assert.equal(client.connectionPool.stats.idle, 0);
  });

  it("carries long multi-byte strings and large Buffers written together", async () => {
    await using client = new Redis({ port: server.port });
    const text = "✓é ".repeat(30_000); // 90 000 UTF-16 units, 180 000 bytes of UTF-8
    const bytes = Buffer.alloc(300 * 1024, 0xfe);
    await Promise.all([client.set("lane:text", text), client.set("lane:bytes", bytes), client.set("lane:plain", "p")]);
    assert.equal(await client.get("lane:text"), text);
    assert.deepEqual(await client.decoding(false).get("lane:bytes"), bytes);
    assert.equal(await client.strlen("lane:text"), Buffer.byteLength(text));
    assert.equal(await client.get("lane:plain"), "p");
  });

  it("shares the one connection when maxConnections leaves no room for it", async () => {
    await using client = new Redis({ port: server.port, maxConnections: 1 });
    await client.set("lane:tight", Buffer.alloc(100 * 1024, 1));
    assert.equal((await client.get("lane:tight"))?.length, 100 * 1024);
    assert.equal(client.connectionPool.stats.created, 1);
  });
});

describe("retries", () => {
  it("a request that was never written is retried on a fresh connection", async () => {
    let opened = 0;
    class CountingConnection extends TCPConnection {
      protected override openStream(signal: AbortSignal): Promise<Socket> {
        opened++;
        return super.openStream(signal);
      }
    }
    const port = await freePort();
    const pool = new ConnectionPool({ connectionClass: CountingConnection, location: new TCPLocation("127.0.0.1", port) });
    const client = new Redis({ connectionPool: pool });
    await assert.rejects(client.ping(), (error: unknown) => error instanceof ConnectionError && error.retryable);
    assert.equal(opened, 3, "three attempts by default");
  });

  it("a request whose bytes may have reached Redis is not re-sent", async () => {
    const fake = await startFakeServer(
      replyToCommands((argv, ctx) => {
        if (argv[0] !== "INCR") return undefined;
        ctx.socket.destroy();
        return null;
      }),
    );
    try {
      await using client = new Redis({ port: fake.port });
      await assert.rejects(client.incr("counter"), (error: unknown) => error instanceof ConnectionError && !error.retryable);
      assert.equal(fake.commands.filter((argv) => argv[0] === "INCR").length, 1);
    } finally {
      await fake.close();
    }
  });
});

describe("custom connection classes", () => {
  interface TaggedOptions extends BaseConnectionOptions {
    port: number;
    tag: string;
  }
  class TaggedConnection extends BaseConnection {
    static tags: string[] = [];
    readonly #options: TaggedOptions;
    constructor(options: TaggedOptions) {
      super(options);
      this.#options = options;
      TaggedConnection.tags.push(options.tag);
    }
    protected override openStream(): Promise<Socket> {
      return new Promise((resolve, reject) => {
        const socket = connect(this.#options.port, "127.0.0.1");
        socket.once("error", reject).once("connect", () => resolve(socket));
      });
    }
  }

  it("receives its own options through the pool and carries real traffic", async () => {
    const pool = new ConnectionPool({ connectionClass: TaggedConnection, port: server.port, tag: "custom-tag", clientName: "custom", maxConnections: 2 });
    await using _ = await pool.connect();
    await using client = new Redis({ connectionPool: pool });
    await client.set("custom:key", "value");
    assert.equal(await client.get("custom:key"), "value");
    assert.deepEqual(TaggedConnection.tags, ["custom-tag"]);
    const list = String(await runRequest(side, ["CLIENT", "LIST"]));
    assert.match(list, /name=custom /);
  });
});

describe("options", () => {
  it("bad arguments from JavaScript reject the call's promise, never throw", async () => {
    await using client = new Redis({ port: server.port });
    const nullArgument = client.sendCommand(["SET", "options:k", null as unknown as string]);
    await assert.rejects(nullArgument, InvalidArgumentError);
    const notASignal = client.withOptions({ signal: {} as AbortSignal, timeout: 50 }).get("options:k");
    await assert.rejects(notASignal, InvalidArgumentError);
    assert.equal(await client.ping(), "PONG");
  });

  it("rejects invalid options with the option's name", () => {
    assert.throws(() => new Redis({ maxConnections: 0 }), /maxConnections/);
    assert.throws(() => new Redis({ poolTimeout: -1 }), /poolTimeout|timeout/);
    assert.throws(() => new ConnectionPool({ port: 70_000 }), /port/);
    // A compile error in TypeScript; JavaScript callers get the same message at run time.
    const conflicting = { connectionPool: new ConnectionPool(), host: "x" } as unknown as RedisOptions;
    assert.throws(() => new Redis(conflicting), /host.*connectionPool/);
    const tcp: TCPConnectionOptions = { location: new TCPLocation("localhost", 1) };
    assert.ok(new TCPConnection(tcp));
  });
});

describe("noreply", () => {
  it("sends commands without waiting for replies, which Redis does not send", async () => {
    await using fireAndForget = new Redis({ port: server.port, noreply: true });
    await using normal = new Redis({ port: server.port });
    assert.equal(await fireAndForget.set("noreply:key", "written"), null);
    assert.equal(await fireAndForget.incr("noreply:counter"), null);
    // The writes happened: a normal client sees them once the noreply connection's bytes are read.
    await fireAndForget.set("noreply:last", "done");
    while ((await normal.get("noreply:last")) !== "done") await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await normal.get("noreply:key"), "written");
    assert.equal(await normal.get("noreply:counter"), "1");
  });
});

describe("connectionPoolClass", () => {
  it("creates the client's own pool from the given class, with the client's options", async () => {
    const made: ConnectionPool[] = [];
    class RecordingPool extends ConnectionPool {
      constructor(options: ConstructorParameters<typeof ConnectionPool>[0]) {
        super(options);
        made.push(this);
      }
    }
    await using client = new Redis({ port: server.port, maxConnections: 3, poolTimeout: 250, connectionPoolClass: RecordingPool });
    assert.equal(await client.ping(), "PONG");
    assert.equal(made.length, 1);
    assert.equal(client.connectionPool, made[0]);
    assert.equal(made[0]?.maxConnections, 3);
    assert.equal(made[0]?.timeoutMs, 250);
  });
});
