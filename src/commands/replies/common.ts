/**
 * Building blocks of the reply transforms: the conversions every group needs so that RESP2 and
 * RESP3 give the same values.
 *
 * - RESP3 maps decode to `Map`; RESP2 sends the same data as a flat array `[k1, v1, k2, v2 …]`.
 *   {@link toRecord} reads either into a null-prototype record whose keys are strings (decoded
 *   from Buffers in Buffer mode: they are field names) and whose values are left as decoded.
 * - RESP3 doubles decode to `number`; RESP2 sends them as bulk strings (`"3.5"`, `"inf"`).
 *   {@link toDouble} reads either.
 *
 * A transform trusts the shape the command's reply schema gives; where the reply is not even the
 * right kind of value (an array where a map is due …), it throws {@link ProtocolError}.
 *
 * @module
 */
import { ProtocolError } from "../../errors.js";
import type { RESPValue } from "../../protocol/values.js";
import type { StringType } from "../executor.js";
import type { RedisRecord, ScoredMember } from "../types.js";

/** A field name as a string: Buffers are decoded as UTF-8, numbers written in decimal. */
export function keyString(key: RESPValue): string {
  if (typeof key === "string") return key;
  if (Buffer.isBuffer(key)) return key.toString("utf8");
  if (typeof key === "number" || typeof key === "bigint") return String(key);
  throw unexpected("a field name", key);
}

/** The error for a reply of the wrong kind. */
export function unexpected(expected: string, got: unknown): ProtocolError {
  const kind = got === null ? "null" : Array.isArray(got) ? "array" : got instanceof Map ? "map" : typeof got;
  return new ProtocolError(`unexpected reply: expected ${expected}, got ${kind}`);
}

/** The reply as an array, or a {@link ProtocolError}. */
export function asArray(reply: RESPValue): RESPValue[] {
  if (Array.isArray(reply)) return reply;
  throw unexpected("an array", reply);
}

/**
 * A map reply (RESP3 `Map`, RESP2 flat array) as a null-prototype record, each value passed
 * through `value` (as decoded when omitted).
 */
export function toRecord<V>(reply: RESPValue, value?: (v: RESPValue, key: string) => V): RedisRecord<V> {
  const record: RedisRecord<V> = Object.create(null) as RedisRecord<V>;
  if (reply instanceof Map) {
    for (const [k, v] of reply) {
      const key = keyString(k);
      record[key] = value === undefined ? (v as V) : value(v, key);
    }
    return record;
  }
  const flat = asArray(reply);
  if (flat.length % 2 !== 0) throw new ProtocolError("unexpected reply: a map sent as an array of odd length");
  for (let i = 0; i < flat.length; i += 2) {
    const key = keyString(flat[i] ?? null);
    const v = flat[i + 1] ?? null;
    record[key] = value === undefined ? (v as V) : value(v, key);
  }
  return record;
}

/** A record whose values are the raw strings of the reply: `HGETALL`, `CONFIG GET`. */
export function toStringRecord<S extends StringType>(reply: RESPValue): RedisRecord<S> {
  return toRecord<S>(reply);
}

/** Each element of an array reply through `element`. */
export function mapArray<T>(reply: RESPValue, element: (v: RESPValue) => T): T[] {
  const array = asArray(reply);
  const out: T[] = new Array<T>(array.length);
  for (let i = 0; i < array.length; i++) out[i] = element(array[i] ?? null);
  return out;
}

/** A double: RESP3's number, or RESP2's bulk string (`inf`, `-inf` and `nan` included). */
export function toDouble(reply: RESPValue): number {
  if (typeof reply === "number") return reply;
  if (typeof reply === "string" || Buffer.isBuffer(reply)) {
    const text = reply.toString();
    const n = Number(text);
    if (!Number.isNaN(n)) return n;
    switch (text.toLowerCase()) {
      case "inf":
      case "+inf":
      case "infinity":
      case "+infinity":
        return Infinity;
      case "-inf":
      case "-infinity":
        return -Infinity;
      case "nan":
      case "-nan":
        return NaN;
      default:
    }
  }
  if (typeof reply === "bigint") return Number(reply);
  throw unexpected("a double", reply);
}

/** A double, or `null` for a null reply. */
export function toDoubleOrNull(reply: RESPValue): number | null {
  return reply === null ? null : toDouble(reply);
}

/** An array of doubles or nulls. */
export function toDoublesOrNull(reply: RESPValue): (number | null)[] {
  return mapArray(reply, toDoubleOrNull);
}

/**
 * Members with scores, from RESP3's `[[member, score] …]` or RESP2's flat
 * `[member, score, member, score …]`.
 */
export function toScoredMembers<S extends StringType>(reply: RESPValue): ScoredMember<S>[] {
  const array = asArray(reply);
  if (array.length === 0) return [];
  if (Array.isArray(array[0])) {
    return array.map((pair) => {
      const [member, score] = asArray(pair);
      return [member as S, toDouble(score ?? null)];
    });
  }
  const out: ScoredMember<S>[] = [];
  for (let i = 0; i + 1 < array.length; i += 2) out.push([array[i] as S, toDouble(array[i + 1] ?? null)]);
  return out;
}

/** Field–value pairs, from RESP3's `[[field, value] …]` or RESP2's flat `[field, value …]`. */
export function toPairs<S extends StringType>(reply: RESPValue): [S, S][] {
  const array = asArray(reply);
  if (array.length === 0) return [];
  if (Array.isArray(array[0])) return array.map((pair) => asArray(pair) as [S, S]);
  const out: [S, S][] = [];
  for (let i = 0; i + 1 < array.length; i += 2) out.push([array[i] as S, array[i + 1] as S]);
  return out;
}

/** Text of a string reply (verbatim strings arrive without their format prefix). */
export function toText(reply: RESPValue): string {
  if (typeof reply === "string") return reply;
  if (Buffer.isBuffer(reply)) return reply.toString("utf8");
  throw unexpected("a string", reply);
}

/**
 * Lines of `key:value` (`INFO` sections, `CLUSTER INFO`) as a record; blank lines and `#`
 * comments are skipped.
 */
export function parseColonLines(text: string): RedisRecord<string> {
  const record: RedisRecord<string> = Object.create(null) as RedisRecord<string>;
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon > 0) record[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return record;
}
