/**
 * Sends a batch of commands on one leased connection and collects every reply in place.
 *
 * The commands go out in chunks of {@link BATCH_CHUNK}; a chunk is written only while fewer than
 * {@link BATCH_WINDOW} commands are unanswered (so at most a window and a chunk are), so a batch of millions never holds more than a window of requests and their
 * encoded bytes in memory (only the results array grows with it). A batch that fits one chunk is
 * one socket write.
 *
 * A reply error stays in its place; a lost connection ends the batch: the commands not answered
 * by then are reported as lost, with whether any of them may have reached Redis. A refused gate
 * command (see {@link BatchCommand.gate}) ends it too: the commands after it are never sent, and
 * their places stay empty.
 *
 * @module
 */
import type { CommandSpec } from "../commands/command-spec.js";
import { commandKeys, KeyScope, keyScope } from "../commands/keys.js";
import type { BaseConnection } from "../connection/base-connection.js";
import { replyContext, Request, RequestState } from "../connection/request.js";
import { RedisError, ResponseError } from "../errors.js";
import type { RedisArgument, ReplyTransform, RESPValue, RESPVersion } from "../protocol/values.js";

/** Commands written per chunk. */
export const BATCH_CHUNK = 1024;
/** Commands unanswered beyond which no further chunk is written until replies come. */
export const BATCH_WINDOW = 8 * BATCH_CHUNK;

/** One command of a batch. */
export interface BatchCommand {
  readonly argv: readonly RedisArgument[];
  readonly transform: ReplyTransform<unknown> | undefined;
  readonly decodeStrings: boolean;
  /** Redis may hold its reply back on purpose (BLPOP): exempt from the stream timeout. */
  readonly blocking: boolean;
  /**
   * The commands after this one must not run if Redis refuses it (a transaction's MULTI: refused,
   * by an ACL say, the queued commands would each run on their own). The first time a connection
   * carries such a command, the batch waits for its reply before writing the rest, and ends there
   * if it is an error; once Redis accepted it on a connection, later batches there go in one write.
   */
  readonly gate?: boolean;
}

/** A batch command as program order per key sees it (`commands/keys.ts`). */
export interface BatchCall {
  readonly scope: KeyScope;
  /** Its keys, when `scope` is `KeyScope.Keys`. */
  readonly keys: readonly RedisArgument[] | undefined;
}

/** A command that names no key (MULTI, EXEC, PING). */
export const KEYLESS_CALL: BatchCall = Object.freeze({ scope: KeyScope.None, keys: undefined });

/** What program order sees of `argv`: its key scope and keys, read once from the command table. */
export function callOf(spec: CommandSpec | undefined, argv: readonly RedisArgument[]): BatchCall {
  const scope = keyScope(spec, argv);
  return scope === KeyScope.Keys && spec !== undefined ? { scope, keys: commandKeys(spec, argv) } : { scope, keys: undefined };
}

/**
 * The keys a batch's calls name, for program order: `undefined` when one may touch any key, or
 * beyond `limit` keys (tracking that many would cost more than waiting for everything).
 */
export function unionOf(calls: readonly BatchCall[], limit: number): readonly RedisArgument[] | undefined {
  const keys: RedisArgument[] = [];
  for (const call of calls) {
    if (call.scope === KeyScope.Any || (call.scope === KeyScope.Keys && call.keys === undefined)) return undefined;
    if (call.keys !== undefined) keys.push(...call.keys);
  }
  return keys.length > limit ? undefined : keys;
}

/**
 * A batch that may go on a shared connection (one write, nothing blocking, nothing to load
 * first): its commands, and what program order sees of each, in the same order.
 */
export interface ShareableBatch {
  readonly commands: readonly BatchCommand[];
  readonly calls: readonly BatchCall[];
}

/**
 * The gate commands Redis accepted, per scope (see {@link BatchCommand.gate}): by default a
 * connection; a client passes itself, since its connections share one ACL user.
 */
const passedGates = new WeakMap<object, Set<string>>();

/** Whether every gate command of `commands` was accepted in `scope` before: the batch then goes in one write. */
export function gatesPassed(scope: object, commands: readonly BatchCommand[]): boolean {
  const passed = passedGates.get(scope);
  return commands.every((command) => command.gate !== true || passed?.has(gateName(command)) === true);
}

/** Where a batch's request reports its outcome. */
export interface BatchSlot {
  /** A reply (through the command's transform) or a reply error, for the command at `index`. */
  answer(index: number, value: unknown): void;
  /** The request failed with its connection (`written`: it may have reached Redis). */
  lose(error: RedisError, written: boolean): void;
}

/** How a batch is sent. */
export interface BatchSendOptions {
  /** Where accepted gate commands are remembered. @defaultValue the connection */
  readonly gateScope?: object;
  /** Makes the request for one command; by default a plain {@link BatchRequest}. */
  readonly request?: (slot: BatchSlot, index: number, command: BatchCommand) => Request;
}

/** How a batch ended. */
export interface BatchOutcome {
  /** Each command's reply (through its transform) or its `ResponseError`, in place; holes where `lost`. */
  readonly replies: unknown[];
  /** Set when the connection was lost before every reply came. */
  readonly lost: { readonly error: RedisError; readonly written: boolean; readonly answered: number } | undefined;
  /** The protocol the replies were read in. */
  readonly protocolVersion: RESPVersion;
}

/** Sends `commands` on `connection`; resolves once each is answered or the connection is lost. */
export function sendBatch(connection: BaseConnection, commands: readonly BatchCommand[], options: BatchSendOptions = {}): Promise<BatchOutcome> {
  return new BatchRun(connection, commands, options.gateScope ?? connection, options.request ?? newBatchRequest).run();
}

function newBatchRequest(slot: BatchSlot, index: number, command: BatchCommand): Request {
  return new BatchRequest(slot, index, command);
}

class BatchRun implements BatchSlot {
  readonly replies: unknown[];
  /** Commands answered or lost. */
  #settled = 0;
  #sent = 0;
  #answered = 0;
  #lostError: RedisError | undefined;
  #lostWritten = false;
  /** Woken when `#settled` reaches `#wakeAt`. */
  #wake: (() => void) | undefined;
  #wakeAt = 0;

  constructor(
    readonly connection: BaseConnection,
    readonly commands: readonly BatchCommand[],
    readonly gateScope: object,
    readonly makeRequest: (slot: BatchSlot, index: number, command: BatchCommand) => Request,
  ) {
    this.replies = new Array<unknown>(commands.length);
  }

  async run(): Promise<BatchOutcome> {
    const total = this.commands.length;
    while (this.#sent < total && this.#lostError === undefined) {
      if (this.#sent - this.#settled >= BATCH_WINDOW) await this.#settledUpTo(this.#sent - BATCH_WINDOW + BATCH_CHUNK);
      if (this.#lostError !== undefined) break;
      const end = Math.min(total, this.#sent + BATCH_CHUNK);
      let gate: BatchCommand | undefined;
      for (let index = this.#sent; index < end; index++) {
        const command = this.commands[index] as BatchCommand;
        this.#sent++;
        this.connection.send(this.makeRequest(this, index, command));
        if (this.#lostError !== undefined) break;
        if (command.gate === true && !passedGates.get(this.gateScope)?.has(gateName(command))) {
          gate = command;
          break;
        }
      }
      if (gate !== undefined && this.#lostError === undefined && !(await this.#passes(gate))) break;
    }
    if (this.#settled < this.#sent) await this.#settledUpTo(this.#sent);
    const lost =
      this.#lostError === undefined ? undefined : { error: this.#lostError, written: this.#lostWritten, answered: this.#answered };
    return { replies: this.replies, lost, protocolVersion: this.connection.protocolVersion };
  }

  /** Waits for the gate command's reply (the last one sent); whether the batch may go on. */
  async #passes(gate: BatchCommand): Promise<boolean> {
    await this.#settledUpTo(this.#sent);
    const reply = this.replies[this.#sent - 1];
    if (this.#lostError !== undefined || reply instanceof ResponseError) return false;
    let passed = passedGates.get(this.gateScope);
    if (passed === undefined) passedGates.set(this.gateScope, (passed = new Set()));
    passed.add(gateName(gate));
    return true;
  }

  #settledUpTo(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wakeAt = count;
      this.#wake = resolve;
      this.#maybeWake();
    });
  }

  #maybeWake(): void {
    if (this.#wake !== undefined && (this.#settled >= this.#wakeAt || this.#settled === this.#sent)) {
      const wake = this.#wake;
      this.#wake = undefined;
      wake();
    }
  }

  answer(index: number, value: unknown): void {
    this.replies[index] = value;
    this.#answered++;
    this.#settled++;
    this.#maybeWake();
  }

  lose(error: RedisError, written: boolean): void {
    this.#lostError ??= error;
    if (written) this.#lostWritten = true;
    this.#settled++;
    this.#maybeWake();
  }
}

/** One command of a batch: its outcome goes to its place in the batch. Owners may extend it. */
export class BatchRequest extends Request {
  constructor(
    readonly run: BatchSlot,
    readonly index: number,
    command: BatchCommand,
  ) {
    super(command.argv, command.decodeStrings, command.transform, ignore, command.blocking);
  }

  /** Its reply, read in place: a reply error or an unreadable reply is its result, not a failure. */
  override complete(reply: RESPValue, protocolVersion: RESPVersion): void {
    if (this.state === RequestState.Abandoned) {
      this.abandonedDone();
      return;
    }
    this.settle(readInPlace(reply, this.transform, protocolVersion, this.decodeStrings, this.commandName));
  }

  override settle(value: unknown): void {
    if (this.isDone) return;
    this.state = RequestState.Settled;
    this.run.answer(this.index, value);
  }

  /** Only its connection fails it (lost, or an argument it could not encode): replies go through `complete`. */
  override fail(error: RedisError): void {
    if (this.isDone) return;
    const written = this.state === RequestState.Written;
    this.state = RequestState.Settled;
    this.run.lose(error, written);
  }
}

/**
 * A batch command's result from its reply: the reply through `transform`, or the reply's
 * `ResponseError` (named after `command`), or a `ResponseError` saying the reply could not be
 * read — in place, where `SettledResults` and `PipelineError` count errors.
 */
export function readInPlace(
  reply: RESPValue,
  transform: ReplyTransform<unknown> | undefined,
  protocolVersion: RESPVersion,
  decodeStrings: boolean,
  command: string,
): unknown {
  if (reply instanceof ResponseError) {
    reply.command = command;
    return reply;
  }
  if (transform === undefined) return reply;
  try {
    return transform(reply, replyContext(protocolVersion, decodeStrings));
  } catch (error) {
    return new ResponseError(`ERR reply could not be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function gateName(command: BatchCommand): string {
  return String(command.argv[0]).toUpperCase();
}

function ignore(): void {}
