/**
 * `pool.retarget(location)`: the seam a sentinel pool follows a failover through. New requests go
 * to the new server; connections to the old one leave service (shared ones at once, leased ones
 * when given back) without any client call failing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConnectionPool, Redis, TCPLocation } from "../../../src/index.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";
import { until } from "../../harness/wait.js";

let first: RedisServer;
let second: RedisServer;

before(async () => {
  [first, second] = await Promise.all([startStandalone(), startStandalone()]);
});
after(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

describe("ConnectionPool.retarget", () => {
  it("sends later requests to the new server, lets replies in flight arrive, and closes leases to the old one when given back", async () => {
    const pool = new ConnectionPool({ location: new TCPLocation(first.host, first.port), maxConnections: 4 });
    await using _ = await pool.connect();
    await using client = new Redis({ connectionPool: pool });
    await using onFirst = new Redis({ port: first.port });
    await using onSecond = new Redis({ port: second.port });
    await onFirst.set("retarget:k", "first");
    await onSecond.set("retarget:k", "second");
    assert.equal(await client.get("retarget:k"), "first");
    const lease = await pool.lease();
    // A burst in flight when the pool moves: every call resolves, none fails.
    const inFlight = Array.from({ length: 200 }, () => client.get("retarget:k"));
    pool.retarget(new TCPLocation(second.host, second.port));
    const settled = await Promise.all(inFlight);
    assert.ok(settled.every((value) => value === "first" || value === "second"), "every call in flight answered");
    assert.equal(await client.get("retarget:k"), "second");
    assert.equal(await client.set("retarget:written", "here"), "OK");
    assert.equal(await onSecond.get("retarget:written"), "here");
    assert.equal(await onFirst.exists(["retarget:written"]), 0);
    // The lease taken before the move still works for its holder, and is closed once given back.
    assert.equal(lease.connection.isClosed, false);
    lease.release();
    await until(() => lease.connection.isClosed, "the old server's leased connection closes when given back");
    await until(() => pool.stats.retiring === 0, "the old connections' sockets have closed");
    const clients = String(await onFirst.sendCommand(["CLIENT", "LIST"]));
    assert.equal(clients.trim().split("\n").length, 1, "only the observer is left on the old server");
  });
});
