/**
 * Program order per key around batches held on leases: a call issued after a pipeline on one of
 * its keys waits for the pipeline's replies, even after every other call in flight has finished
 * (the order must not fall back to its single-connection mode with the lease as "home").
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Redis } from "../../../src/index.js";
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
