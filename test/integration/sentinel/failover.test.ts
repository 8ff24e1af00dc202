/**
 * `Sentinel` through a `SENTINEL FAILOVER`, as users would load it: 32 writers on the primary, a
 * reader on a replica and a subscriber, all while the sentinels promote the replica. The
 * acceptance of issue 13: writes resume on the new primary within 500 ms of `+switch-master`, at
 * most 1 000 reach the demoted primary after it was announced (none do: the pool stops at the
 * failover's `+selected-slave`), every acknowledged write is on the new primary, and no call is
 * left pending. Then discovery, its failures, scripts after the move.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Redis, SentinelConnectionPool, SentinelError, Sentinel } from "../../../src/index.js";
import { sentinelFailover } from "../../harness/sentinel.js";
import { sentinelSetForFile } from "../../harness/sentinel-fixture.js";
import { watchSwitches } from "../../harness/sentinel-watch.js";
import { parseInfo, rawCommand } from "../../harness/servers.js";
import { freePort } from "../../harness/ports.js";
import { until } from "../../harness/wait.js";

const theSet = sentinelSetForFile({ downAfterMs: 1_000, failoverTimeoutMs: 5_000 });

/** A sentinel client's pool. */
function poolOf(client: Redis): SentinelConnectionPool {
  const pool = client.connectionPool;
  assert.ok(pool instanceof SentinelConnectionPool);
  return pool;
}

/** The writers' keys on a server. */
async function keysOf(client: Redis): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const key of client.scanIterator({ match: "w:*", count: 1000 })) keys.add(key);
  return keys;
}

describe("discovery", () => {
  it("primaryFor writes to the primary the sentinels name; replicaFor reads from a replica", async () => {
    await using sentinel = new Sentinel({ sentinels: theSet().sentinelAddresses });
    await using primary = sentinel.primaryFor(theSet().name);
    await using replica = sentinel.replicaFor(theSet().name);
    assert.equal(await primary.set("discovery:k", "v"), "OK");
    const [primaryRole] = (await primary.sendCommand(["ROLE"])) as [string];
    const [replicaRole] = (await replica.sendCommand(["ROLE"])) as [string];
    assert.equal(primaryRole, "master");
    assert.equal(replicaRole, "slave");
    assert.equal(poolOf(primary).location?.port, theSet().primary.port);
    assert.equal(poolOf(replica).location?.port, theSet().replica.port);
    await until(async () => (await replica.get("discovery:k")) === "v", "the write replicated to the replica");
    assert.deepEqual(
      (await sentinel.discoverReplicas(theSet().name)).map((location) => location.port),
      [theSet().replica.port],
    );
  });

  it("rejects with each sentinel's own error when none answers, within the sentinels' timeout", async () => {
    const ports = [await freePort(), await freePort()];
    await using sentinel = new Sentinel({
      sentinels: ports.map((port) => `127.0.0.1:${port}`),
      sentinelOptions: { timeout: 500, connectTimeout: 500 },
    });
    await using client = sentinel.primaryFor("mymaster");
    const started = performance.now();
    await assert.rejects(client.connect(), (error: unknown) => {
      assert.ok(error instanceof SentinelError, String(error));
      for (const port of ports) assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}: .*(ECONNREFUSED|connect)`));
      return true;
    });
    assert.ok(performance.now() - started < 3_000, "bounded by the sentinels' timeout");
  });

  it("an unknown service is a SentinelError saying that no sentinel knows it; a dead sentinel before a live one is skipped", async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    await using sentinel = new Sentinel({ sentinels: [dead, ...theSet().sentinelAddresses], sentinelOptions: { timeout: 500 } });
    await assert.rejects(sentinel.discoverPrimary("no-such-service"), (error: unknown) => {
      assert.ok(error instanceof SentinelError);
      assert.match(error.message, /does not know no-such-service/);
      return true;
    });
    assert.equal((await sentinel.discoverPrimary(theSet().name)).port, theSet().primary.port);
    assert.notEqual(sentinel.sentinels[0]?.toString(), dead, "the sentinel that answered goes first");
  });

  it("closing the clients closes every connection to the sentinels", async () => {
    // Named, to tell them from the sentinels' links to each other.
    const sentinel = new Sentinel({ sentinels: theSet().sentinelAddresses, sentinelOptions: { clientName: "closing-test" } });
    const client = sentinel.primaryFor(theSet().name);
    await client.connect();
    const connectedTo = async (): Promise<number> => {
      let total = 0;
      for (const node of theSet().sentinels) {
        const list = await rawCommand(node, "CLIENT", "LIST");
        total += list.split("\n").filter((line) => line.includes("name=closing-test ")).length;
      }
      return total;
    };
    await until(async () => (await connectedTo()) >= 3, "subscribed on the three sentinels");
    await client.close();
    await until(async () => (await connectedTo()) === 0, "no connection left on the sentinels");
    await sentinel.close();
  });
});

describe("through SENTINEL FAILOVER", () => {
  it(
    "32 writers: resumed on the new primary within 500 ms of +switch-master, none lost, none pending; a replica reader and a subscriber carry on",
    { timeout: 60_000 },
    async (t) => {
      const { name, primary: oldPrimary, replica: newPrimary } = theSet();
      await using sentinel = new Sentinel({ sentinels: theSet().sentinelAddresses });
      await using client = sentinel.primaryFor(name);
      await using reader = sentinel.replicaFor(name);
      // A client whose connections SELECT a database and name themselves: on the new primary,
      // that set-up is done before any of its calls runs.
      await using configured = new Sentinel({ sentinels: theSet().sentinelAddresses, db: 2, clientName: "moved-with-setup" });
      await using inDb2 = configured.primaryFor(name);
      // A cached client: what it cached from the old primary must not outlive the move.
      await using cachedSentinel = new Sentinel({ sentinels: theSet().sentinelAddresses, cache: true });
      await using cachedClient = cachedSentinel.primaryFor(name);
      await client.set("cached:k", "before");
      assert.equal(await cachedClient.get("cached:k"), "before");
      assert.equal(await cachedClient.get("cached:k"), "before");
      assert.ok((cachedClient.cache?.stats.hits ?? 0) >= 1, "cached before the failover");
      await client.set("reader:k", "v");
      await until(async () => (await reader.get("reader:k")) === "v", "the replica has the reader's key");
      await using subscriber = client.pubsub({ channels: ["failover:news"] });
      await subscriber.connect();
      const watch = await watchSwitches(theSet());
      const script = client.script<number>("return redis.call('INCR', KEYS[1])");
      assert.equal(await script.call(["script:n"], []), 1);

      const acknowledged: { key: string; at: number }[] = [];
      const failures: unknown[] = [];
      let readerFailures = 0;
      let reads = 0;
      let stop = false;
      const writers = Array.from({ length: 32 }, async (_, writer) => {
        for (let i = 0; !stop; i++) {
          const key = `w:${writer}:${i}`;
          try {
            await client.set(key, "1");
            acknowledged.push({ key, at: performance.now() });
          } catch (error) {
            failures.push(error);
          }
        }
      });
      const db2Writes: string[] = [];
      const db2Loop = (async () => {
        for (let i = 0; !stop; i++) {
          await inDb2.set(`db2:${i}`, "1");
          db2Writes.push(`db2:${i}`);
        }
      })();
      const readerLoop = (async () => {
        while (!stop) {
          try {
            assert.equal(await reader.get("reader:k"), "v");
            reads++;
          } catch {
            readerFailures++;
          }
        }
      })();
      try {
        await until(() => acknowledged.length > 2_000, "writers under way");
        await sentinelFailover(theSet());
        const switchedAt = await watch.switched;
        await until(() => acknowledged.some((write) => write.at > switchedAt + 300), "writes going on after the switch", { withinMs: 5_000 });
        const readsAfterSwitch = reads;
        await until(() => reads > readsAfterSwitch + 100, "the replica reader reading after the switch", { withinMs: 5_000 });
        stop = true;
        await Promise.all([...writers, readerLoop, db2Loop]); // none pending: every call settled
        const resumedAt = acknowledged.filter((write) => write.at > switchedAt).map((write) => write.at).reduce((a, b) => Math.min(a, b), Infinity);
        assert.ok(resumedAt - switchedAt <= 500, `writes resumed ${Math.round(resumedAt - switchedAt)} ms after +switch-master`);
        assert.deepEqual(failures, [], "no write failed");
        assert.equal(readerFailures, 0, "no read from the replica failed");

        // Before the sentinels turn the old primary into a replica (8 s after the switch): what
        // it holds that the new primary does not reached it after the promotion.
        const onOld = new Redis({ port: oldPrimary.port });
        const onNew = new Redis({ port: newPrimary.port });
        try {
          const [oldKeys, newKeys] = await Promise.all([keysOf(onOld), keysOf(onNew)]);
          const strays = [...oldKeys].filter((key) => !newKeys.has(key));
          assert.ok(strays.length <= 1_000, `${strays.length} writes reached the demoted primary after the promotion`);
          const lost = acknowledged.filter((write) => !newKeys.has(write.key));
          assert.equal(lost.length, 0, `${lost.length} of ${acknowledged.length} acknowledged writes are not on the new primary`);
          t.diagnostic(
            `acknowledged ${acknowledged.length}; resumed ${Math.round(resumedAt - switchedAt)} ms after +switch-master; ${strays.length} writes on the demoted primary only`,
          );
          assert.equal(parseInfo(await rawCommand(newPrimary, "INFO", "replication")).get("role"), "master");
        } finally {
          await onOld.close();
          await onNew.close();
        }

        // The subscriber moved with the pool: a message published on the new primary reaches it.
        await until(async () => (await client.publish("failover:news", "after")) === 1, "the subscriber is subscribed on the new primary", { withinMs: 10_000 });
        const item = await subscriber[Symbol.asyncIterator]().next();
        assert.ok(!item.done);
        // The database and the name were set up on the new primary's connections before their calls.
        const onNewDb2 = new Redis({ port: newPrimary.port, db: 2 });
        try {
          assert.equal(await onNewDb2.exists(db2Writes as [string, ...string[]]), db2Writes.length);
          const names = String(await onNewDb2.sendCommand(["CLIENT", "LIST"])).split("\n").filter((line) => line.includes("name=moved-with-setup "));
          assert.ok(names.length > 0 && names.every((line) => line.includes(" db=2 ")), names.join("\n"));
        } finally {
          await onNewDb2.close();
        }
        // The cache followed: a write on the new primary by another client is seen at once.
        const writer = new Redis({ port: newPrimary.port });
        try {
          await writer.set("cached:k", "after");
          assert.equal(await cachedClient.get("cached:k"), "after");
        } finally {
          await writer.close();
        }
        // Scripts run there too, loaded again when the new primary does not have them.
        await rawCommand(newPrimary, "SCRIPT", "FLUSH");
        assert.equal(await script.call(["script:n"], []), 2);
        assert.equal(poolOf(client).location?.port, newPrimary.port);
      } finally {
        stop = true;
        await Promise.all([...writers, readerLoop, db2Loop]);
        await watch.close();
      }
    },
  );
});
