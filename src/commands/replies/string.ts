/**
 * Reply transforms of the `string` group.
 *
 * @module
 */
import type { RESPValue } from "../../protocol/values.js";
import { asArray, mapArray, toRecord } from "./common.js";

/** One match of `LCS … IDX`: the ranges in both strings, and the length with `WITHMATCHLEN`. */
export type LcsMatch = [first: [start: number, end: number], second: [start: number, end: number], length?: number];

/** The reply of `LCS … IDX`. */
export interface LcsIdx {
  matches: LcsMatch[];
  len: number;
}

/** `LCS … IDX`: RESP3 map or RESP2 flat array → {@link LcsIdx}. */
export function lcsIdx(reply: RESPValue): LcsIdx {
  const record = toRecord<RESPValue>(reply);
  return {
    matches: mapArray(record["matches"] ?? [], (m) => asArray(m) as LcsMatch),
    len: record["len"] as number,
  };
}
