/**
 * Reply transforms of the `connection` group.
 *
 * @module
 */
import type { RESPValue } from "../../protocol/values.js";
import type { StringType } from "../executor.js";
import type { RedisRecord } from "../types.js";
import { toRecord, toText } from "./common.js";

/** `CLIENT TRACKINGINFO`. */
export interface ClientTrackingInfo<S> {
  flags: S[];
  redirect: number;
  prefixes: S[];
}

/** One line of `CLIENT LIST` / `CLIENT INFO` (`id=7 addr=… name= …`) as a record of strings. */
function parseClientLine(line: string): RedisRecord<string> {
  const record: RedisRecord<string> = Object.create(null) as RedisRecord<string>;
  for (const pair of line.split(" ")) {
    const eq = pair.indexOf("=");
    if (eq > 0) record[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return record;
}

/** `CLIENT INFO`: the connection's fields, as strings (the reply is text in both modes). */
export function clientInfo(reply: RESPValue): RedisRecord<string> {
  return parseClientLine(toText(reply).trim());
}

/** `CLIENT LIST`: one record per connection. */
export function clientList(reply: RESPValue): RedisRecord<string>[] {
  return toText(reply)
    .split(/\r?\n/)
    .filter((line) => line !== "")
    .map(parseClientLine);
}

/** `CLIENT TRACKINGINFO`. */
export function clientTrackinginfo<S extends StringType>(reply: RESPValue): ClientTrackingInfo<S> {
  return toRecord(reply) as unknown as ClientTrackingInfo<S>;
}
