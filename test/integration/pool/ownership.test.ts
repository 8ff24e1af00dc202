/**
 * Who owns a pool's lifetime (the seed: a pool entered by the parent "is now managed here", not
 * tied to any child task), and the idle reaper's hand-off: a connection it closes is never lent.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ClientClosedError,
  ConnectionPool,
  noRetry,
  Redis,
  TCPConnection,
  TCPLocation,
} from "../../../src/index.js";
import { clientIdsNamed } from "../../harness/run-request.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";
import { until } from "../../harness/wait.js";

const fixture = standaloneWithSide();

/** Connections the server sees with this client name. */
async function connectionsNamed(name: string): Promise<number> {
  return (await clientIdsNamed(fixture.side, name)).length;
}

describe("a parent-owned pool", () => {
  it("the owner's close() closes the pool's connections, though a borrowed client was never closed", async () => {
    const pool = new ConnectionPool({ location: new TCPLocation(fixture.server.host, fixture.server.port), clientName: "owned", maxConnections: 4 });
    await pool.connect();
    const borrowed = new Redis({ connectionPool: pool }); // never closed, on purpose
    await borrowed.set("own:k", "v");
    await borrowed.blpop(["own:empty"], 0.01); // a dedicated connection too, now idle
    assert.ok((await connectionsNamed("owned")) >= 2);
    assert.ok(pool.stats.owned);
    await pool.close();
    assert.equal(pool.stats.open, 0);
    await until(async () => (await connectionsNamed("owned")) === 0, "the server sees no connection of the pool");
    await assert.rejects(borrowed.get("own:k"), (error: unknown) => {
      assert.ok(error instanceof ClientClosedError);
      assert.match(error.message, /pool was closed by its owner/);
      return true;
    });
    await borrowed.close(); // harmless afterwards
    assert.equal(pool.stats.references, 0);
  });

  it("the owner's close() fails a borrowed client's blocking call in flight with a typed error", async () => {
    const pool = new ConnectionPool({ location: new TCPLocation(fixture.server.host, fixture.server.port), clientName: "owned-blpop" });
    await pool.connect();
    const borrowed = new Redis({ connectionPool: pool });
    const blocked = borrowed.blpop(["own:never"], 0).then(
      () => undefined,
      (error: unknown) => error,
    );
    await until(async () => (await connectionsNamed("owned-blpop")) === 2, "the BLPOP has its connection");
    await pool.close();
    assert.ok((await blocked) instanceof ClientClosedError);
    assert.equal(await connectionsNamed("owned-blpop"), 0);
  });

  it("a pool no owner connected stays open while a client holds it, and its close() does not end it", async () => {
    const pool = new ConnectionPool({ location: new TCPLocation(fixture.server.host, fixture.server.port), clientName: "unowned" });
    const a = new Redis({ connectionPool: pool });
    const b = new Redis({ connectionPool: pool });
    await a.ping();
    await b.ping();
    await pool.close(); // not an owner: nothing happens
    assert.equal(await a.ping(), "PONG");
    await a.close();
    assert.equal(await b.ping(), "PONG", "b still holds a reference");
    await b.close();
    assert.equal(pool.stats.open, 0);
    assert.equal(await connectionsNamed("unowned"), 0);
  });

  it("an owner can connect the pool again after closing it", async () => {
    const pool = new ConnectionPool({ location: new TCPLocation(fixture.server.host, fixture.server.port) });
    await pool.connect();
    await pool.close();
    await using _ = await pool.connect();
    await using client = new Redis({ connectionPool: pool });
    assert.equal(await client.ping(), "PONG");
  });
});

describe("the idle reaper", () => {
  it("never lends a connection it has just closed for idleness", async () => {
    // Closing takes a while here, so the window in which the old pool would lend a connection it
    // had started closing is wide open.
    let closing = 0;
    class SlowClose extends TCPConnection {
      override async close(): Promise<void> {
        closing++;
        await new Promise((resolve) => setTimeout(resolve, 300));
        await super.close();
      }
    }
    const pool = new ConnectionPool({ connectionClass: SlowClose, location: new TCPLocation(fixture.server.host, fixture.server.port), maxIdleTime: 100 });
    await using _ = await pool.connect();
    const first = await pool.acquire({ dedicated: true });
    pool.release(first);
    await until(() => closing >= 1 && pool.stats.idle === 0, "the reaper closes the idle connection", { everyMs: 2 });
    const next = await pool.acquire({ dedicated: true });
    try {
      assert.notEqual(next, first, "the connection being closed is not lent again");
      assert.equal(next.isClosed, false);
      await using client = new Redis({ connectionPool: pool, retryPolicy: noRetry });
      assert.equal(await client.blpop(["reaper:empty"], 0.01), null);
    } finally {
      pool.release(next);
    }
  });
});
