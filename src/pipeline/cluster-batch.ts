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
import type { CommandSpec } from "../commands/command-spec.js";
import { commandKeys } from "../commands/keys.js";
import { keySlot } from "../cluster/slot.js";
import { CrossSlotError, ExecAbortError, InvalidArgumentError, ResponseError } from "../errors.js";
import type { LeaseOptions, Redirect, RouteHint } from "../pool/target.js";
import type { RedisArgument, RESPVersion } from "../protocol/values.js";
import { BATCH_CHUNK, type BatchCall, type BatchCommand, type BatchOutcome, callOf, KEYLESS_CALL, type ShareableBatch, unionOf } from "./batch.js";
import type { PipelineHost } from "./host.js";
import { type BatchFraming, type BatchRunner, LeasedBatchRunner, PIPELINE_TRACKED_KEYS } from "./pipeline.js";

/** What precedes a command (or a transaction) an ASK redirected, on the same connection. */
const ASKING: BatchCommand = Object.freeze({ argv: ["ASKING"], transform: undefined, decodeStrings: true, blocking: false });

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
    shareable?: ShareableBatch,
    framing: BatchFraming = { preload: 0, transaction: false },
  ): Promise<BatchOutcome> {
    const preload = commands.slice(0, framing.preload);
    const main = commands.slice(framing.preload);
    // Each command's spec read once: for the refusal below, and for its keys when the pipeline
    // has not read them already (it has for a batch that may share a connection).
    const specs = main.map((command) => commandSpecForArgv(command.argv));
    const everywhere = specs.find(runsEverywhere);
    if (everywhere !== undefined) {
      // One node's answer would pass for the cluster's (KEYS, FLUSHALL, WAIT …).
      return Promise.reject(
        new InvalidArgumentError(
          `${everywhere.name} runs on every node of a cluster and cannot be pipelined there: call it on the client, or on forNode(node)'s pipeline`,
        ),
      );
    }
    if (framing.transaction) return this.#transaction(preload, main, readOnly);
    const calls = shareable !== undefined && shareable.calls.length === main.length ? shareable.calls : main.map((command, i) => callOf(specs[i], command.argv));
    return this.#pipeline(preload, main, calls, readOnly);
  }

  /** The replies come as the pipeline's own would: the preload's first (each node's are alike), then the queued commands'. */
  async #pipeline(
    preload: readonly BatchCommand[],
    main: readonly BatchCommand[],
    calls: readonly BatchCall[],
    readOnly: boolean,
  ): Promise<BatchOutcome> {
    const count = main.length;
    const replies = new Array<unknown>(count);
    let preloaded: unknown[] = preload.map(() => undefined);
    // Each command goes by its first key. A pipeline of reads only may go to replicas
    // (readFromReplicas); one with a write goes to primaries, keeping its order.
    const routes: RouteHint[] = calls.map((call) => ({ key: call.keys?.[0], readOnly }));
    /** Where a redirection sent each command (`undefined`: by its route), and whether ASKING goes first. */
    const redirectedTo = new Array<string | undefined>(count);
    const asking = new Uint8Array(count);
    let protocolVersion: RESPVersion = 3;
    let pending: number[] = new Array<number>(count);
    for (let index = 0; index < count; index++) pending[index] = index; // not Array.from: far slower here
    for (let round = 0; pending.length > 0; round++) {
      // A few nodes: a list searched by identity (the target hands out the same address strings) beats a Map's hashing.
      const parts: [string, number[]][] = [];
      for (const index of pending) {
        const node = redirectedTo[index] ?? this.host.locate(routes[index]);
        let part = parts.find((candidate) => candidate[0] === node);
        if (part === undefined) {
          part = [node, []];
          parts.push(part);
        }
        part[1].push(index);
      }
      const outcomes = await Promise.all(parts.map(([node, group]) => this.#runOn(node, preload, group, asking, main, calls, readOnly)));
      const next: number[] = [];
      let pauseMs = 0;
      for (let g = 0; g < parts.length; g++) {
        const group = (parts[g] as [string, number[]])[1];
        const outcome = outcomes[g] as BatchOutcome;
        protocolVersion = outcome.protocolVersion;
        if (round === 0 && g === 0) preloaded = outcome.replies.slice(0, preload.length);
        const own = outcome.replies;
        const offset = preload.length;
        for (let j = 0; j < group.length; j++) {
          const index = group[j] as number;
          const reply = own[offset + j];
          const redirect = outcome.lost === undefined && reply instanceof ResponseError ? this.host.redirect(reply, round, routes[index]) : undefined;
          if (redirect === undefined) {
            replies[index] = reply;
            continue;
          }
          pauseMs = Math.max(pauseMs, redirect.delayMs);
          redirectedTo[index] = redirect.node;
          asking[index] = redirect.asking === true ? 1 : 0;
          next.push(index);
        }
        if (outcome.lost !== undefined) return { replies: [...preloaded, ...replies], lost: outcome.lost, protocolVersion };
      }
      if (pauseMs > 0 && next.length > 0) await pause(pauseMs);
      pending = next;
    }
    return { replies: [...preloaded, ...replies], lost: undefined, protocolVersion };
  }

  /** One node's part of a pipeline (the commands at `group`), as a pipeline of its own; its replies come back as the preload's, then aligned with `group`. */
  async #runOn(
    node: string,
    preload: readonly BatchCommand[],
    group: readonly number[],
    asking: Uint8Array,
    main: readonly BatchCommand[],
    mainCalls: readonly BatchCall[],
    readOnly: boolean,
  ): Promise<BatchOutcome> {
    const commands: BatchCommand[] = [...preload];
    const calls: BatchCall[] = preload.map(() => KEYLESS_CALL);
    let asked = false; // an ASKING was added: its replies are dropped below
    let blocking = false;
    for (const index of group) {
      if (asking[index] === 1) {
        commands.push(ASKING);
        calls.push(KEYLESS_CALL);
        asked = true;
      }
      const command = main[index] as BatchCommand;
      commands.push(command);
      calls.push(mainCalls[index] as BatchCall);
      blocking ||= command.blocking;
    }
    const shareable = preload.length === 0 && commands.length <= BATCH_CHUNK && !blocking ? { commands, calls } : undefined;
    const runner = new LeasedBatchRunner(this.host, { ...this.options, route: { node } });
    const outcome = await runner.run(commands, unionOf(calls, PIPELINE_TRACKED_KEYS), readOnly, shareable);
    return asked ? { ...outcome, replies: outcome.replies.filter((_, i) => commands[i] !== ASKING) } : outcome;
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

/**
 * Whether a command is one the cluster client fans out to every node (its table tip), which a
 * pipeline's one node cannot answer for. MULTI, EXEC and the like have no tip.
 */
function runsEverywhere(spec: CommandSpec | undefined): spec is CommandSpec {
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
