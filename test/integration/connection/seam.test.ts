/**
 * The connection side of the client–pool seam: an extensible handshake that completes before any
 * request is written, push messages for any number of listeners (never taken as replies), and
 * leases counted against the pool's limit, waited for first come first served.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TCPConnection } from "../../../src/connection/tcp-connection.js";
import { TCPLocation } from "../../../src/connection/location.js";
import { ConnectionPool, Redis, TimeoutError, type PushMessage, type RedisArgument } from "../../../src/index.js";
import { runRequest } from "../../harness/run-request.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";

const fixture = standaloneWithSide();
const location = (): TCPLocation => new TCPLocation(fixture.server.host, fixture.server.port);

describe("an extensible handshake", () => {
  it("runs a subclass's and the options' commands before the first request", async () => {
    class NamedTwice extends TCPConnection {
      protected override handshakeCommands(): readonly (readonly RedisArgument[])[] {
        return [...super.handshakeCommands(), ["CLIENT", "SETNAME", "from-subclass"]];
      }
    }
    const connection = new NamedTwice({ location: location(), handshakeCommands: [["SELECT", 3]] });
    await connection.connect();
    // Sent before connect() resolved: the very first request sees both.
    const [name, info] = await Promise.all([runRequest(connection, ["CLIENT", "GETNAME"]), runRequest(connection, ["CLIENT", "INFO"])]);
    assert.equal(name, "from-subclass");
    assert.match(String(info), / db=3 /);
    await connection.close();
  });

  it("an error reply to one of them fails the connection", async () => {
    const connection = new TCPConnection({ location: location(), handshakeCommands: [["NO-SUCH-COMMAND"]] });
    await assert.rejects(connection.connect(), /unknown command/i);
    assert.equal(connection.isClosed, true);
  });
});

describe("push listeners", () => {
  it("every listener sees a RESP3 invalidation push; replies still match requests", async () => {
    const connection = new TCPConnection({ location: location(), protocolVersion: 3, handshakeCommands: [["CLIENT", "TRACKING", "ON"]] });
    await connection.connect();
    const first: PushMessage[] = [];
    const second: PushMessage[] = [];
    connection.addPushListener((message) => first.push(message));
    const removeSecond = connection.addPushListener((message) => second.push(message));
    await runRequest(fixture.side, ["SET", "seam:tracked", "1"]);
    assert.equal(await runRequest(connection, ["GET", "seam:tracked"]), "1");
    await runRequest(fixture.side, ["SET", "seam:tracked", "2"]);
    // The invalidation arrives before the reply of the next request on this connection.
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => runRequest(connection, ["ECHO", `e${i}`])));
    assert.deepEqual(replies, Array.from({ length: 50 }, (_, i) => `e${i}`));
    assert.deepEqual(first, [["invalidate", ["seam:tracked"]]]);
    assert.deepEqual(second, first);
    removeSecond();
    assert.equal(await runRequest(connection, ["GET", "seam:tracked"]), "2");
    await runRequest(fixture.side, ["SET", "seam:tracked", "3"]);
    await runRequest(connection, ["PING"]);
    assert.equal(first.length, 2);
    assert.equal(second.length, 1, "a removed listener hears nothing more");
    await connection.close();
  });
});

describe("leases", () => {
  it("count against maxConnections, are served first come first served, and time out in the pool", async () => {
    await using pool = new ConnectionPool({ location: location(), maxConnections: 2, timeout: 200 });
    await pool.connect();
    const a = await pool.lease();
    const b = await pool.lease();
    assert.equal(pool.stats.dedicated, 2);
    const started = performance.now();
    await assert.rejects(pool.lease(), (error: unknown) => error instanceof TimeoutError && error.phase === "pool");
    assert.ok(performance.now() - started >= 150);
    const order: string[] = [];
    const third = pool.lease({ timeoutMs: 5_000 }).then((lease) => {
      order.push("third");
      return lease;
    });
    const fourth = pool.lease({ timeoutMs: 5_000 }).then((lease) => {
      order.push("fourth");
      return lease;
    });
    a.release();
    a.release(); // idempotent: frees one slot only
    const c = await third;
    assert.deepEqual(order, ["third"]);
    b.destroy();
    const d = await fourth;
    assert.deepEqual(order, ["third", "fourth"]);
    assert.equal(c.connection, a.connection, "a released connection is lent again");
    assert.notEqual(d.connection, b.connection, "a destroyed one is not");
    c.release();
    d.release();
    assert.equal(pool.stats.dedicated, 0);
  });

  it("a client's lease connects the client first", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const pipelineResult = await client.pipeline().ping().exec();
    assert.deepEqual(pipelineResult, ["PONG"]);
    assert.equal(client.isConnected, true);
  });
});
