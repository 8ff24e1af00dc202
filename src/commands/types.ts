/**
 * Small types shared by the generated command methods, the argument builders and the reply
 * transforms.
 *
 * @module
 */
import type { RedisArgument } from "../protocol/values.js";

/** A read-only array with at least one element: what a repeated, required argument takes. */
export type NonEmptyArray<T> = readonly [T, ...T[]];

/** An integer argument. `bigint` carries integers beyond `Number.MAX_SAFE_INTEGER` exactly. */
export type RedisInteger = number | bigint;

/**
 * Field–value pairs as a record (`{ name: "x", age: 3 }`) or as an array of pairs
 * (`[["name", "x"], ["age", 3]]`, for Buffer field names or a chosen order).
 */
export type RedisFieldValues =
  | Readonly<Record<string, RedisArgument>>
  | NonEmptyArray<readonly [field: RedisArgument, value: RedisArgument]>;

/**
 * A reply read as a record: a null-prototype object (so a `__proto__` field is an ordinary key),
 * keyed by the reply's field names decoded to strings, with values as the client decodes them.
 */
export type RedisRecord<V> = Record<string, V>;

/** A sorted-set member with its score. */
export type ScoredMember<S> = [member: S, score: number];
