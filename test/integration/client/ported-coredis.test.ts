/**
 * Behavioural cases of the Python coredis project's standalone tests (alisaifee/coredis 6.x,
 * plus 5.7 for the removed BlockingConnectionPool tests) that apply to this client and were not
 * covered elsewhere; see the research notes in the brief. Each `it` names the coredis test it
 * ports. Everything runs against real redis-server processes.
 */
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  AuthenticationError,
  AuthorizationError,
  ClientClosedError,
  ConnectionError,
  ConnectionPool,
  noRetry,
  Redis,
  type RedisError,
  ResponseError,
  type RetryPolicy,
  TCPConnection,
  TCPLocation,
  TimeoutError,
  type BaseConnection,
} from "../../../src/index.js";
import { freePort } from "../../harness/ports.js";
import { openSideConnection, runRequest } from "../../harness/run-request.js";
import { parseInfo, startStandalone, type RedisServer } from "../../harness/servers.js";
import { until } from "../../harness/wait.js";

const SERVER_PASSWORD = "server-secret-7f3a";
const NOCLIENT_USER = "noclient";
const NOCLIENT_PASSWORD = "noclient-secret-91c2";

/** A default server with a Unix socket, and a user that may not run any CLIENT subcommand. */
let plain: RedisServer;
/** A server whose default user has a password (`requirepass`). */
let secured: RedisServer;
let side: TCPConnection;
let securedSide: TCPConnection;

before(async () => {
  [plain, secured] = await Promise.all([
    startStandalone({
      unixSocket: true,
      aclUsers: [{ name: NOCLIENT_USER, password: NOCLIENT_PASSWORD, rules: "~* &* +@all -client" }],
    }),
    startStandalone({ password: SERVER_PASSWORD }),
  ]);
  side = await openSideConnection(plain);
  securedSide = new TCPConnection({ location: new TCPLocation(secured.host, secured.port), password: SERVER_PASSWORD, clientName: "side" });
  await securedSide.connect();
});
after(async () => {
  await Promise.all([side?.close(), securedSide?.close()]);
  await Promise.all([plain?.stop(), secured?.stop()]);
});

/** Connections `on` the server's CLIENT LIST shows with this client name. */
async function connectionsNamed(name: string, on: TCPConnection = side): Promise<string[]> {
  const list = String(await runRequest(on, ["CLIENT", "LIST"]));
  return list.split("\n").filter((line) => line.includes(` name=${name} `));
}

/** Connections the server has accepted since it started (INFO stats), through a side connection. */
async function connectionsReceived(on: TCPConnection): Promise<number> {
  const stats = parseInfo(String(await runRequest(on, ["INFO", "stats"])));
  return Number(stats.get("total_connections_received"));
}

/** How many times Redis has executed `command` (INFO commandstats). */
async function callsOf(command: string): Promise<number> {
  const stats = String(await runRequest(side, ["INFO", "commandstats"]));
  const line = stats.split("\r\n").find((l) => l.startsWith(`cmdstat_${command}:`));
  return line === undefined ? 0 : Number(/calls=(\d+)/.exec(line)?.[1]);
}

/** A TCP connection class that counts the streams it opens: one per connection attempt. */
function countingConnectionClass(): { Counting: typeof TCPConnection; opened: () => number } {
  let opened = 0;
  class Counting extends TCPConnection {
    protected override openStream(signal: AbortSignal): Promise<Socket> {
      opened++;
      return super.openStream(signal);
    }
  }
  return { Counting, opened: () => opened };
}

describe("the blocking pool's waiters", () => {
  // coredis 5.7 tests/test_connection_pool.py TestBlockingConnectionPool::test_max_connections_no_timeout
  it("a waiter blocked at the limit wakes when a slot is released, gets that connection, and waiters are served in order", async () => {
    const pool = new ConnectionPool({ host: plain.host, port: plain.port, maxConnections: 1 });
    await using _ = await pool.connect();
    const held = await pool.acquire({ dedicated: true });
    const served: string[] = [];
    const first = pool.acquire({ dedicated: true }).then((connection) => {
      served.push("first");
      return connection;
    });
    const second = pool.acquire({ dedicated: true }).then((connection) => {
      served.push("second");
      return connection;
    });
    assert.equal(pool.stats.waiters, 2);
    // A round trip on the held connection: the event loop turns, and nobody is served meanwhile.
    assert.equal(await runRequest(held, ["PING"]), "PONG");
    assert.deepEqual(served, []);
    assert.equal(pool.stats.waiters, 2);

    pool.release(held);
    const gotFirst = await first;
    assert.equal(gotFirst, held, "the first waiter gets the connection just released");
    assert.deepEqual(served, ["first"]);
    assert.equal(pool.stats.waiters, 1);
    assert.equal(await runRequest(gotFirst, ["PING"]), "PONG");
    assert.deepEqual(served, ["first"], "the second waiter still waits while the first holds it");

    pool.release(gotFirst);
    const gotSecond = await second;
    assert.equal(gotSecond, held);
    assert.deepEqual(served, ["first", "second"]);
    assert.equal(pool.stats.waiters, 0);
    assert.equal(pool.stats.created, 1, "no connection beyond the limit was ever opened");
    pool.release(gotSecond);
  });
});

describe("closing the pool", () => {
  // coredis 5.7 tests/test_connection_pool.py TestBlockingConnectionPool::test_pool_disconnect
  // (and 6.x pool teardown): every connection closes, idle or in use.
  it("the owner's close() closes every connection: shared, idle, and dedicated ones held by a caller", async () => {
    const name = "ported-close";
    const pool = new ConnectionPool({ host: plain.host, port: plain.port, maxConnections: 4, clientName: name });
    await pool.connect(); // one shared connection
    const idle = await pool.acquire({ dedicated: true });
    const held = await pool.acquire({ dedicated: true });
    pool.release(idle);
    // The caller holding `held` has a blocking request in flight on it.
    const blocked = runRequest(held, ["BLPOP", "ported:close:never", "0"]).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.deepEqual(
      [pool.stats.open, pool.stats.multiplexed, pool.stats.idle, pool.stats.dedicated],
      [3, 1, 1, 1],
    );
    await until(async () => (await connectionsNamed(name)).length === 3, "the server sees the pool's 3 connections");
    await until(async () => (await connectionsNamed(name)).some((line) => line.includes("cmd=blpop")), "the BLPOP is blocked at the server");

    await pool.close();
    assert.equal(pool.stats.open, 0);
    assert.equal(pool.stats.connecting, 0);
    assert.equal(held.isClosed, true, "the dedicated connection held by a caller is destroyed");
    assert.equal(idle.isClosed, true);
    assert.ok((await blocked) instanceof ClientClosedError, "the request in flight on it fails with a typed error");
    await assert.rejects(runRequest(held, ["PING"]), ConnectionError);
    await until(async () => (await connectionsNamed(name)).length === 0, "the server sees no connection of the pool");
  });
});

describe("constructing pools and clients", () => {
  // coredis 6.x tests/test_connection_pool.py TestBasicConnectionPoolConstruction (host+port form)
  it("new ConnectionPool({ host, port }) carries traffic through new Redis({ connectionPool })", async () => {
    const pool = new ConnectionPool({ host: plain.host, port: plain.port });
    {
      await using client = new Redis({ connectionPool: pool });
      assert.equal(await client.set("ported:hostport", "tcp"), "OK");
      assert.equal(await client.get("ported:hostport"), "tcp");
      const info = await client.clientInfo();
      assert.match(info["addr"] ?? "", /^127\.0\.0\.1:\d+$/);
      assert.doesNotMatch(info["flags"] ?? "", /U/);
      assert.equal(pool.stats.created, 1);
    }
    assert.equal(pool.stats.open, 0, "the last client's close() closed the pool nobody owned");
  });

  // coredis 6.x tests/test_connection_pool.py TestBasicConnectionPoolConstruction (UDS location)
  it("new ConnectionPool({ unixSocketPath }) carries traffic over the Unix socket", async () => {
    const pool = new ConnectionPool({ unixSocketPath: plain.unixSocketPath! });
    {
      await using client = new Redis({ connectionPool: pool });
      assert.equal(await client.set("ported:uds:pool", "uds"), "OK");
      assert.equal(await client.get("ported:uds:pool"), "uds");
      const info = await client.clientInfo();
      assert.match(info["flags"] ?? "", /U/, "CLIENT INFO flags U: connected over a Unix socket");
      assert.ok((info["addr"] ?? "").startsWith(plain.unixSocketPath!), info["addr"]);
    }
    assert.equal(pool.stats.open, 0);
  });

  // coredis 6.x tests/test_client.py TestFromUrl::test_uds_client
  it("Redis.fromUrl('unix://' + path) and new Redis({ unixSocketPath }) work against the real socket", async () => {
    await using fromUrl = Redis.fromUrl(`unix://${plain.unixSocketPath!}`);
    await using fromOptions = new Redis({ unixSocketPath: plain.unixSocketPath! });
    for (const client of [fromUrl, fromOptions]) {
      assert.equal(await client.ping(), "PONG");
      const info = await client.clientInfo();
      assert.match(info["flags"] ?? "", /U/);
    }
    assert.equal(await fromUrl.set("ported:uds:url", "1"), "OK");
    assert.equal(await fromOptions.get("ported:uds:url"), "1");
    await using dbTwo = Redis.fromUrl(`unix://${plain.unixSocketPath!}?db=2`);
    assert.equal((await dbTwo.clientInfo())["db"], "2");
  });
});

describe("authentication", () => {
  // coredis 6.x tests/test_authentication.py test_invalid_authentication[("",""), ("fubar",""), ("","fubar"), ("fubar","fubar")]
  for (const [username, password] of [
    ["", ""],
    ["fubar", ""],
    ["", "fubar"],
    ["fubar", "fubar"],
  ] as const) {
    it(`wrong credentials (${JSON.stringify(username)}, ${JSON.stringify(password)}) reject with AuthenticationError, once, without the password`, async () => {
      for (const protocolVersion of [3, 2] as const) {
        const label = `RESP${protocolVersion}`;
        const check = (error: unknown): boolean => {
          assert.ok(error instanceof AuthenticationError, `${label}: ${String(error)}`);
          if (password !== "") {
            assert.ok(!error.message.includes(password), `${label}: the password is in the message`);
            assert.ok(!(error.stack ?? "").includes(password), `${label}: the password is in the stack`);
          }
          return true;
        };

        // Counted by the client: one connection attempt, not the retry policy's three.
        const { Counting, opened } = countingConnectionClass();
        const pool = new ConnectionPool({
          connectionClass: Counting,
          location: new TCPLocation(secured.host, secured.port),
          username,
          password,
          protocolVersion,
        });
        const pooled = new Redis({ connectionPool: pool });
        await assert.rejects(pooled.ping(), check);
        assert.equal(opened(), 1, `${label}: an authentication failure is not retried`);
        assert.equal(pool.stats.open, 0);
        await pooled.close();

        // Counted by the server, for a client with its own pool.
        const received = await connectionsReceived(securedSide);
        const client = new Redis({ host: secured.host, port: secured.port, username, password, protocolVersion });
        await assert.rejects(client.ping(), check);
        assert.equal((await connectionsReceived(securedSide)) - received, 1, `${label}: the server saw one connection`);
        await client.close();
      }
    });
  }

  // coredis 6.x tests/test_client.py test_client_setinfo_disabled: a user that may not run
  // CLIENT SETINFO still connects (the library name is a courtesy). A 7.2+ server answers the
  // handshake's SETINFO with NOPERM for this user; 7.0 knows no SETINFO and answers "unknown
  // subcommand"; either way the connection must come up.
  for (const protocolVersion of [3, 2] as const) {
    it(`an ACL user without the CLIENT commands connects and runs GET/SET (RESP${protocolVersion})`, async () => {
      await using client = new Redis({
        host: plain.host,
        port: plain.port,
        username: NOCLIENT_USER,
        password: NOCLIENT_PASSWORD,
        protocolVersion,
      });
      assert.equal(await client.set("ported:acl", "ok"), "OK");
      assert.equal(await client.get("ported:acl"), "ok");
      assert.equal(await client.sendCommand(["ACL", "WHOAMI"]), NOCLIENT_USER);
      // The user really lacks CLIENT: the case is not vacuous.
      await assert.rejects(client.sendCommand(["CLIENT", "ID"]), AuthorizationError);
    });
  }
});

describe("the handshake's required part", () => {
  // coredis 5.7 tests/test_connection.py TestConnection::test_on_connect_error (db=9999)
  it("a SELECT the server refuses (db 9999) fails the first call with a ResponseError, leaves nothing open, and is not retried", async () => {
    const name = "ported-bad-db";
    const { Counting, opened } = countingConnectionClass();
    const pool = new ConnectionPool({ connectionClass: Counting, location: new TCPLocation(plain.host, plain.port), db: 9999, clientName: name });
    const pooled = new Redis({ connectionPool: pool });
    await assert.rejects(pooled.ping(), (error: unknown) => {
      assert.ok(error instanceof ResponseError, String(error));
      assert.match(error.message, /DB index is out of range/);
      return true;
    });
    assert.equal(opened(), 1, "one connection attempt");
    assert.equal(pool.stats.open, 0);
    assert.equal(pool.stats.connecting, 0);
    // HELLO named the connection before SELECT failed: a connection left open would show here.
    await until(async () => (await connectionsNamed(name)).length === 0, "the server sees no connection of the client");
    await pooled.close();

    const received = await connectionsReceived(side);
    const client = new Redis({ host: plain.host, port: plain.port, db: 9999, clientName: name });
    await assert.rejects(client.get("ported:any"), ResponseError);
    assert.equal((await connectionsReceived(side)) - received, 1, "the server saw one connection");
    assert.equal(client.connectionPool.stats.open, 0);
    await until(async () => (await connectionsNamed(name)).length === 0, "the server sees no connection of the client");
    await client.close();
  });
});

describe("connection settings", () => {
  // coredis 6.x tests/test_client.py test_noreply_client
  it("noreply: true: writes happen, every reply is null", async () => {
    await using quiet = new Redis({ host: plain.host, port: plain.port, noreply: true });
    await using normal = new Redis({ host: plain.host, port: plain.port });
    await normal.del(["ported:noreply", "ported:noreply:n"]);
    assert.equal(await quiet.set("ported:noreply", "written"), null);
    assert.equal(await quiet.incr("ported:noreply:n"), null);
    assert.equal(await quiet.ping(), null);
    // The replies are dropped, not the commands: another client sees their effect.
    await until(async () => (await normal.get("ported:noreply:n")) === "1", "the INCR reached Redis");
    assert.equal(await normal.get("ported:noreply"), "written");
    assert.equal(await quiet.get("ported:noreply"), null, "even a read answers null");
  });

  // coredis 6.x tests/test_client.py test_select_database and test_set_client_name
  it("db: 1 selects database 1, and clientName shows in CLIENT LIST", async () => {
    const name = "ported-db1";
    await using client = new Redis({ host: plain.host, port: plain.port, db: 1, clientName: name });
    const info = await client.clientInfo();
    assert.equal(info["db"], "1");
    assert.equal(info["name"], name);
    await client.set("ported:db1", "one");
    assert.equal(await runRequest(side, ["EXISTS", "ported:db1"]), 0, "not in database 0");
    await using other = new Redis({ host: plain.host, port: plain.port, db: 1 });
    assert.equal(await other.get("ported:db1"), "one");
    const listed = await connectionsNamed(name);
    assert.equal(listed.length, 1);
    assert.match(listed[0] ?? "", / db=1 /);
  });
});

describe("stream timeout against a real server", () => {
  // coredis 6.x tests/test_connection.py test_stream_timeout (DEBUG SLEEP longer than stream_timeout)
  it("DEBUG SLEEP 0.3 with streamTimeout 50: TimeoutError (phase reply) after ~50 ms; the client works once Redis wakes", async () => {
    await using client = new Redis({ host: plain.host, port: plain.port, streamTimeout: 50 });
    await client.set("ported:stall", "after");
    const debugCalls = await callsOf("debug");
    const closed = client.connectionPool.stats.closed;
    const started = performance.now();
    await assert.rejects(client.sendCommand(["DEBUG", "SLEEP", "0.3"]), (error: unknown) => {
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(error.phase, "reply");
      return true;
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 45 && elapsed < 290, `gave up after ${elapsed} ms, not at the stream timeout`);
    assert.ok(client.connectionPool.stats.closed > closed, "the stalled connection was discarded");
    // INFO commandstats counts the DEBUG once it has finished: Redis is awake again.
    await until(async () => (await callsOf("debug")) > debugCalls, "Redis finished sleeping");
    assert.equal(await client.get("ported:stall"), "after");
  });

  // The same, with the server held by a separate client. DEBUG SLEEP from another connection
  // cannot be ordered before the client's request without a sleep; CLIENT PAUSE can: it is in
  // force once its OK arrives.
  it("a server paused by another client (CLIENT PAUSE 300): TimeoutError (phase reply); the client works after the pause", async () => {
    await using stalled = new Redis({ host: plain.host, port: plain.port, streamTimeout: 50 });
    await using pauser = new Redis({ host: plain.host, port: plain.port });
    await stalled.set("ported:paused", "after");
    assert.equal(await pauser.clientPause(300), "OK");
    const started = performance.now();
    await assert.rejects(stalled.get("ported:paused"), (error: unknown) => {
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(error.phase, "reply");
      return true;
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 45 && elapsed < 290, `gave up after ${elapsed} ms`);
    // Every normal client is paused: the side connection's answer means the pause is over.
    assert.equal(await runRequest(side, ["PING"]), "PONG");
    assert.equal(await stalled.get("ported:paused"), "after");
  });

  // Follows from test_stream_timeout: the call made right after, while Redis still sleeps, needs
  // a fresh connection, whose handshake stalls. That call was never written, so it must not be
  // reported as a reply timeout (which says "may have run" and is never retried).
  it(
    "a call made while Redis still sleeps (its new connection's handshake stalls) is not failed as a reply timeout",
    async () => {
      await using client = new Redis({ host: plain.host, port: plain.port, streamTimeout: 50 });
      await client.set("ported:asleep", "v");
      const debugCalls = await callsOf("debug");
      await assert.rejects(client.sendCommand(["DEBUG", "SLEEP", "0.5"]), TimeoutError);
      try {
        const outcome = await client.get("ported:asleep").then(
          (value) => ({ value }),
          (error: unknown) => ({ error: error as RedisError }),
        );
        if ("error" in outcome) {
          const error = outcome.error;
          assert.ok(
            (error instanceof TimeoutError && error.phase === "connect") || (error instanceof ConnectionError && !error.written),
            `a request that never reached Redis failed as ${error.name}${error instanceof TimeoutError ? ` (phase ${error.phase})` : ""}`,
          );
        } else {
          assert.equal(outcome.value, "v");
        }
      } finally {
        await until(async () => (await callsOf("debug")) > debugCalls, "Redis finished sleeping");
      }
    },
  );
});

describe("a connection that has been closed", () => {
  // coredis 6.x tests/test_connection.py test_connection_rerun: a connection that has run
  // cannot be run again. Ours: connect() is idempotent (it returns the first connect's promise),
  // so it does not reopen the connection, and requests on it fail as unwritten (safe to retry
  // on another connection).
  it("after close(), connect() does not reopen it and a request on it fails with a retryable ConnectionError", async () => {
    const name = "ported-rerun";
    const connection = new TCPConnection({ location: new TCPLocation(plain.host, plain.port), clientName: name });
    await connection.connect();
    assert.equal(await runRequest(connection, ["PING"]), "PONG");
    await connection.close();
    await connection.connect().catch(() => undefined);
    assert.equal(connection.isClosed, true);
    await assert.rejects(runRequest(connection, ["PING"]), (error: unknown) => {
      assert.ok(error instanceof ConnectionError, String(error));
      assert.equal(error.written, false);
      assert.equal(error.retryable, true);
      return true;
    });
    await until(async () => (await connectionsNamed(name)).length === 0, "the server sees the connection gone");
  });

  it("after destroy(), connect() does not reopen it either", async () => {
    const name = "ported-destroyed";
    const connection = new TCPConnection({ location: new TCPLocation(plain.host, plain.port), clientName: name });
    await connection.connect();
    connection.destroy();
    await connection.connect().catch(() => undefined);
    assert.equal(connection.isClosed, true);
    await assert.rejects(runRequest(connection, ["PING"]), (error: unknown) => error instanceof ConnectionError && error.retryable);
  });

  it(
    "a connection destroyed (or closed) before it ever connected cannot be connected afterwards",
    async () => {
      const name = "ported-never";
      for (const end of ["destroy", "close"] as const) {
        const connection: BaseConnection = new TCPConnection({ location: new TCPLocation(plain.host, plain.port), clientName: name });
        if (end === "destroy") connection.destroy();
        else await connection.close();
        try {
          const outcome = await connection.connect().then(
            () => "resolved",
            (error: unknown) => error,
          );
          assert.ok(outcome instanceof ClientClosedError || outcome instanceof ConnectionError, `${end}: connect() gave ${String(outcome)}`);
          assert.equal(connection.isClosed, true, `${end}: the connection came back to life`);
          assert.equal((await connectionsNamed(name)).length, 0, `${end}: the server sees a connection`);
        } finally {
          connection.destroy();
          await until(async () => (await connectionsNamed(name)).length === 0, "no connection is left behind");
        }
      }
    },
  );
});

describe("retry policies as the client applies them", () => {
  // coredis 6.x tests/test_retry.py, through a client: the policy is asked
  // (error, attempts, { command, readOnly }) after each failure, and its answer is obeyed.
  it("a custom retryPolicy sees each failure with the attempt count and the command, and decides the attempts", async () => {
    const port = await freePort(); // nothing listens: every connect is refused, never written
    const seen: [string, boolean, number, string, boolean][] = [];
    const policy: RetryPolicy = {
      retryDelayMs(error, attempts, { command, readOnly }) {
        seen.push([error.name, error.retryable, attempts, command, readOnly]);
        return attempts < 4 ? 0 : undefined;
      },
    };
    const { Counting, opened } = countingConnectionClass();
    const pool = new ConnectionPool({ connectionClass: Counting, location: new TCPLocation("127.0.0.1", port) });
    await using client = new Redis({ connectionPool: pool, retryPolicy: policy });
    await assert.rejects(client.get("ported:refused"), ConnectionError);
    assert.equal(opened(), 4);
    assert.deepEqual(seen, [1, 2, 3, 4].map((attempts) => ["ConnectionError", true, attempts, "GET", true]));
    seen.length = 0;
    await assert.rejects(client.incr("ported:refused"), ConnectionError);
    assert.deepEqual(seen.map(([, , attempts, command, readOnly]) => [attempts, command, readOnly]), [
      [1, "INCR", false],
      [2, "INCR", false],
      [3, "INCR", false],
      [4, "INCR", false],
    ]);
  });

  it("noRetry makes one attempt where the default policy makes three", async () => {
    const port = await freePort();
    for (const [retryPolicy, attempts] of [
      [noRetry, 1],
      [undefined, 3],
    ] as const) {
      const { Counting, opened } = countingConnectionClass();
      const pool = new ConnectionPool({ connectionClass: Counting, location: new TCPLocation("127.0.0.1", port) });
      await using client = new Redis({ connectionPool: pool, ...(retryPolicy === undefined ? {} : { retryPolicy }) });
      await assert.rejects(client.get("ported:refused"), (error: unknown) => error instanceof ConnectionError && error.retryable);
      assert.equal(opened(), attempts, retryPolicy === undefined ? "default policy" : "noRetry");
    }
  });
});
