/**
 * How a cluster client turns a command into requests, from the command table's key specs and its
 * `REQUEST_POLICY` / `RESPONSE_POLICY` tips:
 *
 * - **Keyed** commands go to the node of their keys' slot (one request). Keys of one command must
 *   share a slot, else a {@link CrossSlotError} before anything is sent — except for the
 *   `multi_shard` commands (MGET, MSET, DEL, EXISTS, UNLINK, TOUCH) with `nonAtomicCrossSlot`,
 *   which are split into one request per slot, sent in parallel, their replies put back together
 *   in the caller's order (MGET's values in key order; counts summed; MSET's OK when all said
 *   OK). Split commands are not atomic: each slot's part runs on its own.
 * - **`all_shards` / `all_nodes`** keyless commands run on every primary (every node) and their
 *   replies are combined as the tip says: `agg_sum` (DBSIZE) adds up, `agg_min` / `agg_max`,
 *   `agg_logical_and` (SCRIPT EXISTS: per script, loaded everywhere) / `agg_logical_or`,
 *   `all_succeeded` (FLUSHALL, SCRIPT LOAD, CONFIG SET: the first reply, once every node said
 *   yes; otherwise the first error), `one_succeeded` (SCRIPT KILL: the first success); no tip
 *   (KEYS, SLOWLOG GET) concatenates the arrays.
 * - **A slot's owner**: CLUSTER COUNTKEYSINSLOT and GETKEYSINSLOT go to the primary serving the slot they name.
 * - **PUBSUB introspection** (CHANNELS, NUMPAT, NUMSUB, SHARDCHANNELS, SHARDNUMSUB) asks every
 *   primary and merges: channels listed once, counts summed (subscriptions made on replicas are
 *   not seen).
 * - **One node**: PING, the `special` ones whose replies cannot be merged into their single-node
 *   type (INFO, MEMORY STATS, LATENCY …, RANDOMKEY, SCAN) and the remaining keyless commands go to
 *   one primary; `forNode(node)` picks which (and `scanIterator()` covers every primary).
 *
 * @module
 */
import type { CommandSpec, ResponsePolicy } from "../commands/command-spec.js";
import { commandKeys } from "../commands/keys.js";
import { keySlot } from "../cluster/slot.js";
import { CrossSlotError, RedisError } from "../errors.js";
import { nodeAddress, type ClusterConnectionPool } from "../pool/cluster-pool.js";
import type { RedisArgument, ReplyTransform } from "../protocol/values.js";
import type { ClientCore, CommandPlanner, RoutedCallOptions } from "./client-core.js";

/** The cluster's {@link CommandPlanner}; see the module's description. */
export class ClusterPlanner implements CommandPlanner {
  constructor(
    readonly core: ClientCore,
    readonly pool: ClusterConnectionPool,
    readonly nonAtomicCrossSlot: boolean,
  ) {}

  execute<T>(
    spec: CommandSpec | undefined,
    argv: readonly RedisArgument[],
    transform: ReplyTransform<T> | undefined,
    decodeStrings: boolean,
    dedicated: boolean,
    call: RoutedCallOptions | undefined,
  ): Promise<T> {
    const core = this.core;
    if (spec === undefined || call?.node !== undefined) return core.execute(spec, argv, transform, decodeStrings, dedicated, call);
    const slotted = SLOT_ARGUMENT.get(spec.name);
    if (slotted !== undefined) return this.#toSlotOwner(spec, argv, transform, decodeStrings, call, argv[slotted]);
    if (PUBSUB_INTROSPECTION.has(spec.name)) return this.#fanOut(spec, argv, transform, decodeStrings, false, call, false);
    const policy = spec.requestPolicy;
    if ((policy === "all_shards" || policy === "all_nodes") && spec.responsePolicy !== "special" && spec.name !== "PING") {
      return this.#fanOut(spec, argv, transform, decodeStrings, dedicated, call, policy === "all_nodes");
    }
    if (mayNameSeveralKeys(spec)) {
      const keys = commandKeys(spec, argv);
      if (keys !== undefined && keys.length > 1 && !sameSlot(keys)) {
        if (policy === "multi_shard" && this.nonAtomicCrossSlot) return this.#split(spec, argv, transform, decodeStrings, call);
        return Promise.reject(
          new CrossSlotError(
            `CROSSSLOT the keys of ${spec.name} hash to different slots${policy === "multi_shard" ? " (nonAtomicCrossSlot is off)" : ""}; use hash tags ({…}) to keep them in one slot`,
          ),
        );
      }
    }
    return core.execute(spec, argv, transform, decodeStrings, dedicated, call);
  }

  /** A command about one slot, sent to the primary serving it (any primary when the map has none for it). */
  async #toSlotOwner<T>(
    spec: CommandSpec,
    argv: readonly RedisArgument[],
    transform: ReplyTransform<T> | undefined,
    decodeStrings: boolean,
    call: RoutedCallOptions | undefined,
    slot: RedisArgument | undefined,
  ): Promise<T> {
    await this.core.connect();
    const owner = this.pool.topology.nodeForSlot(Number(slot));
    const routed = owner === undefined ? call : { ...call, node: nodeAddress(owner) };
    return this.core.execute(spec, argv, transform, decodeStrings, false, routed);
  }

  /**
   * Runs the command on every primary (`everyNode`: every node, replicas too), and combines the
   * replies as its response policy says — or, for PUBSUB introspection, merges them.
   */
  async #fanOut<T>(
    spec: CommandSpec,
    argv: readonly RedisArgument[],
    transform: ReplyTransform<T> | undefined,
    decodeStrings: boolean,
    dedicated: boolean,
    call: RoutedCallOptions | undefined,
    everyNode: boolean,
  ): Promise<T> {
    await this.core.connect(); // the topology is read on connect
    const topology = this.pool.topology;
    const nodes = everyNode ? [...topology.primaries, ...topology.replicas.filter((node) => node.healthy)] : topology.primaries;
    const legs = await Promise.allSettled(
      nodes.map((node) => this.core.execute(spec, argv, transform, decodeStrings, dedicated, { ...call, node: nodeAddress(node) })),
    );
    if (!PUBSUB_INTROSPECTION.has(spec.name)) return combine(spec.responsePolicy, legs) as T;
    combine("all_succeeded", legs); // the first node's error, if any
    return mergeIntrospection(legs.map((leg) => (leg as PromiseFulfilledResult<unknown>).value)) as T;
  }

  /** A `multi_shard` command split by slot, its parts' replies put back together in the caller's order. */
  async #split<T>(
    spec: CommandSpec,
    argv: readonly RedisArgument[],
    transform: ReplyTransform<T> | undefined,
    decodeStrings: boolean,
    call: RoutedCallOptions | undefined,
  ): Promise<T> {
    // MSET names key-value pairs; the others (MGET, DEL, EXISTS, UNLINK, TOUCH) only keys.
    const width = spec.name === "MSET" ? 2 : 1;
    const groups = new Map<number, { positions: number[]; argv: RedisArgument[] }>();
    for (let i = 1, position = 0; i < argv.length; i += width, position++) {
      const slot = keySlot(argv[i] as RedisArgument);
      let group = groups.get(slot);
      if (group === undefined) {
        group = { positions: [], argv: [argv[0] as RedisArgument] };
        groups.set(slot, group);
      }
      group.positions.push(position);
      for (let j = 0; j < width; j++) group.argv.push(argv[i + j] as RedisArgument);
    }
    const parts = [...groups.values()];
    const replies = await Promise.allSettled(
      parts.map((part) => this.core.execute<unknown>(spec, part.argv, transform, decodeStrings, false, call)),
    );
    const failed = replies.find((reply) => reply.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    const values = replies.map((reply) => (reply as PromiseFulfilledResult<unknown>).value);
    if (spec.name === "MGET") {
      const merged: unknown[] = new Array<unknown>((argv.length - 1) / width);
      parts.forEach((part, index) => {
        const partValues = values[index] as readonly unknown[];
        part.positions.forEach((position, j) => (merged[position] = partValues[j]));
      });
      return merged as T;
    }
    return combine(spec.responsePolicy, replies) as T;
  }
}

/**
 * PUBSUB subcommands whose answer is about subscriptions, which live on the node they were made
 * on: asked of every primary and merged (the table gives them no tip).
 */
const PUBSUB_INTROSPECTION: ReadonlySet<string> = new Set([
  "PUBSUB CHANNELS",
  "PUBSUB NUMPAT",
  "PUBSUB NUMSUB",
  "PUBSUB SHARDCHANNELS",
  "PUBSUB SHARDNUMSUB",
]);

/** Merges PUBSUB answers: channel lists as a union (in first-seen order), counts summed, per-channel counts summed per channel. */
export function mergeIntrospection(values: readonly unknown[]): unknown {
  const [first] = values;
  if (typeof first === "number") return values.reduce<number>((sum, value) => sum + (value as number), 0);
  if (Array.isArray(first)) {
    const seen = new Map<string, unknown>();
    for (const value of values) for (const name of value as unknown[]) seen.set(String(name), seen.get(String(name)) ?? name);
    return [...seen.values()];
  }
  if (first !== null && typeof first === "object") {
    const merged: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const value of values) {
      for (const [channel, count] of Object.entries(value as Record<string, number>)) merged[channel] = (merged[channel] ?? 0) + count;
    }
    return merged;
  }
  return first;
}

/** Commands about one slot, and where its number is in their argv: they go to the slot's owner. */
const SLOT_ARGUMENT: ReadonlyMap<string, number> = new Map([
  ["CLUSTER COUNTKEYSINSLOT", 2],
  ["CLUSTER GETKEYSINSLOT", 2],
]);

/** Whether a command's key specs can name more than one key (else its keys share a slot by construction). */
function mayNameSeveralKeys(spec: CommandSpec): boolean {
  let known = severalKeys.get(spec);
  if (known === undefined) {
    known = spec.keySpecs.length > 1 || spec.keySpecs.some((keySpec) => !("range" in keySpec.find) || keySpec.find.range.lastKey !== 0);
    severalKeys.set(spec, known);
  }
  return known;
}
const severalKeys = new WeakMap<CommandSpec, boolean>();

function sameSlot(keys: readonly RedisArgument[]): boolean {
  const slot = keySlot(keys[0] as RedisArgument);
  for (let i = 1; i < keys.length; i++) if (keySlot(keys[i] as RedisArgument) !== slot) return false;
  return true;
}

/** Combines the replies of a fanned-out (or split) command as its response policy says; see the module's description. */
export function combine(policy: ResponsePolicy | undefined, replies: readonly PromiseSettledResult<unknown>[]): unknown {
  const firstError = replies.find((reply): reply is PromiseRejectedResult => reply.status === "rejected");
  const values = replies.filter((reply): reply is PromiseFulfilledResult<unknown> => reply.status === "fulfilled").map((reply) => reply.value);
  if (policy === "one_succeeded") {
    if (values.length > 0) return values[0];
    throw asError(firstError?.reason);
  }
  if (firstError !== undefined) throw asError(firstError.reason);
  switch (policy) {
    case "agg_sum":
      return values.reduce((sum, value) => add(sum, value));
    case "agg_min":
      return values.reduce((least, value) => (compare(value, least) < 0 ? value : least));
    case "agg_max":
      return values.reduce((most, value) => (compare(value, most) > 0 ? value : most));
    case "agg_logical_and":
      return values.reduce((all, value) => logical(all, value, (a, b) => a && b));
    case "agg_logical_or":
      return values.reduce((any, value) => logical(any, value, (a, b) => a || b));
    case "all_succeeded":
      return values[0];
    default:
      // No tip (KEYS, SLOWLOG GET): each node's array, one after the other.
      return values.every(Array.isArray) ? values.flat(1) : values[0];
  }
}

function add(a: unknown, b: unknown): unknown {
  if (typeof a === "bigint" || typeof b === "bigint") return BigInt(a as number) + BigInt(b as number);
  if (Array.isArray(a) && Array.isArray(b)) return a.map((value, i) => add(value, b[i]));
  return (a as number) + (b as number);
}

function compare(a: unknown, b: unknown): number {
  return Number(a) - Number(b);
}

/** Element-wise for arrays (SCRIPT EXISTS), keeping booleans as booleans and 0/1 as numbers. */
function logical(a: unknown, b: unknown, op: (a: boolean, b: boolean) => boolean): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return a.map((value, i) => logical(value, b[i], op));
  const result = op(Boolean(a), Boolean(b));
  return typeof a === "number" ? Number(result) : result;
}

function asError(reason: unknown): RedisError {
  return reason instanceof RedisError ? reason : new RedisError(String(reason), { cause: reason });
}
