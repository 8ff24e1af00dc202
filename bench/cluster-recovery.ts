/**
 * Recovery after a SIGKILLed primary, one client at a time, each on a fresh cluster of its own
 * (3 primaries with a replica each, `cluster-node-timeout` 1 000 ms), so no client inherits another's
 * failover.
 *
 * This process owns the cluster: it starts it, picks the first primary as the victim and keys of
 * that primary's slots for the writers, starts `recovery-worker.ts` (the client under test, in a
 * fresh process) and, once the worker's writers are running, SIGKILLs the primary (`killNode`,
 * by pid) and polls `isPrimary` on its replica every {@link PROMOTION_POLL_MS} ms. It reports the
 * milliseconds from the kill (the process seen gone), and from the promotion as the poll first
 * saw it, to the first write issued after the kill that succeeded. Every wait is bounded ({@link RECOVERY_BOUND_MS} for the
 * promotion and for the recovery); the cluster is stopped whatever happens.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { keySlot } from "../src/cluster/slot.js";
import { isPrimary, killNode, slotMapOf } from "../test/harness/cluster-ops.js";
import { startCluster } from "../test/harness/servers.js";
import { REPO_DIR } from "./report.js";
import type { KillMessage, RecoveryReport, WorkerMessage } from "./recovery-protocol.js";
import { epochNow, RECOVERY_BOUND_MS, RECOVERY_WRITERS } from "./recovery-protocol.js";

export const RECOVERY_NODE_TIMEOUT_MS = 1_000;
export const PROMOTION_POLL_MS = 20;
/** How long the worker may take to open its client and get every writer going. */
const READY_BOUND_MS = 45_000;
/** How long the worker may take, after the recovery bound, to report and exit. */
const EXIT_GRACE_MS = 15_000;

/** One client's recovery, in milliseconds; a field is absent when its event did not happen in time. */
export interface RecoveryResult {
  readonly client: string;
  /** Kill → the replica seen as a primary. */
  readonly promotionMs?: number;
  /** Kill → the first write issued after the kill that succeeded. */
  readonly killToFirstOkMs?: number;
  /** Promotion (as polled) → that write: negative when the client got there before the poll. */
  readonly promotionToFirstOkMs?: number;
  /** Kill → every writer had such a write. */
  readonly killToAllOkMs?: number;
  readonly report?: RecoveryReport;
  readonly error?: string;
}

/** The first `count` keys `bench:recovery:i` that hash to a slot `owns`. */
function keysOwnedBy(owns: (slot: number) => boolean, count: number): string[] {
  const found: string[] = [];
  for (let i = 0; found.length < count; i++) {
    const key = `bench:recovery:${i}`;
    if (owns(keySlot(key))) found.push(key);
  }
  return found;
}

/** Resolves `promise`, or rejects after `ms` with `what` in the message. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Measures `client`'s recovery on a fresh cluster; never throws (a failure is the result's `error`). */
export async function measureRecovery(client: string): Promise<RecoveryResult> {
  const cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: RECOVERY_NODE_TIMEOUT_MS });
  let child: ReturnType<typeof spawn> | undefined;
  let stderr = "";
  try {
    const victim = cluster.primaries[0]!;
    const map = await slotMapOf(victim);
    const shard = map.shards.find((candidate) => candidate.primary.port === victim.port);
    const replica = cluster.nodes.find((node) => node.port === shard?.replicas[0]?.port);
    if (shard === undefined || replica === undefined) throw new Error(`no replica of :${victim.port} in CLUSTER SHARDS`);
    const keys = keysOwnedBy((slot) => map.shardFor(slot) === shard, RECOVERY_WRITERS);

    const nodes = cluster.startupNodes.map(({ host, port }) => `${host}:${port}`).join(",");
    child = spawn(process.execPath, ["--import", "tsx", "bench/recovery-worker.ts", client, nodes, keys.join(",")], {
      cwd: REPO_DIR,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const worker = child;
    worker.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    const exited = new Promise<void>((resolve) => worker.on("close", () => resolve()));
    const messages: WorkerMessage[] = [];
    let notify: (() => void) | undefined;
    createInterface({ input: worker.stdout! }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      messages.push(JSON.parse(line) as WorkerMessage);
      notify?.();
    });
    /** The first message `pick` accepts, or a failure if the worker reported one or exited first. */
    const next = <T>(pick: (message: WorkerMessage) => T | undefined): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const check = (): void => {
          for (const message of messages) {
            if (message.error !== undefined) reject(new Error(message.error));
            const picked = pick(message);
            if (picked !== undefined) resolve(picked);
          }
        };
        notify = check;
        void exited.then(() => {
          check();
          reject(new Error(`worker exited: ${stderr.trim().split("\n").slice(-3).join(" / ")}`));
        });
        check();
      });

    await within(next((message) => message.ready), READY_BOUND_MS, "worker ready");
    // The kill counts from when the process is gone (SIGKILL sent, then its pid polled, every
    // 20 ms): a write issued between the signal and the process's end may still have been served
    // by it, and must not pass for a write after the kill.
    await killNode(victim);
    const killedAt = epochNow();
    const kill: KillMessage = { killedAt };
    worker.stdin?.write(`${JSON.stringify(kill)}\n`);

    let promotedAt: number | undefined;
    while (promotedAt === undefined && epochNow() < killedAt + RECOVERY_BOUND_MS) {
      if (await isPrimary(replica).catch(() => false)) promotedAt = epochNow();
      else await sleep(PROMOTION_POLL_MS);
    }
    const report = await within(
      next((message) => message.result),
      Math.max(0, killedAt + RECOVERY_BOUND_MS + EXIT_GRACE_MS - epochNow()),
      "worker result",
    );
    await within(exited, EXIT_GRACE_MS, "worker exit").catch(() => undefined);
    const since = (at: number | undefined, from: number | undefined): number | undefined =>
      at === undefined || from === undefined ? undefined : at - from;
    const promotionMs = since(promotedAt, killedAt);
    const killToFirstOkMs = since(report.firstOkAt, killedAt);
    const promotionToFirstOkMs = since(report.firstOkAt, promotedAt);
    const killToAllOkMs = since(report.allOkAt, killedAt);
    return {
      client,
      report,
      ...(promotionMs === undefined ? {} : { promotionMs }),
      ...(killToFirstOkMs === undefined ? {} : { killToFirstOkMs }),
      ...(promotionToFirstOkMs === undefined ? {} : { promotionToFirstOkMs }),
      ...(killToAllOkMs === undefined ? {} : { killToAllOkMs }),
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { client, error: stderr === "" ? why : `${why} (stderr: ${stderr.trim().split("\n").slice(-2).join(" / ")})` };
  } finally {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await cluster.stop();
  }
}
