/**
 * `client.transaction(fn, { watches, retries })`: optimistic transactions with WATCH.
 *
 * One attempt: lease a connection (in program order after the client's earlier calls on the
 * watched keys), WATCH them, run `fn` with a {@link Transaction} whose commands run at once on
 * that connection (the reads the decision needs), then send what `fn` queued on `tx.multi()` as
 * MULTI … EXEC. A watched key changed meanwhile: EXEC answers null, and `fn` runs again, on a
 * fresh WATCH, up to `retries` times; then the call rejects with {@link WatchError}.
 *
 * Later calls of the client on the watched keys are not held until EXEC — only until the WATCH
 * is granted its connection — so `fn` may write those keys through the client itself (the
 * transaction then sees its own write as a conflict, as Redis defines WATCH).
 *
 * @module
 */
import type { CommandSpec } from "../commands/command-spec.js";
import type { StringType } from "../commands/executor.js";
import { RedisCommands } from "../commands/generated/commands.js";
import { needsDedicatedConnection } from "../commands/routing.js";
import type { BaseConnection } from "../connection/base-connection.js";
import { rejection, requestOn } from "../connection/request.js";
import { keySlot } from "../cluster/slot.js";
import { CrossSlotError, InvalidArgumentError, RedisError, ResponseError, WatchError } from "../errors.js";
import type { RouteHint } from "../pool/target.js";
import type { RedisArgument, ReplyTransform } from "../protocol/values.js";
import type { OrderedLease, PipelineHost } from "./host.js";
import { ConnectionBatchRunner, Pipeline } from "./pipeline.js";

/** Options of `client.transaction()`. */
export interface TransactionOptions {
  /** Keys to WATCH before `fn` runs: EXEC fails, and `fn` runs again, if one changes meanwhile. */
  watches?: readonly RedisArgument[];
  /** Times `fn` runs again after a watched key changed, before the call fails with `WatchError`. @defaultValue 3 */
  retries?: number;
}

/** Default of {@link TransactionOptions.retries}. */
export const DEFAULT_TRANSACTION_RETRIES = 3;

/**
 * What `fn` gets: the client's commands, run at once on the transaction's connection (after WATCH,
 * before MULTI), and {@link Transaction.multi} to queue what EXEC runs.
 */
export class Transaction<S extends StringType = string> extends RedisCommands<S> {
  readonly #connection: BaseConnection;
  readonly #decodeStrings: boolean;
  #open = true;
  #multi: Pipeline<S> | undefined;

  /** @internal Made by `client.transaction()`. */
  constructor(connection: BaseConnection, decodeStrings: boolean) {
    super();
    this.#connection = connection;
    this.#decodeStrings = decodeStrings;
  }

  /**
   * Runs a command at once on the transaction's connection. Not tagged internal on purpose (see
   * `CommandClient.executeCommand`).
   */
  protected override executeCommand<T>(
    spec: CommandSpec,
    argv: RedisArgument[],
    transform: ReplyTransform<T> | undefined,
  ): Promise<T> {
    if (!this.#open) {
      return rejection(new InvalidArgumentError(`${spec.name} was called on a transaction that is over`));
    }
    const decodeStrings = this.#decodeStrings && spec.binaryReply !== true;
    return requestOn<T>(this.#connection, argv, decodeStrings, transform, needsDedicatedConnection(spec, argv));
  }

  /**
   * The pipeline whose commands EXEC runs once `fn` returns (MULTI … EXEC on this connection).
   * Called again, it returns the same pipeline. Return it from `fn` to type the call's result.
   */
  multi(): Pipeline<S> {
    if (!this.#open) throw new InvalidArgumentError("multi() was called on a transaction that is over");
    this.#multi ??= new Pipeline<S>(new ConnectionBatchRunner(this.#connection), this.#decodeStrings, { transaction: true });
    return this.#multi;
  }

  /** @internal The pipeline `multi()` made, if any; ends the transaction's use by `fn`. */
  finish(): Pipeline<S> | undefined {
    this.#open = false;
    return this.#multi;
  }
}

/** What `fn` may return: nothing, or the pipeline of `tx.multi()`, whose replies then type the result. */
export type TransactionBody<S extends StringType, R extends readonly unknown[]> = (
  tx: Transaction<S>,
) => Pipeline<S, R> | void | Promise<Pipeline<S, R> | void>;

/**
 * Runs `fn` as an optimistic transaction; see the module's description.
 * @returns EXEC's replies, one per command `fn` queued (an empty array when it queued none).
 */
export async function runTransaction<S extends StringType, R extends readonly unknown[]>(
  host: PipelineHost,
  decodeStrings: boolean,
  fn: TransactionBody<S, R>,
  options: TransactionOptions = {},
): Promise<R> {
  const watches = options.watches ?? [];
  const retries = options.retries ?? DEFAULT_TRANSACTION_RETRIES;
  if (!Number.isInteger(retries) || retries < 0) throw new InvalidArgumentError("retries must be a non-negative integer");
  // On a cluster, the transaction runs on its watched keys' node; a WATCH redirected there (MOVED,
  // TRYAGAIN …, before anything ran) starts again where the target says.
  let route: RouteHint | undefined = watches[0] === undefined ? undefined : { key: watches[0] };
  if (host.routed) assertOneSlot(watches);
  let redirects = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return (await attemptTransaction(host, decodeStrings, fn, watches, route)) as unknown as R;
    } catch (error) {
      const redirect = error instanceof WatchRedirected ? host.redirect(error.reply, redirects++, route) : undefined;
      if (redirect !== undefined) {
        if (redirect.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, redirect.delayMs));
        route = redirect.node === undefined ? route : { node: redirect.node };
        attempt--;
        continue;
      }
      if (error instanceof WatchRedirected) throw error.reply;
      if (error instanceof WatchError && attempt < retries) continue;
      if (error instanceof WatchError) {
        throw new WatchError(`the transaction did not run: a watched key changed on each of ${attempt + 1} attempts`, { cause: error });
      }
      throw error;
    }
  }
}

async function attemptTransaction<S extends StringType>(
  host: PipelineHost,
  decodeStrings: boolean,
  fn: TransactionBody<S, readonly unknown[]>,
  watches: readonly RedisArgument[],
  route: RouteHint | undefined,
): Promise<unknown[]> {
  const lease = await host.leaseInOrder(watches, false, { route });
  const connection = lease.connection;
  let clean = watches.length === 0;
  try {
    if (watches.length > 0) {
      try {
        await requestOn(connection, ["WATCH", ...watches]);
      } catch (error) {
        clean = true; // a refused WATCH watches nothing
        if (host.routed && error instanceof ResponseError) throw new WatchRedirected(error);
        throw error;
      }
    }
    const tx = new Transaction<S>(connection, decodeStrings);
    let queued: Pipeline<S> | undefined;
    try {
      await fn(tx);
    } finally {
      queued = tx.finish();
    }
    if (queued === undefined) {
      if (watches.length > 0) await requestOn(connection, ["UNWATCH"]);
      clean = true;
      return [];
    }
    try {
      return await queued.execution();
    } finally {
      // EXEC (run, aborted or refused) forgets every WATCH.
      clean = true;
    }
  } finally {
    await endLease(lease, clean);
  }
}

/** A WATCH refused by a cluster node: the target may redirect it (the callback has not run). */
class WatchRedirected extends Error {
  constructor(readonly reply: ResponseError) {
    super(reply.message);
  }
}

/** A cluster transaction's watched keys must share a slot: it runs on one node. */
function assertOneSlot(keys: readonly RedisArgument[]): void {
  const first = keys[0];
  if (first === undefined) return;
  const slot = keySlot(first);
  if (keys.some((key) => keySlot(key) !== slot)) {
    throw new CrossSlotError("CROSSSLOT a cluster transaction's watched keys must share a slot (use hash tags: {…})");
  }
}

/** Gives the lease back in the state it was lent: a WATCH still in force is undone first. */
async function endLease(lease: OrderedLease, clean: boolean): Promise<void> {
  if (clean || lease.connection.isClosed) {
    lease.release();
    return;
  }
  try {
    await requestOn(lease.connection, ["UNWATCH"]);
    lease.release();
  } catch (error) {
    lease.destroy(error instanceof RedisError ? error : undefined);
  }
}
