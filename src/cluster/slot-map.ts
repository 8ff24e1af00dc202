/**
 * `SlotMap`: which shard serves each of the 16 384 slots, read from CLUSTER SHARDS (Redis 7+) or
 * CLUSTER SLOTS (older servers), under RESP2 or RESP3. Pure: the replies come in, the map comes
 * out; whoever asked the cluster does the I/O.
 *
 * A shard is one primary and its replicas. Nodes are named by the endpoint the cluster announces
 * (`endpoint`, else `ip`), and a node the cluster reports as failed is kept but marked unhealthy,
 * so that routing can skip it without forgetting it.
 *
 * @module
 */
import { ClusterError } from "../errors.js";
import type { RESPValue } from "../protocol/values.js";
import { SLOT_COUNT } from "./slot.js";

/** One node of the cluster, as the topology reports it. */
export interface ClusterNode {
  /** The node's id (40 hex characters); empty when the reply did not say (old CLUSTER SLOTS). */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly role: "primary" | "replica";
  /**
   * False when the cluster reports the node as failed. A node reported as `loading` counts as
   * healthy: Redis 7.0 says so of every replica that has replicated nothing yet, and one that
   * really loads answers LOADING, which its callers see.
   */
  readonly healthy: boolean;
}

/** A primary, its replicas, and the slot ranges it serves (inclusive). */
export interface Shard {
  readonly primary: ClusterNode;
  readonly replicas: readonly ClusterNode[];
  readonly ranges: readonly (readonly [first: number, last: number])[];
}

/** No shard serves this slot. */
const UNASSIGNED = 0xffff;

/** The slot → shard map of one topology; see the module's description. */
export class SlotMap {
  readonly shards: readonly Shard[];
  readonly #shardOfSlot: Uint16Array;

  constructor(shards: readonly Shard[]) {
    this.shards = shards;
    this.#shardOfSlot = new Uint16Array(SLOT_COUNT).fill(UNASSIGNED);
    shards.forEach((shard, index) => {
      for (const [first, last] of shard.ranges) {
        if (!(first >= 0 && last < SLOT_COUNT && first <= last)) {
          throw new ClusterError(`the topology names the slot range ${first}-${last}, outside 0-${SLOT_COUNT - 1}`);
        }
        this.#shardOfSlot.fill(index, first, last + 1);
      }
    });
  }

  /** The map of a CLUSTER SHARDS reply (RESP3 maps or RESP2 flat arrays). */
  static fromShards(reply: RESPValue): SlotMap {
    if (!Array.isArray(reply)) throw new ClusterError("CLUSTER SHARDS answered something other than an array");
    const shards: Shard[] = [];
    for (const entry of reply) {
      const fields = fieldsOf(entry);
      const slots = fields.get("slots");
      const nodes = fields.get("nodes");
      if (!Array.isArray(slots) || !Array.isArray(nodes)) throw new ClusterError("a CLUSTER SHARDS entry lacks its slots or nodes");
      const ranges: [number, number][] = [];
      for (let i = 0; i + 1 < slots.length; i += 2) ranges.push([integer(slots[i]), integer(slots[i + 1])]);
      const members = nodes.map(shardNode);
      const primary = members.find((node) => node.role === "primary");
      // A shard that lost its primary (a failover under way) serves nothing until one is elected.
      if (primary === undefined || ranges.length === 0) continue;
      shards.push({ primary, replicas: members.filter((node) => node !== primary), ranges });
    }
    return new SlotMap(shards);
  }

  /** The map of a CLUSTER SLOTS reply: `[first, last, primary, ...replicas]` per range. */
  static fromSlots(reply: RESPValue): SlotMap {
    if (!Array.isArray(reply)) throw new ClusterError("CLUSTER SLOTS answered something other than an array");
    const byPrimary = new Map<string, { primary: ClusterNode; replicas: ClusterNode[]; ranges: [number, number][] }>();
    for (const entry of reply) {
      if (!Array.isArray(entry) || entry.length < 3) throw new ClusterError("a CLUSTER SLOTS entry is not [first, last, primary, …]");
      const [first, last, ...nodes] = entry;
      const [primaryEntry, ...replicaEntries] = nodes;
      const primary = slotsNode(primaryEntry, "primary");
      const name = `${primary.host}:${primary.port}`;
      let shard = byPrimary.get(name);
      if (shard === undefined) {
        shard = { primary, replicas: replicaEntries.map((node) => slotsNode(node, "replica")), ranges: [] };
        byPrimary.set(name, shard);
      }
      shard.ranges.push([integer(first), integer(last)]);
    }
    return new SlotMap([...byPrimary.values()]);
  }

  /** The shard serving `slot`, if any. */
  shardFor(slot: number): Shard | undefined {
    const index = this.#shardOfSlot[slot];
    return index === undefined || index === UNASSIGNED ? undefined : this.shards[index];
  }

  /** Slots no shard serves (a cluster still being set up, or a shard that lost its primary). */
  get unassignedSlots(): number {
    let count = 0;
    for (const index of this.#shardOfSlot) if (index === UNASSIGNED) count++;
    return count;
  }

  /** Every node, primaries first, each once. */
  get nodes(): readonly ClusterNode[] {
    return [...this.shards.map((shard) => shard.primary), ...this.shards.flatMap((shard) => shard.replicas)];
  }
}

/** A RESP3 map or a RESP2 flat `[name, value, …]` array, as a map by name. */
function fieldsOf(value: RESPValue | undefined): Map<string, RESPValue> {
  const fields = new Map<string, RESPValue>();
  if (value instanceof Map) {
    for (const [name, field] of value) fields.set(text(name), field);
  } else if (Array.isArray(value)) {
    for (let i = 0; i + 1 < value.length; i += 2) fields.set(text(value[i]), value[i + 1] as RESPValue);
  } else {
    throw new ClusterError("the topology reply holds an entry that is neither a map nor a list of fields");
  }
  return fields;
}

function shardNode(value: RESPValue): ClusterNode {
  const fields = fieldsOf(value);
  const host = optionalText(fields.get("endpoint")) ?? optionalText(fields.get("ip"));
  const port = fields.get("port") ?? fields.get("tls-port");
  const role = optionalText(fields.get("role"));
  if (host === undefined || port === undefined) throw new ClusterError("a CLUSTER SHARDS node lacks its address");
  return {
    id: optionalText(fields.get("id")) ?? "",
    host,
    port: integer(port),
    role: role === "master" || role === "primary" ? "primary" : "replica",
    healthy: optionalText(fields.get("health")) !== "failed",
  };
}

function slotsNode(value: RESPValue | undefined, role: ClusterNode["role"]): ClusterNode {
  if (!Array.isArray(value) || value.length < 2) throw new ClusterError("a CLUSTER SLOTS node is not [host, port, …]");
  return { host: text(value[0]), port: integer(value[1]), id: optionalText(value[2]) ?? "", role, healthy: true };
}

function text(value: RESPValue | undefined): string {
  const result = optionalText(value);
  if (result === undefined) throw new ClusterError("the topology reply holds a name that is not a string");
  return result;
}

function optionalText(value: RESPValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return undefined;
}

function integer(value: RESPValue | undefined): number {
  const number = typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : Number(optionalText(value));
  if (!Number.isInteger(number)) throw new ClusterError("the topology reply holds a number that is not an integer");
  return number;
}
