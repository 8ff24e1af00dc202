/**
 * The client side of the cluster recovery test, in a fresh process:
 * `node --import tsx bench/recovery-worker.ts CLIENT HOST:PORT,… KEY,…`.
 *
 * Opens CLIENT's cluster client on those start-up nodes and runs one writer per KEY, each looping
 * SET on its key (every key on the primary about to be killed). Once every writer has written and
 * {@link WARM_MS} have passed, it prints `{"ready":true}` (see `recovery-protocol.ts` for the
 * messages); from then on it keeps every call's
 * issue and completion times. `cluster-recovery.ts`, which owns the cluster, then SIGKILLs the
 * primary and writes `{"killedAt":…}` on stdin. The writers go on until each has had a write that
 * was issued after the kill succeed, or {@link RECOVERY_BOUND_MS} after the kill; then the worker
 * prints `{"result":…}` (a `RecoveryReport`) and exits. Times are epoch milliseconds
 * (`epochNow()`), so the parent can set them against its own.
 *
 * A failed call is followed by a {@link PAUSE_AFTER_FAILURE_MS} pause before that writer's next
 * call: a client that fails fast would otherwise spin, and the failure count would measure the
 * loop's speed rather than the client.
 *
 * @module
 */
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { CLUSTER_ADAPTERS } from "./cluster-clients.js";
import type { NodeAddress } from "./cluster-clients.js";
import type { KillMessage, RecoveryReport, WorkerMessage } from "./recovery-protocol.js";
import { epochNow, PAUSE_AFTER_FAILURE_MS, RECOVERY_BOUND_MS } from "./recovery-protocol.js";

/** How long the writers run before the kill. */
const WARM_MS = 500;
/** How long the writers may take to finish their calls once told to stop; calls still hanging then are counted. */
const DRAIN_MS = 2_000;
const CLOSE_MS = 5_000;
const VALUE = "x".repeat(100);

/** An error as "Name: message", so errors with an empty message still say what they are. */
const describe = (error: unknown): string => (error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error));

interface Outcome {
  readonly writer: number;
  readonly issuedAt: number;
  readonly doneAt: number;
  readonly error?: string;
}

function report(outcomes: readonly Outcome[], killedAt: number, writers: number, hungCalls: number): RecoveryReport {
  const after = outcomes.filter((outcome) => outcome.doneAt >= killedAt);
  const firstOkPerWriter = new Map<number, number>();
  for (const outcome of after) {
    if (outcome.error === undefined && outcome.issuedAt >= killedAt && !firstOkPerWriter.has(outcome.writer)) {
      firstOkPerWriter.set(outcome.writer, outcome.doneAt);
    }
  }
  const oks = [...firstOkPerWriter.values()];
  const firstOkAt = oks.length === 0 ? undefined : Math.min(...oks);
  const failures = after.filter((outcome) => outcome.error !== undefined);
  const errors = [...new Set(failures.map((outcome) => outcome.error!))].slice(0, 5);
  return {
    ...(firstOkAt === undefined ? {} : { firstOkAt }),
    ...(oks.length === writers ? { allOkAt: Math.max(...oks) } : {}),
    writers,
    recoveredWriters: oks.length,
    failedBeforeFirstOk: failures.filter((outcome) => firstOkAt === undefined || outcome.doneAt < firstOkAt).length,
    failedAfterKill: failures.length,
    hungCalls,
    errors,
  };
}

async function main(client: string, nodes: readonly NodeAddress[], keys: readonly string[]): Promise<RecoveryReport> {
  const adapter = CLUSTER_ADAPTERS.get(client);
  if (adapter === undefined) throw new Error(`unknown cluster client ${client}`);
  const lines = createInterface({ input: process.stdin });
  const killed = new Promise<number>((resolve, reject) => {
    lines.on("line", (line) => {
      const message = JSON.parse(line) as Partial<KillMessage>;
      if (typeof message.killedAt === "number") resolve(message.killedAt);
    });
    lines.on("close", () => reject(new Error("stdin closed before the kill was announced")));
  });
  killed.catch(() => undefined);

  const bench = await adapter.openCluster(nodes);
  const outcomes: Outcome[] = [];
  let recording = false;
  let running = true;
  let pending = 0;
  const wrote = new Set<number>();
  const loops = keys.map(async (key, writer) => {
    while (running) {
      const issuedAt = epochNow();
      pending++;
      try {
        await bench.set(key, VALUE);
        wrote.add(writer);
        if (recording) outcomes.push({ writer, issuedAt, doneAt: epochNow() });
      } catch (error) {
        if (recording) outcomes.push({ writer, issuedAt, doneAt: epochNow(), error: describe(error) });
        await sleep(PAUSE_AFTER_FAILURE_MS);
      } finally {
        pending--;
      }
    }
  });

  const startedAt = epochNow();
  while (wrote.size < keys.length || epochNow() < startedAt + WARM_MS) {
    if (epochNow() > startedAt + RECOVERY_BOUND_MS) throw new Error(`only ${wrote.size} of ${keys.length} writers wrote within ${RECOVERY_BOUND_MS} ms of the start`);
    await sleep(10);
  }
  recording = true;
  const ready: WorkerMessage = { ready: true };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  const killedAt = await killed;
  const recovered = (): boolean => {
    const writers = new Set<number>();
    for (const outcome of outcomes) if (outcome.error === undefined && outcome.issuedAt >= killedAt) writers.add(outcome.writer);
    return writers.size === keys.length;
  };
  while (!recovered() && epochNow() < killedAt + RECOVERY_BOUND_MS) await sleep(10);
  running = false;
  await Promise.race([Promise.all(loops), sleep(DRAIN_MS)]);
  const result = report(outcomes, killedAt, keys.length, pending);
  lines.close();
  await Promise.race([bench.close().catch(() => undefined), sleep(CLOSE_MS)]);
  return result;
}

const [client, nodesText, keysText] = process.argv.slice(2);
if (client === undefined || nodesText === undefined || keysText === undefined) {
  console.error("usage: node --import tsx bench/recovery-worker.ts CLIENT HOST:PORT,… KEY,…");
  process.exit(2);
}
const nodes = nodesText.split(",").map((address) => {
  const colon = address.lastIndexOf(":");
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
});

let exitCode = 0;
let message: WorkerMessage;
try {
  message = { result: await main(client, nodes, keysText.split(",")) };
} catch (error) {
  exitCode = 1;
  message = { error: error instanceof Error ? error.message : String(error) };
}
// Exit explicitly: a client may still hold sockets, timers or native handles for the dead node.
process.stdout.write(`${JSON.stringify(message)}\n`, () => process.exit(exitCode));
