/**
 * Pipelines, transactions and scripts on a real cluster (3 primaries, 3 replicas), started once
 * for the file: pipelines split by node and put back in order, through a slot migration with no
 * command applied twice; transactions on one slot's node, following MOVED; scripts per node.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keySlot } from "../../../src/cluster/slot.js";
import { CrossSlotError, RedisCluster, WatchError, type Pipeline } from "../../../src/index.js";
import { migrateSlot, onNode, slotMapOf } from "../../harness/cluster-ops.js";
import { clusterForFile } from "../../harness/cluster-fixture.js";
import type { RedisServer } from "../../harness/servers.js";

const theCluster = clusterForFile({ primaries: 3, replicasPerPrimary: 1 });

function clientFor(): RedisCluster {
  return new RedisCluster({ startupNodes: theCluster().startupNodes });
}

/** The harness primaries, by the cluster's own map, and a hash tag served by the first. */
async function primaryAndTag(index: number, prefix: string): Promise<{ primaries: RedisServer[]; tag: string }> {
  const map = await slotMapOf(theCluster().nodes[0] as RedisServer);
  const primaries = map.shards.map((shard) => theCluster().nodes.find((node) => node.port === shard.primary.port) as RedisServer);
  const owner = primaries[index] as RedisServer;
  for (let i = 0; ; i++) {
    const tag = `${prefix}${i}`;
    if (map.shardFor(keySlot(`{${tag}}`))?.primary.port === owner.port) return { primaries, tag };
  }
}

describe("cluster pipelines", () => {
  it("splits a pipeline of 1 000 key-spread commands by node and answers in order", async () => {
    await using client = clientFor();
    await client.flushall();
    const pipeline: Pipeline<string, unknown[]> = client.pipeline();
    for (let i = 0; i < 500; i++) pipeline.set(`p:${i}`, String(i));
    for (let i = 0; i < 500; i++) pipeline.get(`p:${i}`);
    const results = await pipeline.exec();
    assert.deepEqual(results.slice(0, 500), new Array(500).fill("OK"));
    assert.deepEqual(results.slice(500), Array.from({ length: 500 }, (_, i) => String(i)));
    const perNode = await Promise.all(client.topology.primaries.map((node) => client.forNode(node).dbsize()));
    assert.ok(perNode.every((count) => count > 100), `the keys landed on every primary: ${perNode.join(", ")}`);
  });

  it("keeps every result in place through a slot migration, none applied twice", { timeout: 60_000 }, async () => {
    await using client = clientFor();
    await client.connect();
    const { primaries, tag } = await primaryAndTag(0, "pmig");
    const [from, to] = primaries as [RedisServer, RedisServer];
    for (let i = 0; i < 400; i++) await onNode(from, "SET", `{${tag}}:seed:${i}`, String(i));
    let round = 0;
    const runPipeline = async (): Promise<void> => {
      const pipeline: Pipeline<string, unknown[]> = client.pipeline();
      const n = round++;
      // 1 000 commands: INCRs of fresh keys in the migrating slot and elsewhere, and reads.
      for (let i = 0; i < 250; i++) pipeline.incr(`{${tag}}:once:${n}:${i}`);
      for (let i = 0; i < 250; i++) pipeline.incr(`once:${n}:${i}`);
      for (let i = 0; i < 250; i++) pipeline.get(`{${tag}}:seed:${i}`);
      for (let i = 0; i < 250; i++) pipeline.get(`once:${n}:${i}`);
      const results = await pipeline.exec();
      assert.deepEqual(results.slice(0, 500), new Array(500).fill(1), "each INCR ran once, in place");
      assert.deepEqual(results.slice(500, 750), Array.from({ length: 250 }, (_, i) => String(i)));
      assert.deepEqual(results.slice(750), new Array(250).fill("1"));
    };
    await migrateSlot(theCluster().nodes, keySlot(`{${tag}}`), from, to, { batch: 50, between: runPipeline });
    await runPipeline();
    assert.ok(round >= 8, `${round} pipelines ran during the migration`);
    // Afterwards, read back: no INCR ran twice.
    const keys = Array.from({ length: round }, (_, n) => Array.from({ length: 250 }, (_, i) => [`{${tag}}:once:${n}:${i}`, `once:${n}:${i}`])).flat(2);
    for (let i = 0; i < keys.length; i += 1000) {
      const values = await client.mget(keys.slice(i, i + 1000) as [string, ...string[]]);
      assert.ok(values.every((value) => value === "1"), "every counter is 1");
    }
  });

  it("loads a pipeline's scripts on each node it runs on", async () => {
    await using client = clientFor();
    await client.scriptFlush();
    const script = client.script<string>("return KEYS[1]");
    const pipeline: Pipeline<string, unknown[]> = client.pipeline();
    const keys = Array.from({ length: 30 }, (_, i) => `script:${i}`);
    for (const key of keys) pipeline.runScript(script, [key]);
    assert.deepEqual(await pipeline.exec(), keys);
    // And a script missing on one node only (NOSCRIPT there) is loaded there by call().
    const [first] = client.topology.primaries;
    assert.ok(first !== undefined);
    await client.forNode(first).scriptFlush();
    const onFirst = keys.find((key) => client.topology.nodeForKey(key)?.port === first.port) as string;
    assert.equal(await script.call([onFirst]), onFirst);
  });
});

describe("cluster transactions", () => {
  it("runs MULTI … EXEC on the node of its slot, and refuses keys across slots before sending", async () => {
    await using client = clientFor();
    await client.flushall();
    const results = await client.pipeline({ transaction: true }).set("{tx}:a", "1").incr("{tx}:n").get("{tx}:a").exec();
    assert.deepEqual(results, ["OK", 1, "1"]);
    await assert.rejects(client.pipeline({ transaction: true }).set("tx:a", "1").set("tx:b", "2").exec(), CrossSlotError);
    assert.equal(await client.exists(["tx:a", "tx:b"]), 0, "nothing of it ran");
  });

  it("follows MOVED: a transaction on a slot that moved runs once on its new owner", { timeout: 30_000 }, async () => {
    await using client = clientFor();
    await client.connect();
    const { primaries, tag } = await primaryAndTag(1, "txmoved");
    const [, from, to] = primaries as [RedisServer, RedisServer, RedisServer];
    await migrateSlot(theCluster().nodes, keySlot(`{${tag}}`), from, to);
    assert.equal(client.topology.nodeForKey(`{${tag}}`)?.port, from.port, "the client's map is stale");
    const results = await client.pipeline({ transaction: true }).incr(`{${tag}}:n`).incr(`{${tag}}:n`).exec();
    assert.deepEqual(results, [1, 2]);
    assert.equal(await onNode(to, "GET", `{${tag}}:n`), "2", "ran once, on the new owner");
  });

  it("runs transaction(fn, { watches }) on the watched keys' node, retrying when they change", async () => {
    await using client = clientFor();
    await client.set("{acct}:balance", "100");
    let runs = 0;
    const [, balance] = await client.transaction(
      async (tx) => {
        runs++;
        const current = Number(await tx.get("{acct}:balance"));
        if (runs === 1) await client.set("{acct}:balance", "90"); // someone else's write: EXEC must fail
        return tx.multi().set("{acct}:balance", String(current - 10)).get("{acct}:balance");
      },
      { watches: ["{acct}:balance"] },
    );
    assert.equal(runs, 2);
    assert.equal(balance, "80");
    await assert.rejects(client.transaction(() => undefined, { watches: ["acct:a", "acct:b"] }), CrossSlotError);
    await assert.rejects(
      client.transaction(
        async (tx) => {
          await client.incr("{acct}:other");
          await client.set("{acct}:balance", String(Math.random()));
          return tx.multi().get("{acct}:balance");
        },
        { watches: ["{acct}:balance"], retries: 0 },
      ),
      WatchError,
    );
  });
});
