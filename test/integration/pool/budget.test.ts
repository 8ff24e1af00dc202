/**
 * A connection budget shared by two pools (as a cluster's node pools share one when
 * `maxConnections` counts the whole cluster), against a real server: the limit holds across the
 * pools, and a connection one pool stops using goes to the other pool's waiter rather than idling.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TCPLocation } from "../../../src/connection/location.js";
import { ConnectionBudget } from "../../../src/pool/budget.js";
import { ConnectionPool } from "../../../src/pool/connection-pool.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";

const fixture = standaloneWithSide();

function pools(limit: number): [ConnectionBudget, ConnectionPool, ConnectionPool] {
  const budget = new ConnectionBudget(limit);
  const location = new TCPLocation(fixture.server.host, fixture.server.port);
  return [budget, new ConnectionPool({ location, maxConnections: 10 }, budget), new ConnectionPool({ location, maxConnections: 10 }, budget)];
}

describe("ConnectionBudget", () => {
  it("caps the connections of all its pools together", async () => {
    const [budget, first, second] = pools(3);
    await first.open();
    await second.open();
    const leases = await Promise.all([first.lease(), first.lease(), second.lease()]);
    assert.equal(budget.used, 3);
    await assert.rejects(second.lease({ timeoutMs: 100 }), { name: "TimeoutError" });
    assert.equal(first.stats.open + second.stats.open, 3);
    for (const lease of leases) lease.release();
    await Promise.all([first.close(), second.close()]);
  });

  it("hands a connection one pool stopped using to the other pool's waiter", { timeout: 10_000 }, async () => {
    const [budget, first, second] = pools(2);
    await first.open();
    await second.open();
    const [a, b] = await Promise.all([first.lease(), first.lease()]);
    const waiting = second.lease({ timeoutMs: 5_000 });
    assert.equal(second.stats.waiters, 1);
    a.release(); // idle in `first`, which has no waiter: closed for `second`'s
    const granted = await waiting;
    assert.equal(granted.connection.isClosed, false);
    assert.equal(first.stats.idle, 0, "the released connection did not stay idle in the first pool");
    assert.ok(budget.used <= 2);
    granted.release();
    b.release();
    await Promise.all([first.close(), second.close()]);
  });

  it("closes another pool's idle connection for a waiter that comes later", async () => {
    const [, first, second] = pools(2);
    await first.open();
    await second.open();
    const [a, b] = await Promise.all([first.lease(), first.lease()]);
    a.release();
    b.release(); // both idle in `first`
    const granted = await second.lease({ timeoutMs: 2_000 });
    assert.equal(first.stats.open + first.stats.connecting <= 1, true);
    granted.release();
    await Promise.all([first.close(), second.close()]);
  });
});
