/**
 * A huge pipeline is written in bounded chunks: never more than a window of its commands is
 * queued or unanswered on the connection at once, whatever the batch's length.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TCPConnection } from "../../../src/connection/tcp-connection.js";
import type { Request } from "../../../src/connection/request.js";
import { BATCH_CHUNK, BATCH_WINDOW } from "../../../src/pipeline/batch.js";
import { ConnectionPool, type Pipeline, Redis, TCPLocation } from "../../../src/index.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";

const fixture = standaloneWithSide();

describe("a pipeline of 200 000 commands", () => {
  it("keeps at most a window of them on its connection, and answers every one in order", async () => {
    let peak = 0;
    class Watched extends TCPConnection {
      override send(request: Request): void {
        super.send(request);
        peak = Math.max(peak, this.pendingCount);
      }
    }
    const pool = new ConnectionPool({ connectionClass: Watched, location: new TCPLocation(fixture.server.host, fixture.server.port) });
    await using client = new Redis({ connectionPool: pool });
    await client.del(["memory:n"]);
    // Built in a loop, its type is widened by hand: each call would append one more `number`.
    const pipeline: Pipeline<string, number[]> = client.pipeline();
    const total = 200_000;
    for (let i = 0; i < total; i++) pipeline.incr("memory:n");
    const results = await pipeline.exec();
    assert.equal(results.length, total);
    assert.equal(results[0], 1);
    assert.equal(results[total - 1], total);
    assert.ok(results.every((value, index) => value === index + 1), "replies in order");
    assert.ok(peak <= BATCH_WINDOW + BATCH_CHUNK, `at most ${BATCH_WINDOW + BATCH_CHUNK} in flight, saw ${peak}`);
    assert.ok(peak >= BATCH_CHUNK, "and the window was used");
    await pool.close();
  });
});
