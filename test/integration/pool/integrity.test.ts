/**
 * Reply integrity under faults: thousands of concurrent ECHOs with unique payloads while calls are
 * aborted at random, given 1–5 ms timeouts, the server kills the client's connections and stalls.
 * Every resolved call must hold its own payload; every other call must reject with a typed error;
 * none may stay pending; and the client must work afterwards.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { Redis, RedisError } from "../../../src/index.js";
import type { TCPConnection } from "../../../src/connection/tcp-connection.js";
import { openSideConnection, runRequest } from "../../harness/run-request.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";

let server: RedisServer;
let side: TCPConnection;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

before(async () => {
  server = await startStandalone();
  side = await openSideConnection(server);
  process.on("unhandledRejection", onUnhandled);
});
after(async () => {
  process.off("unhandledRejection", onUnhandled);
  await side?.close();
  await server?.stop();
});

it("never hands one caller another caller's reply, and leaves nothing pending", async () => {
  await using client = new Redis({ port: server.port, maxConnections: 8, clientName: "victim" });
  const total = 6000;
  let resolved = 0;
  let rejected = 0;
  let settled = 0;
  const kinds = new Map<string, number>();

  const call = async (i: number): Promise<void> => {
    const payload = `payload-${i}-${"x".repeat(i % 50)}`;
    const mode = i % 4;
    const controller = new AbortController();
    const view =
      mode === 0
        ? client
        : mode === 1
          ? client.withOptions({ timeout: 1 + (i % 5) })
          : mode === 2
            ? client.withOptions({ signal: controller.signal })
            : client.withOptions({ timeout: 1 + (i % 5), signal: controller.signal });
    if (mode >= 2 && i % 3 === 0) {
      // Abort at a random point: at once, after the write, or later.
      if (i % 2 === 0) queueMicrotask(() => controller.abort(new Error("random abort")));
      else setTimeout(() => controller.abort(new Error("random abort")), i % 7);
    }
    try {
      const reply = await view.echo(payload);
      assert.equal(reply, payload, `call ${i} got another call's reply`);
      resolved++;
    } catch (error) {
      assert.ok(error instanceof RedisError, `call ${i} rejected with an untyped error: ${String(error)}`);
      kinds.set(error.name, (kinds.get(error.name) ?? 0) + 1);
      rejected++;
    } finally {
      settled++;
    }
  };

  // Faults are injected as the work progresses (every 700 settled calls), not on a clock.
  let faultsInjected = 0;
  let nextFaultAt = 300;
  let faulting: Promise<void> = Promise.resolve();
  const maybeInjectFault = (): void => {
    if (settled < nextFaultAt || faultsInjected >= 6) return;
    nextFaultAt += 700;
    faultsInjected++;
    faulting = faulting.then(async () => {
      await runRequest(side, ["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
      await runRequest(side, ["DEBUG", "SLEEP", "0.02"]);
    });
  };

  const workers = 200;
  const worker = async (w: number): Promise<void> => {
    for (let i = w; i < total; i += workers) {
      await call(i);
      maybeInjectFault();
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  await faulting;

  assert.equal(faultsInjected, 6);
  assert.equal(settled, total);
  assert.equal(resolved + rejected, total);
  assert.ok(resolved > 0, "some calls succeed");
  assert.ok(rejected > 0, "the faults cause some failures");
  assert.deepEqual(unhandled, []);
  // The client still works, with its own replies.
  const after = await Promise.all(Array.from({ length: 100 }, (_, i) => client.echo(`after-${i}`)));
  assert.deepEqual(after, Array.from({ length: 100 }, (_, i) => `after-${i}`));
  console.log(`resolved ${resolved}, rejected ${rejected}`, Object.fromEntries(kinds));
});
