/**
 * Batches on a cluster: a pipeline split by node, a transaction kept whole on its slot's node.
 *
 * - **Pipelines.** Each command goes with its first key (keyless ones where the target sends
 *   them); the commands of one node form one batch, sent to it as any pipeline is (in one write
 *   on its shared connection when program order allows, else on a lease), every node's batch in
 *   parallel. A command answered with a redirection (MOVED, ASK, TRYAGAIN, CLUSTERDOWN — replies
 *   that prove it did not run) is sent again, alone with the others redirected, where the target
 *   says (ASK: after ASKING, on the same connection), up to the target's redirection limit; the
 *   replies are put back in the order the commands were queued. SCRIPT LOADs the pipeline needs
 *   go first in every node's batch. Commands on one key stay in their order: they share a slot,
 *   so a node's batch, and a redirection sends them on together.
 * - **Transactions.** MULTI … EXEC runs on one node, so every key must be in one slot (else a
 *   `CrossSlotError` before anything is sent). A redirection of any queued command aborts EXEC
 *   (EXECABORT: nothing ran), and the whole transaction is sent again where the target says —
 *   after an ASK, with ASKING before MULTI, which holds for every command of the transaction.
 *
 * @module
 */
import { commandSpecForArgv } from "../commands/generated/table.js";
import { commandKeys, firstKey } from "../commands/keys.js";
import { keySlot } from "../cluster/slot.js";
import { CrossSlotError, ExecAbortError, InvalidArgumentError, ResponseError } from "../errors.js";
import type { LeaseOptions, Redirect, RouteHint } from "../pool/target.js";
import type { RedisArgument, RESPVersion } from "../protocol/values.js";
import { BATCH_CHUNK, type BatchCommand, type BatchOutcome, callOf, KEYLESS_CALL, type ShareableBatch, unionOf } from "./batch.js";
import type { PipelineHost } from "./host.js";
import { type BatchFraming, type BatchRunner, LeasedBatchRunner, PIPELINE_TRACKED_KEYS } from "./pipeline.js";

/** What precedes a command (or a transaction) an ASK redirected, on the same connection. */
const ASKING: BatchCommand = Object.freeze({ argv: ["ASKING"], transform: undefined, decodeStrings: true, blocking: false });

/** A command still to be answered: its place in the batch, and where a redirection sends it. */
interface Pending {
  readonly index: number;
  readonly node: string | undefined;
  readonly asking: boolean;
}

/** Runs batches on a cluster client's node pools; see the module's description. */
export class ClusterBatchRunner implements BatchRunner {
  constructor(
    readonly host: PipelineHost,
    readonly options: LeaseOptions = {},
  ) {}

  run(
    commands: readonly BatchCommand[],
    _keys: readonly RedisArgument[] | undefined,
    readOnly: boolean,
    _shareable?: ShareableBatch,
    framing: BatchFraming = { preload: 0, transaction: false },
  ): Promise<BatchOutcome> {
    const preload = commands.slice(0, framing.preload);
    const main = commands.slice(framing.preload);
    const everywhere = main.find(runsEverywhere);
    if (everywhere !== undefined) {
      // One node's answer would pass for the cluster's (KEYS, FLUSHALL, WAIT …).
      return Promise.reject(
        new InvalidArgumentError(
          `${commandSpecForArgv(everywhere.argv)?.name ?? "the command"} runs on every node of a cluster and cannot be pipelined there: call it on the client, or on forNode(node)'s pipeline`,
        ),
      );
    }
    return framing.transaction ? this.#transaction(preload, main, readOnly) : this.#pipeline(preload, main, readOnly);
  }

  /** The replies come as the pipeline's own would: the preload's first (each node's are alike), then the queued commands'. */
  async #pipeline(preload: readonly BatchCommand[], main: readonly BatchCommand[], readOnly: boolean): Promise<BatchOutcome> {
    const replies = new Array<unknown>(main.length);
    let preloaded: unknown[] = preload.map(() => undefined);
    // A pipeline of reads only may go to replicas (readFromReplicas); one with a write goes to primaries, keeping its order.
    const routes = main.map((command) => routeOf(command, readOnly));
    let protocolVersion: RESPVersion = 3;
    let pending: Pending[] = main.map((_, index) => ({ index, node: undefined, asking: false }));
    for (let round = 0; pending.length > 0; round++) {
      const groups = new Map<string, Pending[]>();
      for (const entry of pending) {
        const node = entry.node ?? this.host.locate(routes[entry.index]);
        const group = groups.get(node);
        if (group === undefined) groups.set(node, [entry]);
        else group.push(entry);
      }
      const outcomes = await Promise.all([...groups].map(([node, group]) => this.#runOn(node, preload, group, main, readOnly)));
      const next: Pending[] = [];
      let pauseMs = 0;
      for (const [g, group] of [...groups.values()].entries()) {
        const outcome = outcomes[g] as BatchOutcome;
        protocolVersion = outcome.protocolVersion;
        if (round === 0 && g === 0) preloaded = outcome.replies.slice(0, preload.length);
        const own = outcome.replies.slice(preload.length);
        if (outcome.lost !== undefined) {
          group.forEach((entry, j) => (replies[entry.index] = own[j]));
          return { replies: [...preloaded, ...replies], lost: outcome.lost, protocolVersion };
        }
        group.forEach((entry, j) => {
          const reply = own[j];
          const redirect = reply instanceof ResponseError ? this.host.redirect(reply, round, routes[entry.index]) : undefined;
          if (redirect === undefined) {
            replies[entry.index] = reply;
            return;
          }
          pauseMs = Math.max(pauseMs, redirect.delayMs);
          next.push({ index: entry.index, node: redirect.node, asking: redirect.asking === true });
        });
      }
      if (pauseMs > 0 && next.length > 0) await pause(pauseMs);
      pending = next;
    }
    return { replies: [...preloaded, ...replies], lost: undefined, protocolVersion };
  }

  /** One node's part of a pipeline, as a pipeline of its own; its replies come back as the preload's, then aligned with `group`. */
  async #runOn(
    node: string,
    preload: readonly BatchCommand[],
    group: readonly Pending[],
    main: readonly BatchCommand[],
    readOnly: boolean,
  ): Promise<BatchOutcome> {
    const commands: BatchCommand[] = [...preload];
    const answered: boolean[] = preload.map(() => true); // which replies are kept: not ASKING's
    for (const entry of group) {
      if (entry.asking) {
        commands.push(ASKING);
        answered.push(false);
      }
      commands.push(main[entry.index] as BatchCommand);
      answered.push(true);
    }
    const calls = commands.map((command) => (command === ASKING || preload.includes(command) ? KEYLESS_CALL : callOf(commandSpecForArgv(command.argv), command.argv)));
    const shareable =
      preload.length === 0 && commands.length <= BATCH_CHUNK && !commands.some((command) => command.blocking) ? { commands, calls } : undefined;
    const runner = new LeasedBatchRunner(this.host, { ...this.options, route: { node } });
    const outcome = await runner.run(commands, unionOf(calls, PIPELINE_TRACKED_KEYS), readOnly, shareable);
    return { ...outcome, replies: outcome.replies.filter((_, i) => answered[i]) };
  }

  async #transaction(preload: readonly BatchCommand[], main: readonly BatchCommand[], readOnly: boolean): Promise<BatchOutcome> {
    const queued = main.slice(1, -1);
    const keys = oneSlotKeys(queued);
    let route: RouteHint | undefined = keys[0] === undefined ? undefined : { key: keys[0], readOnly };
    let asking = false;
    for (let redirects = 0; ; redirects++) {
      const commands = asking ? [...preload, ASKING, ...main] : [...preload, ...main];
      const runner = new LeasedBatchRunner(this.host, { ...this.options, route });
      const sent = await runner.run(commands, keys.length > PIPELINE_TRACKED_KEYS ? undefined : keys, readOnly);
      const outcome = asking ? { ...sent, replies: sent.replies.filter((_, i) => i !== preload.length) } : sent;
      if (outcome.lost !== undefined) return outcome;
      const redirect = this.#transactionRedirect(outcome.replies.slice(preload.length), redirects, route);
      if (redirect === undefined) return outcome;
      if (redirect.delayMs > 0) await pause(redirect.delayMs);
      route = redirect.node === undefined ? (keys[0] === undefined ? undefined : { key: keys[0], readOnly }) : { node: redirect.node };
      asking = redirect.asking === true;
    }
  }

  /** When EXEC was aborted because a queued command was redirected (or MULTI itself was): where to send it all again. */
  #transactionRedirect(replies: readonly unknown[], redirects: number, route: RouteHint | undefined): Redirect | undefined {
    const exec = replies[replies.length - 1];
    const first = replies[0];
    const cause = first instanceof ResponseError ? first : exec instanceof ExecAbortError ? replies.find((reply) => reply instanceof ResponseError && reply !== exec) : undefined;
    return cause instanceof ResponseError ? this.host.redirect(cause, redirects, route) : undefined;
  }
}

/** Where a command of a pipeline goes: by its first key (`readOnly`: the whole pipeline only reads). */
function routeOf(command: BatchCommand, readOnly: boolean): RouteHint {
  return { key: firstKey(commandSpecForArgv(command.argv), command.argv), readOnly };
}

/**
 * Whether a command is one the cluster client fans out to every node (its table tip), which a
 * pipeline's one node cannot answer for. MULTI, EXEC and the like have no tip.
 */
function runsEverywhere(command: BatchCommand): boolean {
  const spec = commandSpecForArgv(command.argv);
  const policy = spec?.requestPolicy;
  return (policy === "all_shards" || policy === "all_nodes") && spec?.responsePolicy !== "special" && spec?.name !== "PING";
}

/** The keys a transaction's commands name, all of one slot. @throws {CrossSlotError} when they span slots. */
function oneSlotKeys(commands: readonly BatchCommand[]): RedisArgument[] {
  const keys: RedisArgument[] = [];
  let slot: number | undefined;
  for (const command of commands) {
    const spec = commandSpecForArgv(command.argv);
    const named = spec === undefined ? undefined : commandKeys(spec, command.argv);
    for (const key of named ?? []) {
      const keySlotOf = keySlot(key);
      if (slot !== undefined && keySlotOf !== slot) {
        throw new CrossSlotError("CROSSSLOT a cluster transaction runs on one node: its keys must share a slot (use hash tags: {…})");
      }
      slot = keySlotOf;
      keys.push(key);
    }
  }
  return keys;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
