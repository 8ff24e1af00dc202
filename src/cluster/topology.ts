/**
 * `Topology`: the cluster's current slot map and how it is refreshed, with the I/O injected (a
 * {@link TopologySource} asks one node for its view), so the rules are testable without a
 * cluster:
 *
 * - **One refresh in flight.** However many calls ask at once (a burst of MOVED replies, every
 *   connection of a failed node), they share one refresh; a call that asks while one runs gets
 *   that one's outcome.
 * - **Who is asked.** The nodes of the current map, primaries first, then the start-up nodes
 *   (by the names the user gave, so a source that resolves names at connect time resolves them
 *   again when every known node has failed). One after another: the first whose view covers
 *   every slot wins; a view with holes is kept only when nobody gives a whole one.
 * - **Errors name each node's own cause.** When no node answers, the `ClusterError` lists every
 *   node asked with why it failed (a wrong password says so), and keeps the causes.
 *
 * @module
 */
import { ClusterError } from "../errors.js";
import { SlotMap } from "./slot-map.js";

/** A node to ask, by the name and port the user or the cluster gave. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

/** The I/O a topology needs: one node's view of the cluster. */
export interface TopologySource {
  /** Asks `node` for the slot map (CLUSTER SHARDS, or CLUSTER SLOTS on older servers). */
  slotMap(node: NodeAddress): Promise<SlotMap>;
}

/** The cluster's slot map and its refreshes; see the module's description. */
export class Topology {
  readonly #startupNodes: readonly NodeAddress[];
  readonly #source: TopologySource;
  #map: SlotMap | undefined;
  #refreshing: Promise<SlotMap> | undefined;
  #refreshes = 0;

  constructor(startupNodes: readonly NodeAddress[], source: TopologySource) {
    if (startupNodes.length === 0) throw new ClusterError("a cluster client needs at least one start-up node");
    this.#startupNodes = startupNodes;
    this.#source = source;
  }

  /** The last slot map read, if any. */
  get map(): SlotMap | undefined {
    return this.#map;
  }

  /** Refreshes completed (or failed) so far. */
  get refreshes(): number {
    return this.#refreshes;
  }

  /** Reads the slot map again, sharing a refresh already in flight; see the module's description. */
  refresh(): Promise<SlotMap> {
    this.#refreshing ??= this.#read().finally(() => {
      this.#refreshing = undefined;
      this.#refreshes++;
    });
    return this.#refreshing;
  }

  /** Whom to ask, in order, each address once: the known nodes (primaries first), then the start-up nodes. */
  candidates(): NodeAddress[] {
    const seen = new Set<string>();
    const candidates: NodeAddress[] = [];
    const known = this.#map?.nodes.filter((node) => node.healthy) ?? [];
    for (const node of [...known, ...this.#startupNodes]) {
      const name = `${node.host}:${node.port}`;
      if (seen.has(name)) continue;
      seen.add(name);
      candidates.push({ host: node.host, port: node.port });
    }
    return candidates;
  }

  async #read(): Promise<SlotMap> {
    const failures: string[] = [];
    const causes: unknown[] = [];
    let partial: SlotMap | undefined;
    for (const node of this.candidates()) {
      try {
        const map = await this.#source.slotMap(node);
        if (map.unassignedSlots === 0) {
          this.#map = map;
          return map;
        }
        partial ??= map;
        failures.push(`${node.host}:${node.port}: ${map.unassignedSlots} slots unassigned`);
      } catch (error) {
        causes.push(error);
        failures.push(`${node.host}:${node.port}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (partial !== undefined) {
      this.#map = partial;
      return partial;
    }
    throw new ClusterError(`no node of the cluster gave its slot map (${failures.join("; ")})`, {
      cause: causes.length === 1 ? causes[0] : new AggregateError(causes, "every node failed"),
    });
  }
}

