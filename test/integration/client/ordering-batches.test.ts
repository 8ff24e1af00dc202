/**
 * Program order per key around batches held on leases: a call issued after a pipeline on one of
 * its keys waits for the pipeline's replies, even after every other call in flight has finished
 * (the order must not fall back to its single-connection mode with the lease as "home").
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Pipeline, Redis } from "../../../src/index.js";
import { untilBlocked } from "../../harness/blocked.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";

const fixture = standaloneWithSide();

describe("program order around a pipeline", () => {
  it("a read after a pipeline that writes its key waits for it, though other calls finished meanwhile", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await using observer = new Redis({ port: fixture.server.port });
    await client.del(["batch:k", "batch:q"]);
    // The pipeline blocks 500 ms on an empty list before it writes the key.
    const pipeline = client.pipeline().blpop(["batch:q"], 0.5).set("batch:k", "from-pipeline").exec();
    // Once the server holds the BLPOP, the pipeline has its connection; a call on another key
    // comes and goes meanwhile.
    await untilBlocked(observer);
    assert.equal(await client.get("batch:other"), null, "another key is not held");
    const started = performance.now();
    assert.equal(await client.get("batch:k"), "from-pipeline");
    assert.ok(performance.now() - started > 100, "the read waited for the pipeline");
    assert.deepEqual(await pipeline, [null, "OK"]);
  });

  it("a pipeline after a plain write of its key sees the write, though it travels on the bulk lane", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const big = "v".repeat(1024 * 1024);
    for (let round = 0; round < 20; round++) {
      const write = client.set("batch:big", `${round}:${big}`);
      const [value] = await client.pipeline().strlen("batch:big").exec();
      assert.equal(value, `${round}:`.length + big.length);
      await write;
    }
  });

  it("a transaction's WATCH does not hold the client's own writes to the watched key", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("batch:watched", "0");
    let attempts = 0;
    const result = await client.transaction(
      async (tx) => {
        attempts++;
        const current = Number(await tx.get("batch:watched"));
        // A write through the client itself, awaited inside the callback: it must go through.
        if (attempts === 1) await client.set("batch:watched", "10");
        return tx.multi().set("batch:watched", String(current + 1));
      },
      { watches: ["batch:watched"], retries: 2 },
    );
    assert.deepEqual(result, ["OK"]);
    assert.equal(attempts, 2, "the client's own write was a conflict, so the callback ran again");
    assert.equal(await client.get("batch:watched"), "11");
  });
});

describe("program order around a pipeline on the shared connection", () => {
  it("a large write after a small pipeline on its key runs after it, though it travels on the bulk lane", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const big = "b".repeat(1024 * 1024);
    // Ahead of the pipeline's small SET on the same connection, 8 MiB for the server to read: a
    // write on another connection that did not wait for the pipeline would land first.
    const filler = "f".repeat(8 * 1024 * 1024);
    for (let round = 0; round < 10; round++) {
      const pipeline = client.pipeline().set("batch:filler", filler).set("batch:shared", `small-${round}`).exec();
      const write = client.set("batch:shared", big);
      await Promise.all([pipeline, write]);
      assert.equal(await client.strlen("batch:shared"), big.length, `round ${round}: the pipeline's SET ran last`);
    }
  });

  it("a small pipeline and the plain calls around it share one connection (one client id)", async () => {
    await using client = new Redis({ port: fixture.server.port });
    const plain = await client.clientId();
    const [inPipeline] = await client.pipeline().clientId().exec();
    const [inTransaction] = await client.pipeline({ transaction: true }).clientId().exec();
    // The first transaction checks MULTI on a lease of its own; later ones share.
    const [afterCheck] = await client.pipeline({ transaction: true }).clientId().exec();
    assert.equal(inPipeline, plain);
    assert.notEqual(inTransaction, plain);
    assert.equal(afterCheck, plain);
  });
});

describe("transactions on the shared connection", () => {
  it("transactions on one key, issued together, follow each other on the shared connection, each atomic", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["batch:tx"]);
    await client.pipeline({ transaction: true }).ping().exec(); // MULTI is checked once, on a lease
    const created = client.connectionPool.stats.created;
    const batches = await Promise.all(
      Array.from({ length: 50 }, () => {
        // Built in a loop: typed by hand, each call would append one more `number`.
        const transaction: Pipeline<string, number[]> = client.pipeline({ transaction: true });
        for (let i = 0; i < 10; i++) transaction.incr("batch:tx");
        return transaction.exec();
      }),
    );
    for (const replies of batches) {
      const first = Number(replies[0]);
      assert.deepEqual(replies, Array.from({ length: 10 }, (_, i) => first + i), "a transaction's INCRs are consecutive");
    }
    assert.deepEqual(batches.map((replies) => Number(replies[0])).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => 1 + 10 * i));
    assert.equal(client.connectionPool.stats.created, created, "no connection was leased for them");
  });
});
