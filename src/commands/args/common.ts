/**
 * Argument builders shared by several groups.
 *
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import type { RedisArgument } from "../../protocol/values.js";
import type { RedisFieldValues } from "../types.js";

/**
 * Pushes field–value pairs (`HSET`, `MSET`, `XADD`, `CONFIG SET`): a record's own enumerable
 * entries in order, or an array of pairs as given.
 *
 * @throws {InvalidArgumentError} when there is no pair: Redis needs at least one.
 */
export function pushPairs(argv: RedisArgument[], pairs: RedisFieldValues): void {
  const before = argv.length;
  if (Array.isArray(pairs)) {
    for (const [field, value] of pairs as readonly (readonly [RedisArgument, RedisArgument])[]) argv.push(field, value);
  } else {
    const record = pairs as Readonly<Record<string, RedisArgument>>;
    for (const field of Object.keys(record)) argv.push(field, record[field] as RedisArgument);
  }
  if (argv.length === before) throw new InvalidArgumentError(`${String(argv[0])} needs at least one field and value`);
}
