/**
 * Batches on a shared connection: a pipeline or a MULTI … EXEC that fits one write goes on the
 * connection the client's other calls are on, contiguous there, when program order allows it —
 * every keyed call of the client in flight is on that connection (the order's single mode), so
 * the batch is ordered after them by the connection itself, and its commands are tracked one by
 * one, as plain calls are, for the calls after it.
 *
 * Why not always a lease: a lease costs a connection hand-off and a place in the order, and two
 * batches on one key could then only run one after the other, a round trip apart; on the shared
 * connection they follow each other in the same write, as node-redis and ioredis send them.
 *
 * @module
 */
import { commandSpecForArgv } from "../commands/generated/table.js";
import { commandKeys, KeyScope, keyScope } from "../commands/keys.js";
import type { BaseConnection } from "../connection/base-connection.js";
import type { RedisError } from "../errors.js";
import { type BatchCommand, BatchRequest, type BatchSlot } from "../pipeline/batch.js";
import type { RedisArgument } from "../protocol/values.js";
import type { KeyOrder, OrderedRequest, Place } from "./key-order.js";

/** One command of a shared batch: a batch request that takes part in the client's key order. */
export class SharedBatchRequest extends BatchRequest implements OrderedRequest {
  place: Place | undefined = undefined;
  epoch = -1;
  #keys: readonly RedisArgument[] | undefined = undefined;
  #keysKnown = false;

  constructor(
    readonly order: KeyOrder<OrderedRequest>,
    slot: BatchSlot,
    index: number,
    command: BatchCommand,
  ) {
    super(slot, index, command);
  }

  get dedicated(): boolean {
    return false;
  }

  get holdsOrder(): boolean {
    return false;
  }

  keys(): readonly RedisArgument[] | undefined {
    if (!this.#keysKnown) {
      const spec = commandSpecForArgv(this.argv);
      this.#keys = spec === undefined ? undefined : commandKeys(spec, this.argv);
      this.#keysKnown = true;
    }
    return this.#keys;
  }

  override settle(value: unknown): void {
    if (this.isDone) return;
    super.settle(value);
    this.order.done(this);
  }

  override fail(error: RedisError): void {
    if (this.isDone) return;
    super.fail(error);
    this.order.done(this);
  }

  override abandonedDone(): void {
    this.order.done(this);
  }
}

/** A batch's calls as the order sees them: each command's key scope and keys. */
export function batchCalls(commands: readonly BatchCommand[]): { scope: KeyScope; keys: readonly RedisArgument[] | undefined }[] {
  return commands.map((command) => {
    const spec = commandSpecForArgv(command.argv);
    const scope = keyScope(spec, command.argv);
    return { scope, keys: scope === KeyScope.Keys && spec !== undefined ? commandKeys(spec, command.argv) : undefined };
  });
}

/**
 * The requests of a batch sent on `connection`, each tracked by the order there. The caller has
 * checked `order.admitsBatch(connection, calls)`, and sends them all in one synchronous loop.
 */
export function sharedBatchRequests(
  order: KeyOrder<OrderedRequest>,
  connection: BaseConnection,
  calls: readonly { readonly scope: KeyScope }[],
): (slot: BatchSlot, index: number, command: BatchCommand) => SharedBatchRequest {
  return (slot, index, command) => {
    const request = new SharedBatchRequest(order, slot, index, command);
    order.placeOn(request, connection, calls[index]?.scope ?? KeyScope.Any);
    return request;
  };
}
