/**
 * `ShardedPubSub`: a cluster's sharded channels (SSUBSCRIBE), each subscribed on the primary
 * serving its slot, read as one async iterable.
 *
 * ```ts
 * await using ps = cluster.shardedPubsub({ channels: ["orders:{eu}", "orders:{us}"] });
 * for await (const item of ps) {
 *   if (item.type === "message") handle(item.channel, item.data);
 *   else resync(); // "resubscribed" (a channel moved or a node was replaced) or "overflow"
 * }
 * ```
 *
 * How it works:
 * - **One instance per node.** Channels are placed on the node serving their slot; each node's
 *   share is a {@link PubSub} in shard mode on a connection leased from that node's pool (one
 *   SSUBSCRIBE per slot, never one naming several), with its keep-alive, reconnection and
 *   buffer. Their items are merged, in the order each node sent them.
 * - **Moves.** When a node says a channel is no longer its own — it unsubscribes the channel by
 *   itself (its slot migrated), refuses a subscription with MOVED, or is lost (killed, failed
 *   over, silent past the keep-alive timeout) — the topology is read again and every channel
 *   whose owner changed is subscribed on its new owner; a `resubscribed` item then names the
 *   channels moved, since messages published meanwhile were not received.
 * - **Calls.** `subscribe()` resolves once every named channel's node confirmed it (following
 *   MOVED a few times if the map was stale); `unsubscribe()` once each node confirmed; `close()`
 *   ends every node's instance, giving its connection back clean.
 *
 * @module
 */
import type { StringType } from "../commands/executor.js";
import { ClientClosedError, InvalidArgumentError, MovedError, RedisError } from "../errors.js";
import type { LeaseSource, RouteHint } from "../pool/target.js";
import { ItemQueue } from "./item-queue.js";
import { PubSub, type PubSubItem, type PubSubOptions } from "./pubsub.js";

/** Options of a {@link ShardedPubSub}: those of `PubSub` but patterns (sharded pubsub has none). */
export type ShardedPubSubOptions = Omit<PubSubOptions, "patterns">;

/** What a sharded pubsub needs of its cluster client: leases on a node, where a channel lives, and a fresh map. */
export interface ShardedSource extends LeaseSource {
  /** The node (`host:port`) a channel's slot is served by now. */
  locate(route: RouteHint): string;
  /** Reads the topology again (sharing a refresh in flight). */
  refreshTopology(): Promise<void>;
}

/** How often `subscribe()` follows MOVED to a channel's new owner before the error stands. */
const MAX_MOVES = 5;

/** Sharded channels across a cluster's nodes; see the module's description. */
export class ShardedPubSub<S extends StringType = string> implements AsyncIterable<PubSubItem<S>>, AsyncDisposable {
  readonly #source: ShardedSource;
  readonly #decodeStrings: boolean;
  readonly #options: ShardedPubSubOptions;
  readonly #channels = new Set<string>();
  /** Each node's instance, by address. */
  readonly #nodes = new Map<string, PubSub<S>>();
  /** Typed by `StringType`, as `PubSub`'s queue is, to keep the class covariant in `S`. */
  readonly #queue: ItemQueue<PubSubItem<StringType>>;
  #closed = false;
  #closing: Promise<void> | undefined;
  #rebalancing: Promise<void> | undefined;
  #rebalanceAgain = false;

  /** Made by `cluster.shardedPubsub()`; nothing is sent until a call or iteration starts it. */
  constructor(source: ShardedSource, decodeStrings: boolean, options: ShardedPubSubOptions = {}) {
    if ("patterns" in options) throw new InvalidArgumentError("sharded pubsub has no patterns");
    this.#source = source;
    this.#decodeStrings = decodeStrings;
    this.#options = options;
    for (const channel of options.channels ?? []) {
      if (typeof channel !== "string") throw new InvalidArgumentError("channels: channel names must be strings");
      this.#channels.add(channel);
    }
    this.#queue = new ItemQueue<PubSubItem<StringType>>(options.maxBufferedMessages ?? 10_000, (dropped) => ({ type: "overflow", dropped }));
  }

  /** The channels kept subscribed, in order. */
  get channels(): string[] {
    return [...this.#channels];
  }

  /** The nodes (`host:port`) holding a share of the channels now. */
  get nodes(): string[] {
    return [...this.#nodes].filter(([, node]) => node.channels.length > 0).map(([address]) => address);
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Subscribes on every node to the channels given so far, and resolves once each confirmed. */
  async connect(): Promise<this> {
    this.#assertOpen();
    await this.#place([...this.#channels]);
    return this;
  }

  /**
   * Subscribes to sharded channels (SSUBSCRIBE on each one's node), resolving once every node
   * concerned confirmed.
   * @throws {ResponseError} when a node refuses (NOPERM), or MOVED still after the map was read again.
   * @throws {TimeoutError} when a node did not confirm within `subscribeTimeout`.
   */
  async subscribe(...channels: string[]): Promise<void> {
    if (channels.length === 0) throw new InvalidArgumentError("subscribe() needs at least one channel");
    this.#assertOpen();
    for (const channel of channels) {
      if (typeof channel !== "string") throw new InvalidArgumentError("subscribe: channel names must be strings");
      this.#channels.add(channel);
    }
    await this.#place(channels);
  }

  /** Unsubscribes from channels (all of them when none is named), resolving once each node confirmed. */
  async unsubscribe(...channels: string[]): Promise<void> {
    const leaving = channels.length === 0 ? [...this.#channels] : channels;
    for (const channel of leaving) this.#channels.delete(channel);
    await Promise.all(
      [...this.#nodes.values()].map((node) => {
        const mine = leaving.filter((channel) => node.channels.includes(channel));
        return mine.length === 0 ? Promise.resolve() : node.unsubscribe(...mine);
      }),
    );
  }

  /** Messages and notices of every node, merged; `break` closes the instance. */
  [Symbol.asyncIterator](): AsyncIterableIterator<PubSubItem<S>> {
    if (!this.#closed) void this.#place([...this.#channels]).catch((error: unknown) => this.#fail(error));
    return this.#queue.iterator<PubSubItem<S>>(() => this.close());
  }

  /** Ends every node's instance (unsubscribed, connections back clean) and iteration. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#queue.end(undefined, true);
      const nodes = [...this.#nodes.values()];
      this.#nodes.clear();
      await Promise.all(nodes.map((node) => node.close()));
    })();
    return this.#closing;
  }

  /** `await using ps = cluster.shardedPubsub(…)`: the same as {@link ShardedPubSub.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Subscribes `channels` on their nodes, following MOVED to a fresh map a few times. */
  async #place(channels: readonly string[]): Promise<void> {
    for (let moves = 0; ; moves++) {
      const byNode = new Map<string, string[]>();
      for (const channel of channels) {
        if (!this.#channels.has(channel)) continue;
        const address = this.#source.locate({ key: channel });
        const group = byNode.get(address);
        if (group === undefined) byNode.set(address, [channel]);
        else group.push(channel);
      }
      const outcomes = await Promise.allSettled([...byNode].map(([address, group]) => this.#node(address).subscribe(...group)));
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
      if (failed === undefined) return;
      if (!(failed.reason instanceof MovedError) || moves >= MAX_MOVES) throw failed.reason;
      await this.#source.refreshTopology();
      this.#forgetMisplaced();
    }
  }

  /** The instance of the node at `address`, made and started on first use. */
  #node(address: string): PubSub<S> {
    const existing = this.#nodes.get(address);
    if (existing !== undefined) return existing;
    const node = new PubSub<S>(this.#source, this.#decodeStrings, { ...this.#options, channels: [] }, {
      route: { node: address },
      onDropped: (channels) => this.#moved(channels),
      onTrouble: () => this.#rebalanceSoon(),
    });
    this.#nodes.set(address, node);
    void this.#pump(address, node);
    return node;
  }

  /** Forwards a node's items; a node that stopped for good ends the whole instance with its error. */
  async #pump(address: string, node: PubSub<S>): Promise<void> {
    try {
      for await (const item of node) this.#queue.push(item);
    } catch (error) {
      if (this.#closed || this.#nodes.get(address) !== node) return;
      this.#fail(error);
    }
  }

  /** The server dropped channels (their slot moved): subscribe them where they live now. */
  #moved(channels: readonly string[]): void {
    const still = channels.filter((channel) => this.#channels.has(channel));
    if (still.length === 0) return;
    void (async () => {
      await this.#source.refreshTopology().catch(() => undefined);
      await this.#place(still);
      this.#queue.push({ type: "resubscribed", channels: still, patterns: [] });
    })().catch(() => this.#rebalanceSoon());
  }

  /** A node had trouble (lost, or refusing with MOVED): read the map and move what no longer belongs there. One at a time. */
  #rebalanceSoon(): void {
    if (this.#closed) return;
    if (this.#rebalancing !== undefined) {
      this.#rebalanceAgain = true;
      return;
    }
    this.#rebalancing = (async () => {
      do {
        this.#rebalanceAgain = false;
        await this.#source.refreshTopology().catch(() => undefined);
        const moved = this.#forgetMisplaced();
        if (moved.length > 0) {
          await this.#place(moved).catch(() => undefined);
          this.#queue.push({ type: "resubscribed", channels: moved, patterns: [] });
        }
      } while (this.#rebalanceAgain && !this.#closed);
    })().finally(() => {
      this.#rebalancing = undefined;
    });
  }

  /**
   * Takes every channel off the node that holds it when the map now places it elsewhere (or when
   * the instance no longer keeps it), closing nodes left with none; returns the channels to place.
   */
  #forgetMisplaced(): string[] {
    const moved: string[] = [];
    for (const [address, node] of [...this.#nodes]) {
      const leaving = node.channels.filter((channel) => this.#source.locate({ key: channel }) !== address);
      if (leaving.length === 0) continue;
      for (const channel of leaving) if (this.#channels.has(channel)) moved.push(channel);
      if (leaving.length === node.channels.length) {
        this.#nodes.delete(address);
        void node.close();
      } else {
        node.unsubscribe(...leaving).catch(() => undefined);
      }
    }
    return moved;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClientClosedError("the sharded pubsub instance is closed");
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.end(error instanceof RedisError ? error : new RedisError(String(error), { cause: error }), false);
    const nodes = [...this.#nodes.values()];
    this.#nodes.clear();
    for (const node of nodes) void node.close();
  }
}
