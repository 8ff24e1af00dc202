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
import { KeyScope } from "../commands/keys.js";
import type { BaseConnection } from "../connection/base-connection.js";
import type { RedisError } from "../errors.js";
import { type BatchCall, type BatchCommand, BatchRequest, type BatchSlot } from "../pipeline/batch.js";
import type { RedisArgument } from "../protocol/values.js";
import type { KeyOrder, OrderedRequest, OrderHome, Place } from "./key-order.js";

/** One command of a shared batch: a batch request that takes part in the client's key order. */
export class SharedBatchRequest extends BatchRequest implements OrderedRequest {
  place: Place | undefined = undefined;
  epoch = -1;
  home: OrderHome | undefined = undefined;

  constructor(
    readonly order: KeyOrder<OrderedRequest>,
    slot: BatchSlot,
    index: number,
    command: BatchCommand,
    /** Its keys, read once when the batch was made (see `callOf`). */
    readonly batchKeys: readonly RedisArgument[] | undefined,
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
    return this.batchKeys;
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

/**
 * The requests of a batch sent on `connection`, each tracked by the order there (`calls` says what
 * it sees of each command). The caller has checked that the order admits the batch there, and
 * sends them all in one synchronous loop.
 */
export function sharedBatchRequests(
  order: KeyOrder<OrderedRequest>,
  connection: BaseConnection,
  calls: readonly BatchCall[],
): (slot: BatchSlot, index: number, command: BatchCommand) => SharedBatchRequest {
  return (slot, index, command) => {
    const call = calls[index];
    const request = new SharedBatchRequest(order, slot, index, command, call?.keys);
    order.placeOn(request, connection, call?.scope ?? KeyScope.Any);
    return request;
  };
}
