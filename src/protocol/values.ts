/**
 * The values that cross the protocol layer: what commands are made of, and what replies decode to.
 *
 * Decisions, made once:
 * - RESP3 maps decode to `Map`, never to plain objects, so a `__proto__` key (or any other key,
 *   including non-string keys) cannot reach `Object.prototype`. Reply transforms in `commands/`
 *   turn maps into null-prototype records where a command's reply is better read that way.
 * - RESP3 sets decode to arrays (a JS `Set` of Buffers would not de-duplicate anything, and RESP2
 *   sends the same replies as arrays, so both protocols give the same shape).
 * - Simple strings (`+OK`) always decode to `string`, whatever the decoding mode: they are status
 *   words, never binary data. The mode applies to bulk and verbatim strings.
 * - Verbatim strings decode to their text without the three-letter format prefix.
 * - Big numbers decode to `bigint`; doubles to `number` (`inf`, `-inf`, `nan` included).
 * - Error replies (simple and bulk) decode to {@link ResponseError} values; the connection decides
 *   whether one rejects a request or sits in place inside an aggregate (EXEC, pipelines).
 * - Attributes (`|`) are read and handed to an optional callback; they never become a reply.
 *
 * @module
 */
import type { ResponseError } from "../errors.js";

/** One argument of a command, as a caller may give it. Numbers are sent in their decimal form. */
export type RedisArgument = string | Buffer | number | bigint;

/** The RESP protocol version spoken on a connection. */
export type RESPVersion = 2 | 3;

/** Any decoded RESP2 or RESP3 value. */
export type RESPValue =
  | string
  | Buffer
  | number
  | bigint
  | boolean
  | null
  | ResponseError
  | RESPValue[]
  | Map<RESPValue, RESPValue>;

/** An out-of-band RESP3 push frame (`>`): pubsub messages, invalidations, monitor lines. */
export type PushMessage = RESPValue[];

/** What a reply reader may know about the reply it reads. */
export interface ReplyContext {
  /** The protocol the reply was decoded from: readers normalise RESP2 shapes to RESP3 ones. */
  readonly protocolVersion: RESPVersion;
  /** Whether bulk strings arrived as `string` (true) or `Buffer` (false). */
  readonly decodeStrings: boolean;
}

/** Turns a decoded reply into the type a command promises; may throw to reject the call. */
export type ReplyTransform<T> = (reply: RESPValue, context: ReplyContext) => T;
