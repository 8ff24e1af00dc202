/**
 * Reply transforms of the `cluster` group.
 *
 * @module
 */
import type { RESPValue } from "../../protocol/values.js";
import type { StringType } from "../executor.js";
import type { RedisRecord } from "../types.js";
import { asArray, mapArray, parseColonLines, toRecord, toText } from "./common.js";

/** `CLUSTER LINKS`: one link. `direction` is read as a string under either decoding. */
export interface ClusterLink<S> {
  direction: "from" | "to";
  node: S;
  "create-time": number;
  events: S;
  "send-buffer-allocated": number;
  "send-buffer-used": number;
}

/** `CLUSTER SHARDS`: one node of a shard. `role` and `health` are read as strings under either decoding. */
export interface ClusterShardNode<S> {
  id: S;
  port?: number;
  "tls-port"?: number;
  ip: S;
  endpoint: S;
  hostname?: S;
  role: "master" | "replica";
  "replication-offset": number;
  health: "fail" | "loading" | "online";
}

/** `CLUSTER SHARDS`: one shard: its slot ranges as `[start, end, start, end …]` and its nodes. */
export interface ClusterShard<S> {
  slots: number[];
  nodes: ClusterShardNode<S>[];
}

/** `CLUSTER SLOTS`: one node serving a slot range: endpoint, port, node ID and extra metadata. */
export type ClusterSlotNode<S> = [endpoint: S | null, port: number, id: S, metadata: RedisRecord<S>];

/** `CLUSTER SLOTS`: a slot range, its primary, then its replicas. */
export type ClusterSlotRange<S> = [start: number, end: number, primary: ClusterSlotNode<S>, ...replicas: ClusterSlotNode<S>[]];

/** `CLUSTER INFO`: its `key:value` lines as a record of strings. */
export function clusterInfo(reply: RESPValue): RedisRecord<string> {
  return parseColonLines(toText(reply));
}

/** `CLUSTER LINKS`. */
export function clusterLinks<S extends StringType>(reply: RESPValue): ClusterLink<S>[] {
  return mapArray(
    reply,
    (link) => toRecord(link, (v, key) => (key === "direction" ? toText(v) : v)) as unknown as ClusterLink<S>,
  );
}

/** `CLUSTER SHARDS`. */
export function clusterShards<S extends StringType>(reply: RESPValue): ClusterShard<S>[] {
  return mapArray(
    reply,
    (shard) =>
      toRecord(shard, (v, key) =>
        key === "nodes"
          ? mapArray(v, (node) => toRecord(node, (nv, nkey) => (nkey === "role" || nkey === "health" ? toText(nv) : nv)))
          : v,
      ) as unknown as ClusterShard<S>,
  );
}

/** `CLUSTER SLOT-STATS`: `[slot, stats]` pairs. */
export function clusterSlotStats(reply: RESPValue): [slot: number, stats: RedisRecord<number>][] {
  return mapArray(reply, (entry) => {
    const [slot, stats] = asArray(entry);
    return [slot as number, toRecord<number>(stats ?? [])];
  });
}

/** `CLUSTER SLOTS`: each node's metadata map read as a record. */
export function clusterSlots<S extends StringType>(reply: RESPValue): ClusterSlotRange<S>[] {
  return mapArray(reply, (range) => {
    const [start, end, ...nodes] = asArray(range);
    const read = nodes.map((node) => {
      const [endpoint, port, id, metadata] = asArray(node);
      return [endpoint as S | null, port as number, id as S, toRecord<S>(metadata ?? [])] as ClusterSlotNode<S>;
    });
    return [start as number, end as number, ...read] as ClusterSlotRange<S>;
  });
}
