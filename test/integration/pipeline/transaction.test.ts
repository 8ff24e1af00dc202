/**
 * Transactions against a real server: concurrent MULTI … EXEC batches stay atomic; WATCH conflicts
 * injected from another connection are retried (and, out of retries, reject with WatchError);
 * the callback may write its watched keys through the client without a deadlock; the leased
 * connection goes back clean (no WATCH, no MULTI in force) whatever the callback did.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expectTypeOf } from "expect-type";
import { InvalidArgumentError, Redis, WatchError } from "../../../src/index.js";
import { runRequest } from "../../harness/run-request.js";
import { untilOnlySideConnected } from "../../harness/server-signals.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";

const fixture = standaloneWithSide();

/** Rejects if `promise` has not settled within `ms`: a hang fails the test instead of the run. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts `replies` are consecutive integers. */
function assertConsecutive(replies: readonly unknown[], what: string): void {
  for (let i = 1; i < replies.length; i++) {
    assert.equal(replies[i], (replies[0] as number) + i, `${what}: ${JSON.stringify(replies)}`);
  }
}

describe("MULTI … EXEC batches are atomic", () => {
  it("50 concurrent transaction pipelines of 10 INCRs on one key: each batch consecutive, 500 in all", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["atomic:one"]);
    const batches = await Promise.all(
      Array.from({ length: 50 }, () => {
        const pipeline = client.pipeline({ transaction: true });
        for (let i = 0; i < 10; i++) pipeline.incr("atomic:one");
        return pipeline.exec();
      }),
    );
    const firsts = new Set<number>();
    for (const [index, replies] of batches.entries()) {
      const all: readonly unknown[] = replies;
      assert.equal(all.length, 10);
      assertConsecutive(all, `batch ${index}`);
      firsts.add(all[0] as number);
    }
    assert.equal(firsts.size, 50, "no two batches overlap");
    assert.equal(await client.get("atomic:one"), "500");
  });

  it("the same from five clients at once (no program order between them: only MULTI keeps the batches whole)", async () => {
    const clients = Array.from({ length: 5 }, () => new Redis({ port: fixture.server.port }));
    try {
      await clients[0]!.del(["atomic:many"]);
      const batches = await Promise.all(
        clients.flatMap((client) =>
          Array.from({ length: 10 }, () => {
            const pipeline = client.pipeline({ transaction: true });
            for (let i = 0; i < 10; i++) pipeline.incr("atomic:many");
            return pipeline.exec();
          }),
        ),
      );
      batches.forEach((replies, index) => assertConsecutive(replies, `batch ${index}`));
      const ends = batches.map((replies) => (replies as readonly unknown[])[9] as number).sort((a, b) => a - b);
      assert.deepEqual(ends, Array.from({ length: 50 }, (_, i) => 10 * (i + 1)));
      assert.equal(await clients[0]!.get("atomic:many"), "500");
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});

describe("WATCH conflicts", () => {
  it("a write from another connection while fn awaits is retried, and the final value is right", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("watch:k", "10");
    let attempts = 0;
    const result = await client.transaction(
      async (tx) => {
        attempts++;
        const current = Number(await tx.get("watch:k"));
        if (attempts === 1) await runRequest(fixture.side, ["SET", "watch:k", "100"]);
        return tx.multi().set("watch:k", String(current + 1)).get("watch:k");
      },
      { watches: ["watch:k"] },
    );
    expectTypeOf(result).toEqualTypeOf<["OK" | null, string | null]>();
    assert.deepEqual(result, ["OK", "101"]);
    assert.equal(attempts, 2);
    assert.equal(await client.get("watch:k"), "101");
  });

  it("with retries: 0 the conflict rejects with WatchError, fn ran once, the other write stands", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("watch:zero", "10");
    let attempts = 0;
    const outcome = client.transaction(
      async (tx) => {
        attempts++;
        const current = Number(await tx.get("watch:zero"));
        await runRequest(fixture.side, ["SET", "watch:zero", "side"]);
        return tx.multi().set("watch:zero", String(current + 1));
      },
      { watches: ["watch:zero"], retries: 0 },
    );
    await assert.rejects(outcome, (error) => {
      assert.ok(error instanceof WatchError, String(error));
      assert.match(error.message, /1 attempts/);
      return true;
    });
    assert.equal(attempts, 1);
    assert.equal(await client.get("watch:zero"), "side");
  });

  it("a conflict on every attempt: WatchError after 1 + retries attempts", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("watch:always", "0");
    let attempts = 0;
    await assert.rejects(
      client.transaction(
        async (tx) => {
          attempts++;
          await runRequest(fixture.side, ["INCR", "watch:always"]);
          return tx.multi().set("watch:always", "never");
        },
        { watches: ["watch:always"], retries: 2 },
      ),
      WatchError,
    );
    assert.equal(attempts, 3);
    assert.equal(await client.get("watch:always"), "3");
  });

  it("optimistic increments from four clients at once: every one applied exactly once", async () => {
    const clients = Array.from({ length: 4 }, () => new Redis({ port: fixture.server.port }));
    try {
      await clients[0]!.set("watch:counter", "0");
      let retried = 0;
      await Promise.all(
        clients.map(async (client) => {
          for (let i = 0; i < 10; i++) {
            let attempt = 0;
            await client.transaction(
              async (tx) => {
                if (attempt++ > 0) retried++;
                const current = Number(await tx.get("watch:counter"));
                return tx.multi().set("watch:counter", String(current + 1));
              },
              { watches: ["watch:counter"], retries: 100 },
            );
          }
        }),
      );
      assert.equal(await clients[0]!.get("watch:counter"), "40", `${retried} retries`);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it("fn writing a watched key through the client itself: the write goes through (no deadlock), the transaction retries", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("watch:self", "0");
    let writes = 0;
    const outcome = client.transaction(
      async (tx) => {
        await within(5_000, "client.set inside the transaction", client.set("watch:self", "x"));
        writes++;
        return tx.multi().set("watch:self", "y");
      },
      { watches: ["watch:self"], retries: 1 },
    );
    await assert.rejects(within(10_000, "the transaction", outcome), WatchError);
    assert.equal(writes, 2, "each attempt's own write completed");
    assert.equal(await client.get("watch:self"), "x");
  });

  it("fn writing a watched key through the client on its first attempt only: the retry succeeds", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("watch:once", "0");
    let attempts = 0;
    const result = await within(
      10_000,
      "the transaction",
      client.transaction(
        async (tx) => {
          attempts++;
          const current = await tx.get("watch:once");
          if (attempts === 1) await client.set("watch:once", "5");
          return tx.multi().set("watch:once", `${current ?? ""}+1`);
        },
        { watches: ["watch:once"], retries: 1 },
      ),
    );
    assert.deepEqual(result, ["OK"]);
    assert.equal(attempts, 2);
    assert.equal(await client.get("watch:once"), "5+1");
  });
});

describe("the callback's contract", () => {
  it("tx commands run at once on the transaction's connection; fn queuing nothing resolves to []", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("tx:read", "value");
    const seen: (string | null)[] = [];
    const result = await client.transaction(
      async (tx) => {
        seen.push(await tx.get("tx:read"));
        seen.push(String(await tx.exists(["tx:read"])));
      },
      { watches: ["tx:read"] },
    );
    assert.deepEqual(result, []);
    assert.deepEqual(seen, ["value", "1"]);
  });

  it("the transaction is over once fn returns: tx commands reject, multi() throws", async () => {
    await using client = new Redis({ port: fixture.server.port });
    let kept: Parameters<Parameters<typeof client.transaction>[0]>[0] | undefined;
    await client.transaction((tx) => {
      kept = tx;
      return tx.multi().set("tx:over", "1");
    });
    assert.ok(kept !== undefined);
    await assert.rejects(kept.get("tx:over"), InvalidArgumentError);
    assert.throws(() => kept?.multi(), InvalidArgumentError);
  });

  it("fn may exec() the multi() pipeline itself: it runs once, and the transaction resolves to its replies", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.del(["tx:self:n"]);
    let inside: unknown;
    const result = await client.transaction(async (tx) => {
      const pipeline = tx.multi().incr("tx:self:n");
      inside = await pipeline.exec();
      return pipeline;
    });
    assert.deepEqual(inside, [1]);
    assert.deepEqual(result, [1]);
    assert.equal(await client.get("tx:self:n"), "1");
  });

  it("retries must be a non-negative integer", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await assert.rejects(client.transaction(() => undefined, { retries: -1 }), InvalidArgumentError);
    await assert.rejects(client.transaction(() => undefined, { retries: 1.5 }), InvalidArgumentError);
  });

  it("fn throwing: the transaction rejects with its error, nothing queued runs", async () => {
    await using client = new Redis({ port: fixture.server.port });
    await client.set("tx:throw", "0");
    const failure = new Error("body error");
    await assert.rejects(
      client.transaction(
        (tx) => {
          tx.multi().set("tx:throw", "1");
          throw failure;
        },
        { watches: ["tx:throw"] },
      ),
      (error) => error === failure,
    );
    assert.equal(await client.get("tx:throw"), "0");
  });
});

describe("the connection goes back clean", () => {
  /**
   * With one connection in the pool, every transaction and pipeline takes the same connection: a
   * WATCH left in force would make the next EXEC answer null after `side` writes the key.
   */
  for (const [what, body] of [
    ["fn queued nothing (UNWATCH)", (): void => undefined],
    [
      "fn threw",
      (): never => {
        throw new Error("body error");
      },
    ],
    ["EXEC ran", "exec"],
  ] as const) {
    it(`${what}: no WATCH left on the connection`, async () => {
      await using client = new Redis({ port: fixture.server.port, maxConnections: 1, poolTimeout: 2_000 });
      await client.set("clean:k", "0");
      await client
        .transaction(
          (tx) => {
            if (body === "exec") return tx.multi().get("clean:k");
            body();
          },
          { watches: ["clean:k"] },
        )
        .catch(() => undefined);
      assert.equal(client.connectionPool.stats.dedicated, 0, "the lease ended");
      await runRequest(fixture.side, ["SET", "clean:k", "side"]);
      // A WATCH still in force on the one connection would make this EXEC answer null.
      assert.deepEqual(await client.pipeline({ transaction: true }).set("clean:k", "after").exec(), ["OK"]);
      assert.equal(await client.get("clean:k"), "after");
    });
  }

  it("after a WatchError: no WATCH or MULTI left", async () => {
    await using client = new Redis({ port: fixture.server.port, maxConnections: 1, poolTimeout: 2_000 });
    await client.set("clean:watch", "0");
    await assert.rejects(
      client.transaction(
        async (tx) => {
          await runRequest(fixture.side, ["SET", "clean:watch", "side"]);
          return tx.multi().set("clean:watch", "lost");
        },
        { watches: ["clean:watch"], retries: 0 },
      ),
      WatchError,
    );
    await runRequest(fixture.side, ["SET", "clean:watch", "side2"]);
    assert.equal(await client.get("clean:watch"), "side2");
    assert.deepEqual(await client.pipeline({ transaction: true }).incr("clean:n").exec(), [1]);
  });
});

describe("after close()", () => {
  it("no connection of this file's clients is left at the server", async () => {
    await untilOnlySideConnected(fixture.side);
  });
});
