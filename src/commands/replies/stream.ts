/**
 * Reply transforms of the `stream` group. Entries (`[id, [field, value …]]` in both protocols)
 * read as {@link StreamEntry} objects with their fields as a record; maps (`XREAD`, `XINFO …`)
 * read as records under both protocols.
 *
 * @module
 */
import type { RESPValue } from "../../protocol/values.js";
import type { StringType } from "../executor.js";
import type { RedisRecord } from "../types.js";
import { asArray, keyString, mapArray, toRecord } from "./common.js";

/** One stream entry: its ID and its fields. */
export interface StreamEntry<S> {
  id: S;
  fields: RedisRecord<S>;
}

/** A stream entry read by `XREADGROUP` from the pending list: `fields` is `null` once the entry was deleted. */
export interface PendingStreamEntry<S> {
  id: S;
  fields: RedisRecord<S> | null;
}

/** `XINFO GROUPS`: one consumer group. */
export interface XInfoGroup<S> {
  name: S;
  consumers: number;
  pending: number;
  "last-delivered-id": S;
  "entries-read": number | null;
  lag: number | null;
}

/** `XINFO CONSUMERS`: one consumer. */
export interface XInfoConsumer<S> {
  name: S;
  pending: number;
  idle: number;
  /** Milliseconds since the consumer's last successful read; since Redis 7.2. */
  inactive?: number;
}

/** The fields `XINFO STREAM` reports with and without `FULL`. */
export interface XInfoStreamCommon<S> {
  length: number;
  "radix-tree-keys": number;
  "radix-tree-nodes": number;
  "last-generated-id": S;
  "max-deleted-entry-id": S;
  "recorded-first-entry-id": S;
  "entries-added": number;
}

/** `XINFO STREAM` (without `FULL`). */
export interface XInfoStream<S> extends XInfoStreamCommon<S> {
  groups: number;
  "first-entry": StreamEntry<S> | null;
  "last-entry": StreamEntry<S> | null;
}

/** `XINFO STREAM … FULL`: one consumer of a group. */
export interface XInfoStreamFullConsumer<S> {
  name: S;
  "seen-time": number;
  /** Since Redis 7.2. */
  "active-time"?: number;
  "pel-count": number;
  /** The consumer's pending entries. */
  pending: [id: S, deliveryTime: number, deliveryCount: number][];
}

/** `XINFO STREAM … FULL`: one group. */
export interface XInfoStreamFullGroup<S> {
  name: S;
  "last-delivered-id": S;
  "entries-read": number | null;
  lag: number | null;
  "pel-count": number;
  /** The group's pending entries. */
  pending: [id: S, consumer: S, deliveryTime: number, deliveryCount: number][];
  consumers: XInfoStreamFullConsumer<S>[];
}

/** `XINFO STREAM … FULL`. */
export interface XInfoStreamFull<S> extends XInfoStreamCommon<S> {
  entries: StreamEntry<S>[];
  groups: XInfoStreamFullGroup<S>[];
}

/** `[id, [field, value …]]` → {@link StreamEntry}. */
export function streamEntry<S extends StringType>(reply: RESPValue): StreamEntry<S> {
  const [id, fields] = asArray(reply);
  return { id: id as S, fields: toRecord<S>(fields ?? []) };
}

function pendingStreamEntry<S extends StringType>(reply: RESPValue): PendingStreamEntry<S> {
  const [id, fields] = asArray(reply);
  return { id: id as S, fields: fields === null || fields === undefined ? null : toRecord<S>(fields) };
}

/** `XRANGE`, `XREVRANGE`, `XCLAIM`: entries. */
export function streamEntries<S extends StringType>(reply: RESPValue): StreamEntry<S>[] {
  return mapArray(reply, (e) => streamEntry<S>(e));
}

/**
 * `XREAD`: stream key → entries, or `null` when nothing arrived. RESP3 sends a map, RESP2 an
 * array of `[key, entries]`.
 */
export function xread<S extends StringType>(reply: RESPValue): RedisRecord<StreamEntry<S>[]> | null {
  if (reply === null) return null;
  if (reply instanceof Map) return toRecord(reply, (v) => streamEntries<S>(v));
  const record: RedisRecord<StreamEntry<S>[]> = Object.create(null) as RedisRecord<StreamEntry<S>[]>;
  for (const stream of asArray(reply)) {
    const [key, entries] = asArray(stream);
    record[keyString(key ?? null)] = streamEntries<S>(entries ?? []);
  }
  return record;
}

/** `XREADGROUP`: as {@link xread}, with deleted pending entries' fields as `null`. */
export function xreadgroup<S extends StringType>(reply: RESPValue): RedisRecord<PendingStreamEntry<S>[]> | null {
  if (reply === null) return null;
  const entries = (v: RESPValue): PendingStreamEntry<S>[] => mapArray(v, (e) => pendingStreamEntry<S>(e));
  if (reply instanceof Map) return toRecord(reply, entries);
  const record: RedisRecord<PendingStreamEntry<S>[]> = Object.create(null) as RedisRecord<PendingStreamEntry<S>[]>;
  for (const stream of asArray(reply)) {
    const [key, list] = asArray(stream);
    record[keyString(key ?? null)] = entries(list ?? []);
  }
  return record;
}

/** `XAUTOCLAIM`: the next cursor, the claimed entries, the IDs deleted meanwhile. */
export function xautoclaim<S extends StringType>(reply: RESPValue): [next: S, entries: StreamEntry<S>[], deleted: S[]] {
  const [next, entries, deleted] = asArray(reply);
  return [next as S, streamEntries<S>(entries ?? []), (deleted ?? []) as S[]];
}

/** `XINFO GROUPS`. */
export function xinfoGroups<S extends StringType>(reply: RESPValue): XInfoGroup<S>[] {
  return mapArray(reply, (g) => toRecord(g) as unknown as XInfoGroup<S>);
}

/** `XINFO CONSUMERS`. */
export function xinfoConsumers<S extends StringType>(reply: RESPValue): XInfoConsumer<S>[] {
  return mapArray(reply, (c) => toRecord(c) as unknown as XInfoConsumer<S>);
}

/** `XINFO STREAM`. */
export function xinfoStream<S extends StringType>(reply: RESPValue): XInfoStream<S> {
  return toRecord(reply, (v, key) =>
    (key === "first-entry" || key === "last-entry") && v !== null ? streamEntry<S>(v) : v,
  ) as unknown as XInfoStream<S>;
}

/** `XINFO STREAM … FULL`. */
export function xinfoStreamFull<S extends StringType>(reply: RESPValue): XInfoStreamFull<S> {
  return toRecord(reply, (v, key) => {
    if (key === "entries") return streamEntries<S>(v);
    if (key !== "groups") return v;
    return mapArray(v, (group) =>
      toRecord(group, (gv, gkey) => (gkey === "consumers" ? mapArray(gv, (c) => toRecord(c)) : gv)),
    );
  }) as unknown as XInfoStreamFull<S>;
}
