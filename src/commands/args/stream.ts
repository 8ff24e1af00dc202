/**
 * Argument builders of the `stream` group.
 *
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import type { RedisArgument } from "../../protocol/values.js";
import type { NonEmptyArray } from "../types.js";

export { pushPairs } from "./common.js";

/**
 * The streams of `XREAD`/`XREADGROUP`: stream key → the ID to read after (`$`, `>`, `0-0` …), as a
 * record, or as `[key, id]` pairs (for Buffer keys or a chosen order).
 */
export type StreamsToRead =
  | Readonly<Record<string, RedisArgument>>
  | NonEmptyArray<readonly [key: RedisArgument, id: RedisArgument]>;

/**
 * Pushes `key … id …` after `STREAMS`: all the keys, then the IDs in the same order.
 *
 * @throws {InvalidArgumentError} when there is no stream.
 */
export function pushStreams(argv: RedisArgument[], streams: StreamsToRead): void {
  const keys: RedisArgument[] = [];
  const ids: RedisArgument[] = [];
  if (Array.isArray(streams)) {
    for (const [key, id] of streams as readonly (readonly [RedisArgument, RedisArgument])[]) {
      keys.push(key);
      ids.push(id);
    }
  } else {
    const record = streams as Readonly<Record<string, RedisArgument>>;
    for (const key of Object.keys(record)) {
      keys.push(key);
      ids.push(record[key] as RedisArgument);
    }
  }
  if (keys.length === 0) throw new InvalidArgumentError(`${String(argv[0])} needs at least one stream`);
  for (const key of keys) argv.push(key);
  for (const id of ids) argv.push(id);
}
