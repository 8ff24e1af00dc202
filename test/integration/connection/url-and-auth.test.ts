/**
 * Issue 10, end to end: a username without a password logs in as that user (not `default`),
 * `unix://` URLs carry credentials, and every URL query option reaches the server, the pool or
 * the connection it is meant for.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConnectionPool, InvalidArgumentError, Redis, ResponseError, TimeoutError } from "../../../src/index.js";
import { replyToCommands, startFakeServer, type FakeServer } from "../../harness/fake-server.js";
import { parseInfo, rawCommand, startStandalone, type RedisServer } from "../../harness/servers.js";

/** An ACL user with `nopass`: it accepts any password, the empty one included. */
const NOPASS_USER = "nopass-user";
const PASSWORD_USER = "alice";
const PASSWORD = "alice-secret";
const DEFAULT_PASSWORD = "default-secret";

let server: RedisServer;
/** A server whose default user has a password (`requirepass`). */
let secured: RedisServer;
/** Accepts connections and never answers: a connect that cannot finish its handshake. */
let silent: FakeServer;
/** Answers the handshake, then never answers GET: a stalled stream. */
let stalling: FakeServer;
/** Whether the server knows CLIENT NO-TOUCH (7.2+); the harness runs 7.0, which does not. */
let hasNoTouch = false;

before(async () => {
  [server, secured, silent, stalling] = await Promise.all([
    startStandalone({
      unixSocket: true,
      aclUsers: [
        // `nopass` after the harness's `>password` clears it: the user then has no password at all.
        { name: NOPASS_USER, password: "unused", rules: "nopass ~* &* +@all" },
        { name: PASSWORD_USER, password: PASSWORD, rules: "~* &* +@all" },
      ],
    }),
    startStandalone({ unixSocket: true, password: DEFAULT_PASSWORD }),
    startFakeServer(() => undefined),
    startFakeServer(replyToCommands((argv) => (argv[0] === "GET" ? null : undefined))),
  ]);
  const version = parseInfo(await rawCommand(server, "INFO", "server")).get("redis_version") ?? "0.0";
  const [major = 0, minor = 0] = version.split(".").map(Number);
  hasNoTouch = major > 7 || (major === 7 && minor >= 2);
});
after(async () => {
  await Promise.all([server?.stop(), secured?.stop(), silent?.close(), stalling?.close()]);
});

function tcpUrl(userinfo: string, query = ""): string {
  return `redis://${userinfo}${server.host}:${server.port}${query}`;
}
function unixUrl(userinfo: string, query = "", on: RedisServer = server): string {
  return `unix://${userinfo}${on.unixSocketPath ?? "/missing"}${query}`;
}

for (const protocolVersion of [2, 3] as const) {
  describe(`a username without a password, RESP${protocolVersion}`, { timeout: 20_000 }, () => {
    it("logs in as that user from options (not as default)", async () => {
      await using client = new Redis({ host: server.host, port: server.port, username: NOPASS_USER, protocolVersion });
      assert.equal(await client.aclWhoami(), NOPASS_USER);
      assert.equal((await client.clientInfo())["resp"], String(protocolVersion));
    });

    for (const [label, url] of [
      ["redis://user:@host", () => tcpUrl(`${NOPASS_USER}:@`, `?protocol=${protocolVersion}`)],
      ["redis://user@host", () => tcpUrl(`${NOPASS_USER}@`, `?protocol=${protocolVersion}`)],
      ["unix://user:@/path", () => unixUrl(`${NOPASS_USER}:@`, `?protocol=${protocolVersion}`)],
    ] as const) {
      it(`logs in as that user from ${label}`, async () => {
        await using client = Redis.fromUrl(url());
        assert.equal(await client.aclWhoami(), NOPASS_USER);
        assert.equal((await client.clientInfo())["resp"], String(protocolVersion));
      });
    }

    it("logs in as that user through ConnectionPool.fromUrl", async () => {
      const pool = ConnectionPool.fromUrl(tcpUrl(`${NOPASS_USER}:@`, `?protocol=${protocolVersion}`));
      await using client = new Redis({ connectionPool: pool });
      assert.equal(await client.aclWhoami(), NOPASS_USER);
    });
  });

  describe(`unix:// URLs with credentials, RESP${protocolVersion}`, { timeout: 20_000 }, () => {
    it("log in with user and password", async () => {
      await using client = Redis.fromUrl(unixUrl(`${PASSWORD_USER}:${PASSWORD}@`, `?protocol=${protocolVersion}&db=2`));
      assert.equal(await client.aclWhoami(), PASSWORD_USER);
      const info = await client.clientInfo();
      assert.equal(info["db"], "2");
      assert.match(info["addr"] ?? "", /redis\.sock/);
    });

    it("log in as default with a password alone", async () => {
      await using client = Redis.fromUrl(unixUrl(`:${DEFAULT_PASSWORD}@`, `?protocol=${protocolVersion}`, secured));
      assert.equal(await client.aclWhoami(), "default");
      assert.equal(await client.ping(), "PONG");
    });
  });
}

describe("URL query options take effect", { timeout: 30_000 }, () => {
  it("maxConnections, maxIdleTime and timeout reach the client's pool, and the pool timeout applies", async () => {
    await using client = Redis.fromUrl(tcpUrl("", "?maxConnections=1&maxIdleTime=60000&timeout=50"));
    assert.equal(client.connectionPool.maxConnections, 1);
    assert.equal(client.connectionPool.maxIdleTimeMs, 60_000);
    assert.equal(client.connectionPool.timeoutMs, 50);
    await client.connect();
    // One BLPOP holds the only connection; a second one cannot get any and gives up after 50 ms.
    const holder = client.blpop(["url:hold"], 5);
    await assert.rejects(client.blpop(["url:other"], 5), (error: unknown) => {
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(error.phase, "pool");
      return true;
    });
    await rawCommand(server, "RPUSH", "url:hold", "v");
    assert.deepEqual(await holder, ["url:hold", "v"]);
  });

  it("the snake_case spellings are seconds", async () => {
    await using client = Redis.fromUrl(tcpUrl("", "?max_connections=2&max_idle_time=1.5&pool_timeout=0.25"));
    assert.equal(client.connectionPool.maxConnections, 2);
    assert.equal(client.connectionPool.maxIdleTimeMs, 1500);
    assert.equal(client.connectionPool.timeoutMs, 250);
  });

  it("ConnectionPool.fromUrl takes timeout/poolTimeout as its own timeout; explicit options win", () => {
    assert.equal(ConnectionPool.fromUrl(tcpUrl("", "?timeout=40")).timeoutMs, 40);
    assert.equal(ConnectionPool.fromUrl(tcpUrl("", "?poolTimeout=41")).timeoutMs, 41);
    assert.equal(ConnectionPool.fromUrl(tcpUrl("", "?pool_timeout=0.042")).timeoutMs, 42);
    assert.equal(ConnectionPool.fromUrl(tcpUrl("", "?timeout=40"), { timeout: 90 }).timeoutMs, 90);
    const pool = ConnectionPool.fromUrl(tcpUrl("", "?maxConnections=3&maxIdleTime=700"));
    assert.equal(pool.maxConnections, 3);
    assert.equal(pool.maxIdleTimeMs, 700);
  });

  it("clientName and client_name name the connection", async () => {
    await using named = Redis.fromUrl(tcpUrl("", "?clientName=url-client"));
    assert.equal(await named.clientGetname(), "url-client");
    await using snake = Redis.fromUrl(unixUrl("", "?client_name=url-snake&protocol=2"));
    assert.equal(await snake.clientGetname(), "url-snake");
    const list = await rawCommand(server, "CLIENT", "LIST");
    assert.match(list, /name=url-client /);
    assert.match(list, /name=url-snake /);
  });

  it("noevict=yes sets the connection's no-evict flag; noevict=no does not", async () => {
    await using evictless = Redis.fromUrl(tcpUrl("", "?noevict=yes"));
    assert.match((await evictless.clientInfo())["flags"] ?? "", /e/);
    await using ordinary = Redis.fromUrl(tcpUrl("", "?noevict=NO"));
    assert.doesNotMatch((await ordinary.clientInfo())["flags"] ?? "", /e/);
  });

  it("notouch=true sends CLIENT NO-TOUCH ON (which a 7.0 server refuses, failing the connect)", async () => {
    await using client = Redis.fromUrl(tcpUrl("", "?notouch=true"));
    if (hasNoTouch) {
      assert.match((await client.clientInfo())["flags"] ?? "", /T/);
    } else {
      await assert.rejects(client.connect(), (error: unknown) => {
        assert.ok(error instanceof ResponseError, String(error));
        assert.match(error.message, /NO-TOUCH/);
        return true;
      });
    }
    await using untouched = Redis.fromUrl(tcpUrl("", "?notouch=0"));
    assert.equal(await untouched.ping(), "PONG");
  });

  it("noreply=1 turns replies off", async () => {
    await rawCommand(server, "SET", "url:noreply", "present");
    await using client = Redis.fromUrl(tcpUrl("", "?noreply=1"));
    assert.equal(await client.get("url:noreply"), null);
    await using replying = Redis.fromUrl(tcpUrl("", "?noreply=false"));
    assert.equal(await replying.get("url:noreply"), "present");
  });

  it("db and protocol select the database and the RESP version", async () => {
    await using client = Redis.fromUrl(tcpUrl("", "?db=4&protocol=2"));
    const info = await client.clientInfo();
    assert.equal(info["db"], "4");
    assert.equal(info["resp"], "2");
  });

  for (const query of ["?connectTimeout=100", "?connect_timeout=0.1", "?socket_connect_timeout=0.1"]) {
    it(`${query} bounds the connect (the default is 10 s)`, async () => {
      await using client = Redis.fromUrl(`redis://${silent.host}:${silent.port}${query}`);
      const started = performance.now();
      await assert.rejects(client.connect(), (error: unknown) => {
        assert.ok(error instanceof TimeoutError, String(error));
        assert.equal(error.phase, "connect");
        return true;
      });
      const elapsed = performance.now() - started;
      // Retried connects (a connect timeout is retryable) each take 100 ms; far below 10 s either way.
      assert.ok(elapsed >= 90 && elapsed < 5_000, `gave up after ${elapsed} ms`);
    });
  }

  for (const query of ["?streamTimeout=100", "?stream_timeout=0.1", "?socket_timeout=0.1"]) {
    it(`${query} fails a stalled reply (the default waits forever)`, async () => {
      await using client = Redis.fromUrl(`redis://${stalling.host}:${stalling.port}${query}`);
      await client.connect();
      const started = performance.now();
      await assert.rejects(client.get("stalls"), (error: unknown) => {
        assert.ok(error instanceof TimeoutError, String(error));
        assert.equal(error.phase, "reply");
        return true;
      });
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 90 && elapsed < 5_000, `gave up after ${elapsed} ms`);
    });
  }

  it("an unknown or malformed option fails fromUrl at once, without the password", () => {
    for (const url of [tcpUrl(`u:${PASSWORD}@`, "?maxconnections=2"), tcpUrl(`u:${PASSWORD}@`, "?noevict=maybe")]) {
      for (const fromUrl of [() => Redis.fromUrl(url), () => ConnectionPool.fromUrl(url)]) {
        assert.throws(fromUrl, (error: unknown) => {
          assert.ok(error instanceof InvalidArgumentError, String(error));
          assert.ok(!error.message.includes(PASSWORD), error.message);
          return true;
        });
      }
    }
  });
});
