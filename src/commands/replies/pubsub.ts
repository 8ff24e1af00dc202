/**
 * Reply transforms of the `pubsub` group.
 *
 * @module
 */
import type { RESPValue } from "../../protocol/values.js";
import type { RedisRecord } from "../types.js";
import { toRecord } from "./common.js";

/** `PUBSUB NUMSUB`/`SHARDNUMSUB`: flat `[channel, count …]` → channel → subscriber count. */
export function numsub(reply: RESPValue): RedisRecord<number> {
  return toRecord(reply, (v) => Number(v));
}
