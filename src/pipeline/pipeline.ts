/**
 * `Pipeline`: commands queued locally on the client's generated surface, then sent together —
 * as they are, or as one MULTI … EXEC transaction — contiguously on the client's shared
 * connection when the batch fits one write and program order allows it there, else on a
 * connection leased for it (see `PipelineHost.takeTurn`).
 *
 * Each method returns the pipeline with its reply type appended to the result tuple, so
 * `exec()` resolves to a typed tuple. A pipeline runs once.
 *
 * Program order per key holds across it: the pipeline waits for the calls its client issued
 * before it on the keys it names, and the client's calls issued after it on those keys wait until
 * its replies are in (see `PipelineHost.leaseInOrder`).
 *
 * @module
 */
import type { CommandSpec } from "../commands/command-spec.js";
import { CommandFlag } from "../commands/command-spec.js";
import type { Apply, ReturnKind, StringType } from "../commands/executor.js";
import { RedisCommands } from "../commands/generated/commands.js";
import { commandSpecForArgv } from "../commands/generated/table.js";
import { commandKeys, KeyScope, keyScope } from "../commands/keys.js";
import { CONNECTION_STATE_COMMANDS, needsDedicatedConnection } from "../commands/routing.js";
import type { BaseConnection } from "../connection/base-connection.js";
import {
  ConnectionError,
  ExecAbortError,
  InvalidArgumentError,
  PipelineError,
  RedisError,
  ResponseError,
  WatchError,
} from "../errors.js";
import type { LeaseOptions } from "../pool/target.js";
import { assertEncodable } from "../protocol/encoder.js";
import type { RedisArgument, ReplyTransform, RESPValue } from "../protocol/values.js";
import {
  BATCH_CHUNK,
  type BatchCommand,
  type BatchOutcome,
  callOf,
  KEYLESS_CALL,
  readInPlace,
  sendBatch,
  type ShareableBatch,
  unionOf,
} from "./batch.js";
import type { PipelineHost } from "./host.js";
import type { RedisFunction, Script } from "./script.js";

/**
 * Keys a pipeline tracks in its client's program order, at most; a pipeline naming more orders
 * itself like a command that may touch any key (after every call before it, before every call
 * after it), which costs ordering precision, never correctness.
 */
export const PIPELINE_TRACKED_KEYS = 10_000;

/** Options of `client.pipeline()`. */
export interface PipelineOptions {
  /**
   * Send the commands as one MULTI … EXEC transaction: atomic, and `exec()` resolves to EXEC's
   * replies. @defaultValue false
   */
  transaction?: boolean;
}

/** Options of {@link Pipeline.exec}. */
export interface ExecOptions {
  /**
   * `true` (the default): a reply error anywhere rejects `exec()` with a {@link PipelineError}
   * holding every result in place. `false`: `exec()` resolves to that array, errors in place.
   */
  raiseOnError?: boolean;
}

/** A pipeline's results with each reply possibly an error reply: `exec({ raiseOnError: false })`. */
export type SettledResults<R extends readonly unknown[]> = { -readonly [I in keyof R]: R[I] | ResponseError };

/**
 * The return kind of pipelines (see `ReturnKind`): a method returns the pipeline with its reply
 * type appended to `R`.
 */
export interface PipelineKind<S extends StringType, R extends readonly unknown[]> extends ReturnKind {
  readonly result: Pipeline<S, [...R, this["value"]]>;
}

/** Where a pipeline's batch runs: on a lease of its own, or on a transaction's connection. */
export interface BatchRunner {
  /**
   * Sends `commands` (already framed with MULTI/EXEC for a transaction). `keys`: what the batch
   * names, for program order (`undefined`: any key); `readOnly`: every command only reads, so a
   * batch lost after its write may be sent again; `shareable`: given when the batch may go on a
   * shared connection (see {@link Pipeline.exec}), with what program order sees of each command.
   */
  run(
    commands: readonly BatchCommand[],
    keys: readonly RedisArgument[] | undefined,
    readOnly: boolean,
    shareable?: ShareableBatch,
    framing?: BatchFraming,
  ): Promise<BatchOutcome>;
}

/** How a batch's commands are laid out, for runners that split it (a cluster's, by node). */
export interface BatchFraming {
  /** SCRIPT LOADs first, this many: each part of a split batch needs them. */
  readonly preload: number;
  /** The rest is MULTI, the queued commands, EXEC: it cannot be split. */
  readonly transaction: boolean;
}

/** One queued command. */
interface Queued extends BatchCommand {
  readonly spec: CommandSpec | undefined;
}

/**
 * A batch of commands sent together; see the module's description. Made by `client.pipeline()`
 * (or `tx.multi()` inside `client.transaction()`).
 *
 * @typeParam S - the string type of replies
 * @typeParam R - the reply types of the commands queued so far, in order
 * @example
 * ```ts
 * const [ok, n, v] = await client.pipeline().set("a", "1").incr("n").get("a").exec();
 * ```
 */
export class Pipeline<S extends StringType = string, R extends readonly unknown[] = []> extends RedisCommands<
  S,
  PipelineKind<S, R>
> {
  readonly #runner: BatchRunner;
  readonly #decodeStrings: boolean;
  readonly #transaction: boolean;
  readonly #queued: Queued[] = [];
  /** Scripts queued with `runScript`, by SHA-1: loaded ahead of the batch. */
  readonly #scripts = new Map<string, string>();
  #execution: Promise<unknown[]> | undefined;

  /** @internal Made by clients (`client.pipeline()`) and transactions (`tx.multi()`). */
  constructor(runner: BatchRunner, decodeStrings: boolean, options: PipelineOptions = {}) {
    super();
    this.#runner = runner;
    this.#decodeStrings = decodeStrings;
    this.#transaction = options.transaction === true;
  }

  /** Commands queued so far. */
  get length(): number {
    return this.#queued.length;
  }

  /** Whether it sends its commands as one MULTI … EXEC transaction. */
  get isTransaction(): boolean {
    return this.#transaction;
  }

  /**
   * The seam the generated methods call: queues the command. Not tagged internal on purpose
   * (see `CommandClient.executeCommand`).
   * @throws {InvalidArgumentError} once `exec()` was called.
   */
  protected override executeCommand<T>(
    spec: CommandSpec,
    argv: RedisArgument[],
    transform: ReplyTransform<T> | undefined,
  ): Apply<PipelineKind<S, R>, T> {
    this.#queue(spec, argv, transform);
    return this as unknown as Apply<PipelineKind<S, R>, T>;
  }

  /**
   * Queues any command, untyped (its reply is a `RESPValue`). Connection-state commands (SELECT,
   * MULTI, WATCH, SUBSCRIBE …) are refused: they would outlive the pipeline on a pooled connection.
   * @throws {InvalidArgumentError} for those, an empty argv, or once `exec()` was called.
   */
  sendCommand(argv: readonly RedisArgument[]): Pipeline<S, [...R, RESPValue]> {
    if (argv.length === 0) throw new InvalidArgumentError("sendCommand needs a command name");
    const spec = commandSpecForArgv(argv);
    if (spec !== undefined && CONNECTION_STATE_COMMANDS.has(spec.name)) {
      throw new InvalidArgumentError(`${spec.name} changes connection state and cannot be queued on a pipeline`);
    }
    this.#queue(spec, argv, undefined);
    return this as unknown as Pipeline<S, [...R, RESPValue]>;
  }

  /**
   * Queues a script's EVALSHA (EVALSHA_RO for a read-only one). The script is loaded (SCRIPT
   * LOAD) ahead of the batch, in the same write, so it runs even on a server that never saw it;
   * the load's reply is not among the results.
   */
  runScript<T>(script: Script<T>, keys: readonly RedisArgument[] = [], args: readonly RedisArgument[] = []): Pipeline<S, [...R, T]> {
    this.#scripts.set(script.sha, script.lua);
    const name = script.readOnly ? "EVALSHA_RO" : "EVALSHA";
    this.#queue(commandSpecForArgv([name]), [name, script.sha, keys.length, ...keys, ...args], undefined);
    return this as unknown as Pipeline<S, [...R, T]>;
  }

  /** Queues a function's FCALL (FCALL_RO for a read-only one), its reply typed as the function says. */
  runFunction<T>(fn: RedisFunction<T>, keys: readonly RedisArgument[] = [], args: readonly RedisArgument[] = []): Pipeline<S, [...R, T]> {
    const name = fn.readOnly ? "FCALL_RO" : "FCALL";
    this.#queue(commandSpecForArgv([name]), [name, fn.name, keys.length, ...keys, ...args], undefined);
    return this as unknown as Pipeline<S, [...R, T]>;
  }

  #queue(spec: CommandSpec | undefined, argv: readonly RedisArgument[], transform: ReplyTransform<unknown> | undefined): void {
    if (this.#execution !== undefined) {
      throw new InvalidArgumentError("this pipeline was executed already: make a new one for more commands");
    }
    // Refused now, not when written: the rest of the batch (EXEC included) must not run without it.
    assertEncodable(argv);
    this.#queued.push({
      spec,
      argv,
      transform,
      decodeStrings: this.#decodeStrings && spec?.binaryReply !== true,
      blocking: needsDedicatedConnection(spec, argv),
    });
  }

  /**
   * Sends the queued commands and resolves to their replies, in order. A pipeline runs once; a
   * second `exec()` rejects with an `InvalidArgumentError`.
   *
   * Failures:
   * - a reply error: rejects with {@link PipelineError}, whose `results` hold every reply or error
   *   in place (or, with `raiseOnError: false`, resolves to that array);
   * - a transaction whose queued commands Redis refused: {@link ExecAbortError}, whose `errors`
   *   hold each command's queue-time error in place (whatever `raiseOnError` says: nothing ran);
   * - a watched key changed (inside `client.transaction()`): {@link WatchError};
   * - the connection lost before every reply: the batch rejects with a typed error
   *   (`ConnectionError`, `TimeoutError` …) and is never sent again, unless nothing of it was
   *   written, or every command in it only reads and the client's retry policy allows.
   */
  exec(options?: ExecOptions & { raiseOnError?: true }): Promise<R>;
  exec(options: ExecOptions & { raiseOnError: false }): Promise<SettledResults<R>>;
  exec(options?: ExecOptions): Promise<R | SettledResults<R>>;
  exec(options: ExecOptions = {}): Promise<R | SettledResults<R>> {
    if (this.#execution !== undefined) {
      return Promise.reject(new InvalidArgumentError("this pipeline was executed already: a pipeline runs once"));
    }
    return this.execution(options.raiseOnError !== false) as Promise<unknown> as Promise<R>;
  }

  /**
   * @internal The one execution of this pipeline, started on the first call (`client.transaction()`
   * runs the pipeline `tx.multi()` made unless its callback ran it already).
   */
  execution(raiseOnError = true): Promise<unknown[]> {
    this.#execution ??= this.#run(raiseOnError);
    return this.#execution;
  }

  async #run(raiseOnError: boolean): Promise<unknown[]> {
    const queued = this.#queued;
    if (queued.length === 0 && !this.#transaction) return [];
    const preload: BatchCommand[] = [...this.#scripts.values()].map((lua) => ({
      argv: ["SCRIPT", "LOAD", lua],
      transform: undefined,
      decodeStrings: true,
      blocking: false,
    }));
    const main = this.#transaction ? this.#framed() : queued;
    const commands: readonly BatchCommand[] = preload.length === 0 ? main : [...preload, ...main];
    // A batch of one write, with nothing that waits on purpose and no script to load first, may
    // share a connection: contiguous there, it runs as it would alone (MULTI … EXEC included).
    const shareable =
      preload.length === 0 && commands.length <= BATCH_CHUNK && !queued.some((command) => command.blocking)
        ? this.#shareable(commands)
        : undefined;
    // Keys read once: per command for a batch that may share a connection, else straight into the union.
    const keys = shareable === undefined ? pipelineKeys(queued) : unionOf(shareable.calls, PIPELINE_TRACKED_KEYS);
    // The order is taken now, before any await: calls issued after exec() come after it.
    const sent = await this.#runner.run(commands, keys, queued.every(isReadOnly), shareable, {
      preload: preload.length,
      transaction: this.#transaction,
    });
    if (sent.lost !== undefined) throw lostBatchError(sent, commands.length);
    const outcome = preload.length === 0 ? sent : { ...sent, replies: sent.replies.slice(preload.length) };
    const results = this.#transaction ? this.#execResults(outcome) : outcome.replies;
    if (raiseOnError) {
      const failed = results.filter((result) => result instanceof ResponseError).length;
      if (failed > 0) {
        const first = results.find((result) => result instanceof ResponseError) as ResponseError;
        throw new PipelineError(`${failed} of ${results.length} commands of the pipeline failed; the first: ${first.message}`, results, {
          cause: first,
        });
      }
    }
    return results;
  }

  /** `commands` (the queued ones, framed or not) with what program order sees of each. */
  #shareable(commands: readonly BatchCommand[]): ShareableBatch {
    const calls = this.#queued.map((command) => callOf(command.spec, command.argv));
    return { commands, calls: this.#transaction ? [KEYLESS_CALL, ...calls, KEYLESS_CALL] : calls };
  }

  /** MULTI, the queued commands (their replies are QUEUED), EXEC. */
  #framed(): BatchCommand[] {
    const frame = (word: string): BatchCommand => ({ argv: [word], transform: undefined, decodeStrings: true, blocking: false });
    // Were MULTI refused (an ACL without +multi), the queued commands would run one by one.
    const commands: BatchCommand[] = [{ ...frame("MULTI"), gate: true }];
    for (const command of this.#queued) {
      commands.push({ argv: command.argv, transform: undefined, decodeStrings: true, blocking: false });
    }
    // EXEC's one reply holds every command's: read as Buffers when one of them is binary by
    // nature (DUMP), and each element decoded as its command wants (`#execResults`).
    const exec = frame("EXEC");
    commands.push({ ...exec, decodeStrings: this.#decodeStrings && !this.#execReadAsBuffers() });
    return commands;
  }

  /** Whether EXEC's reply is read as Buffers though the pipeline decodes: a queued command is binary by nature. */
  #execReadAsBuffers(): boolean {
    return this.#decodeStrings && this.#queued.some((command) => command.spec?.binaryReply === true);
  }

  /** Reads MULTI … EXEC's replies into one result per queued command. */
  #execResults(outcome: BatchOutcome): unknown[] {
    const queued = this.#queued;
    const replies = outcome.replies;
    const multi = replies[0];
    if (multi instanceof ResponseError) throw multi;
    const exec = replies[queued.length + 1];
    if (exec instanceof ExecAbortError) {
      const aborted = new ExecAbortError(exec.message, { cause: exec });
      aborted.command = "EXEC";
      aborted.errors = queued.map((_, index) => {
        const reply = replies[index + 1];
        return reply instanceof ResponseError ? reply : undefined;
      });
      throw aborted;
    }
    if (exec instanceof ResponseError) throw exec;
    if (exec === null) throw new WatchError("the transaction did not run: a watched key changed before EXEC");
    if (!Array.isArray(exec) || exec.length !== queued.length) {
      throw new ResponseError(`ERR EXEC answered ${Array.isArray(exec) ? exec.length : "no"} replies for ${queued.length} commands`);
    }
    const readAsBuffers = this.#execReadAsBuffers();
    return queued.map((command, index) => {
      const element = exec[index] as RESPValue;
      const reply = readAsBuffers && command.decodeStrings ? decodeBuffers(element) : element;
      return readInPlace(reply, command.transform, outcome.protocolVersion, command.decodeStrings, commandName(command.argv));
    });
  }
}

/**
 * The keys a batch names, for program order: `undefined` when one of its commands may touch any
 * key, or when there are more than {@link PIPELINE_TRACKED_KEYS}.
 */
export function pipelineKeys(
  commands: readonly { readonly spec: CommandSpec | undefined; readonly argv: readonly RedisArgument[]; readonly blocking: boolean }[],
): readonly RedisArgument[] | undefined {
  const keys: RedisArgument[] = [];
  for (const { spec, argv, blocking } of commands) {
    // A blocking command (BLPOP) may be waiting for the client's own later push: holding its
    // keys until the batch ends would hold that push until the BLPOP times out. As for a plain
    // blocking call, later calls on its keys are not held for it.
    if (blocking) continue;
    const scope = keyScope(spec, argv);
    if (scope === KeyScope.Any || spec === undefined) return undefined;
    if (scope === KeyScope.None) continue;
    const named = commandKeys(spec, argv);
    if (named === undefined) return undefined;
    for (const key of named) keys.push(key);
    if (keys.length > PIPELINE_TRACKED_KEYS) return undefined;
  }
  return keys;
}

/** `value` with every Buffer in it decoded as UTF-8, as the decoder would have made it. */
function decodeBuffers(value: RESPValue): RESPValue {
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (Array.isArray(value)) return value.map(decodeBuffers);
  if (value instanceof Map) {
    const decoded = new Map<RESPValue, RESPValue>();
    for (const [key, entry] of value) decoded.set(decodeBuffers(key), decodeBuffers(entry));
    return decoded;
  }
  return value;
}

function isReadOnly(command: Queued): boolean {
  return command.spec !== undefined && (command.spec.flags & CommandFlag.READONLY) !== 0;
}

function commandName(argv: readonly RedisArgument[]): string {
  const first = argv[0];
  return typeof first === "string" ? first.toUpperCase() : String(first);
}

/** The error a batch lost with its connection rejects with: typed, and saying how far it got. */
function lostBatchError(outcome: BatchOutcome, total: number): RedisError {
  const lost = outcome.lost as NonNullable<BatchOutcome["lost"]>;
  const error = lost.error;
  if (!(error instanceof ConnectionError)) return error;
  return new ConnectionError(
    `${error.message}: ${lost.answered} of ${total} replies of the pipeline had arrived; ` +
      (lost.written ? "the others may or may not have run" : "the others were never sent"),
    { written: lost.written, cause: error },
  );
}

/** Runs batches on leases of a client's target, in its program order, with its retry policy. */
export class LeasedBatchRunner implements BatchRunner {
  constructor(
    readonly host: PipelineHost,
    readonly options: LeaseOptions = {},
  ) {}

  async run(commands: readonly BatchCommand[], keys: readonly RedisArgument[] | undefined, readOnly: boolean, shareable?: ShareableBatch): Promise<BatchOutcome> {
    const turn = await this.host.takeTurn(keys, shareable, this.options);
    let lease = turn.lease;
    if (lease === undefined) {
      const outcome = await (turn.outcome as Promise<BatchOutcome>);
      // Lost before any of it was written: nothing ran, so it goes again, on a lease of its own.
      if (outcome.lost === undefined || outcome.lost.written || outcome.lost.answered > 0) return outcome;
      lease = await this.host.leaseInOrder(keys, true, this.options);
    }
    try {
      let connection = lease.connection;
      let redirects = 0;
      for (let attempts = 1; ; attempts++) {
        const outcome = await sendBatch(connection, commands, { gateScope: this.host });
        const lost = outcome.lost;
        if (lost === undefined) return outcome;
        // Its connection may still be open (a command that could not be written ended the batch):
        // in the middle of a MULTI, or with replies still to come, it must not be lent again.
        if (!connection.isClosed) {
          lease.destroy();
          return outcome;
        }
        // Sent again only when nothing of it can have run, or when running it twice is harmless.
        if (!readOnly && (lost.written || lost.answered > 0)) return outcome;
        // Nothing of it was written: the target may say when to send it again (a failover under
        // way) before the retry policy is asked, as for a single call.
        const redirect = lost.written ? undefined : this.host.redirect(lost.error, redirects++, undefined);
        const delayMs = redirect?.delayMs ?? this.host.retryDelayMs(lost.error, attempts, readOnly);
        if (delayMs === undefined) return outcome;
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        connection = await lease.renew();
      }
    } finally {
      lease.release();
    }
  }
}

/** Runs a batch on a connection someone else holds (a transaction's). */
export class ConnectionBatchRunner implements BatchRunner {
  constructor(readonly connection: BaseConnection) {}

  run(commands: readonly BatchCommand[]): Promise<BatchOutcome> {
    return sendBatch(this.connection, commands);
  }
}
