/**
 * The sentinel harness against real processes: the set is ready on the sentinels' own word, a
 * SENTINEL FAILOVER promotes the replica (every sentinel names it), and a SIGKILLed primary is
 * replaced by the sentinels' vote; everything is stopped by PID.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { killNode } from "../../harness/cluster-ops.js";
import { primaryPortOf, sentinelFailover } from "../../harness/sentinel.js";
import { sentinelSetForFile } from "../../harness/sentinel-fixture.js";
import { parseInfo, rawCommand } from "../../harness/servers.js";
import { until } from "../../harness/wait.js";

const theSet = sentinelSetForFile({ downAfterMs: 1_000, failoverTimeoutMs: 5_000 });

describe("sentinel harness", () => {
  it("is ready on the sentinels' word: all three name the primary and know the replica", async () => {
    const { sentinels, primary, replica } = theSet();
    assert.equal(sentinels.length, 3);
    assert.deepEqual(await Promise.all(sentinels.map(primaryPortOf)), [primary.port, primary.port, primary.port]);
    assert.equal(parseInfo(await rawCommand(replica, "INFO", "replication")).get("master_link_status"), "up");
  });

  it("fails the primary over with SENTINEL FAILOVER: the replica is promoted and named by every sentinel", { timeout: 45_000 }, async () => {
    const { primary, replica } = theSet();
    const promoted = await sentinelFailover(theSet());
    assert.equal(promoted.port, replica.port);
    // Sentinels turn a demoted primary into a replica only once it has reported its old role for
    // a while (four publish periods, 8 s, in Redis 7.0's sentinel.c): a generous bound.
    await until(async () => parseInfo(await rawCommand(primary, "INFO", "replication")).get("role") === "slave", "the old primary follows", {
      withinMs: 30_000,
      everyMs: 50,
    });
  });

  it("replaces a SIGKILLed primary by the sentinels' vote", { timeout: 30_000 }, async () => {
    const current = await primaryPortOf(theSet().sentinels[0] ?? theSet().primary);
    const victim = current === theSet().primary.port ? theSet().primary : theSet().replica;
    const survivor = victim === theSet().primary ? theSet().replica : theSet().primary;
    await killNode(victim);
    await until(async () => (await Promise.all(theSet().sentinels.map(primaryPortOf))).every((port) => port === survivor.port), "every sentinel names the survivor", {
      withinMs: 20_000,
      everyMs: 50,
    });
    assert.equal(parseInfo(await rawCommand(survivor, "INFO", "replication")).get("role"), "master");
  });
});
