/**
 * A server that drops the client's connections (CLIENT KILL, its idle `timeout`, a restart) must
 * cost callers latency, not errors: requests written onto a socket the server already closed
 * were never sent and go again; reads lost after their write are repeated; writes stay at most
 * once.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionError, Redis } from "../../../src/index.js";
import { clientIdsNamed, runRequest } from "../../harness/run-request.js";
import { startStandalone } from "../../harness/servers.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";
import { until } from "../../harness/wait.js";

const fixture = standaloneWithSide();

/** Kills every connection named `name`, through the side connection; resolves once Redis has. */
async function killClients(name: string): Promise<number> {
  const ids = await clientIdsNamed(fixture.side, name);
  for (const id of ids) await runRequest(fixture.side, ["CLIENT", "KILL", "ID", id]);
  return ids.length;
}

describe("after CLIENT KILL", () => {
  it("100 GETs, each issued right after its connections were killed: none fails", async () => {
    await using client = new Redis({ port: fixture.server.port, clientName: "kill-get" });
    await client.set("recovery:get", "value");
    let failures = 0;
    for (let i = 0; i < 100; i++) {
      assert.ok((await killClients("kill-get")) >= 1);
      try {
        assert.equal(await client.get("recovery:get"), "value");
      } catch (error) {
        failures++;
        assert.ok(error instanceof ConnectionError, String(error));
      }
    }
    assert.equal(failures, 0);
  });

  it("100 INCRs the same way: never applied twice, and failing only where the write may have reached Redis", async () => {
    await using client = new Redis({ port: fixture.server.port, clientName: "kill-incr" });
    await client.del(["recovery:incr"]);
    let succeeded = 0;
    let mayHaveRun = 0;
    for (let i = 0; i < 100; i++) {
      await killClients("kill-incr");
      try {
        await client.incr("recovery:incr");
        succeeded++;
      } catch (error) {
        assert.ok(error instanceof ConnectionError && error.written, `only a written INCR may fail: ${String(error)}`);
        mayHaveRun++;
      }
    }
    const applied = Number(await client.get("recovery:incr"));
    assert.ok(applied >= succeeded && applied <= succeeded + mayHaveRun, `applied ${applied}, acknowledged ${succeeded}`);
    assert.ok(applied <= 100, "no INCR ran twice");
  });

  it("calls made once the client has seen the kill: none fails, writes included", async () => {
    await using client = new Redis({ port: fixture.server.port, clientName: "kill-seen" });
    await client.set("recovery:seen", "0");
    const pool = client.connectionPool;
    for (let i = 0; i < 20; i++) {
      const closed = pool.stats.closed;
      await killClients("kill-seen");
      await until(() => pool.stats.closed > closed, "the client saw its connection close");
      assert.equal(await client.get("recovery:seen"), String(i));
      assert.equal(await client.incr("recovery:seen"), i + 1);
    }
  });

  it("200 callers reading while connections are killed every 100 ms: no read fails", async () => {
    await using client = new Redis({ port: fixture.server.port, clientName: "kill-load", maxConnections: 8 });
    await client.set("recovery:load", "payload");
    let reads = 0;
    let failures = 0;
    let running = true;
    const caller = async (): Promise<void> => {
      while (running) {
        try {
          assert.equal(await client.get("recovery:load"), "payload");
          reads++;
        } catch {
          failures++;
        }
      }
    };
    const callers = Array.from({ length: 200 }, caller);
    let kills = 0;
    for (let i = 0; i < 15; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // the kill rate is the point here
      kills += await killClients("kill-load");
    }
    running = false;
    await Promise.all(callers);
    assert.ok(kills >= 15, `${kills} connections killed`);
    assert.ok(reads > 1000, `${reads} reads`);
    assert.equal(failures, 0);
  });
});

describe("servers that close connections themselves", () => {
  it("a connection the server closed for idleness (CONFIG SET timeout 1) costs the next calls nothing", async () => {
    await using client = new Redis({ port: fixture.server.port, clientName: "idle-victim" });
    await client.set("recovery:idle", "1");
    await runRequest(fixture.side, ["CONFIG", "SET", "timeout", "1"]);
    try {
      const pool = client.connectionPool;
      const closed = pool.stats.closed;
      // Redis checks idle clients about once a second: wait on the client seeing the close.
      await until(() => pool.stats.closed > closed, "the server closed the idle connection", { withinMs: 10_000, everyMs: 20 });
      assert.equal(await client.get("recovery:idle"), "1");
      assert.equal(await client.incr("recovery:idle"), 2);
    } finally {
      // The side connection was idle too, and is gone: restore the setting through a new one.
      await runRequest(await fixture.reopenSide(), ["CONFIG", "SET", "timeout", "0"]);
    }
  });

  it("a server restart costs the calls after it nothing", async () => {
    const first = await startStandalone();
    const port = first.port;
    await using client = new Redis({ port });
    await client.set("recovery:restart", "before");
    const closed = client.connectionPool.stats.closed;
    await first.stop();
    await until(() => client.connectionPool.stats.closed > closed, "the client saw the server go");
    const second = await startStandalone({ extraArgs: ["--port", String(port)] });
    try {
      assert.equal(await client.get("recovery:restart"), null, "a new server, without persistence");
      assert.equal(await client.set("recovery:restart", "after"), "OK");
      assert.equal(await client.get("recovery:restart"), "after");
    } finally {
      await client.close();
      await second.stop();
    }
  });
});
