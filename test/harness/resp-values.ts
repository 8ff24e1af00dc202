/**
 * A test-only RESP3 serializer over a tagged value model, what the decoder should make of each
 * value, and fast-check arbitraries for both. Fake servers use {@link encodeValue} to speak RESP.
 *
 * @module
 */
import fc from "fast-check";
import { errorFromReply } from "../../src/errors.js";
import type { PushMessage, RESPValue } from "../../src/protocol/values.js";

/** One RESP value, tagged by its wire type. */
export type TestValue =
  /** `+text` — text must not contain CR or LF. */
  | { readonly type: "simple"; readonly value: string }
  /** `-message` — message must not contain CR or LF. */
  | { readonly type: "error"; readonly message: string }
  /** `!len message` */
  | { readonly type: "bulkError"; readonly message: string }
  /** `:n` — `value` is written with `String()`, so it may be any integer-valued number. */
  | { readonly type: "integer"; readonly value: number }
  /** `$len bytes` — a string is written as UTF-8. */
  | { readonly type: "bulk"; readonly value: string | Buffer }
  /** `_` (RESP3), `$-1` (RESP2 null bulk) or `*-1` (RESP2 null array). */
  | { readonly type: "null"; readonly form?: "resp3" | "bulk" | "array" }
  | { readonly type: "boolean"; readonly value: boolean }
  /** `,value` — `inf`, `-inf`, `nan` for the non-finite numbers; `-0` keeps its sign. */
  | { readonly type: "double"; readonly value: number }
  | { readonly type: "bignum"; readonly value: bigint }
  /** `=len fmt:text` — `format` is three characters. */
  | { readonly type: "verbatim"; readonly format: string; readonly value: string | Buffer }
  | { readonly type: "array"; readonly items: readonly TestValue[] }
  | { readonly type: "set"; readonly items: readonly TestValue[] }
  | { readonly type: "map"; readonly entries: readonly (readonly [TestValue, TestValue])[] }
  /** `|n k v …` followed by `value`: the attributes decorate the value. */
  | {
      readonly type: "attribute";
      readonly attributes: readonly (readonly [TestValue, TestValue])[];
      readonly value: TestValue;
    }
  /** `>n …` — only meaningful at top level. */
  | { readonly type: "push"; readonly items: readonly TestValue[] };

const CRLF = "\r\n";

function bytesOf(value: string | Buffer): Buffer {
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}

function doubleText(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Appends the RESP3 encoding of `v` to `out`. Iterative over an explicit stack (deep values). */
function encodeInto(root: TestValue, out: Buffer[]): void {
  const stack: TestValue[] = [root];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    switch (v.type) {
      case "simple":
        out.push(Buffer.from(`+${v.value}${CRLF}`, "utf8"));
        break;
      case "error":
        out.push(Buffer.from(`-${v.message}${CRLF}`, "utf8"));
        break;
      case "bulkError":
      case "bulk":
      case "verbatim": {
        const body =
          v.type === "bulkError"
            ? Buffer.from(v.message, "utf8")
            : v.type === "verbatim"
              ? Buffer.concat([Buffer.from(`${v.format}:`, "latin1"), bytesOf(v.value)])
              : bytesOf(v.value);
        const prefix = v.type === "bulkError" ? "!" : v.type === "verbatim" ? "=" : "$";
        out.push(Buffer.from(`${prefix}${body.length}${CRLF}`, "latin1"), body, Buffer.from(CRLF, "latin1"));
        break;
      }
      case "integer":
        out.push(Buffer.from(`:${String(v.value)}${CRLF}`, "latin1"));
        break;
      case "null":
        out.push(Buffer.from(v.form === "bulk" ? `$-1${CRLF}` : v.form === "array" ? `*-1${CRLF}` : `_${CRLF}`));
        break;
      case "boolean":
        out.push(Buffer.from(`#${v.value ? "t" : "f"}${CRLF}`, "latin1"));
        break;
      case "double":
        out.push(Buffer.from(`,${doubleText(v.value)}${CRLF}`, "latin1"));
        break;
      case "bignum":
        out.push(Buffer.from(`(${v.value.toString()}${CRLF}`, "latin1"));
        break;
      case "array":
      case "set":
      case "push": {
        const prefix = v.type === "array" ? "*" : v.type === "set" ? "~" : ">";
        out.push(Buffer.from(`${prefix}${v.items.length}${CRLF}`, "latin1"));
        for (let i = v.items.length - 1; i >= 0; i--) stack.push(v.items[i] as TestValue);
        break;
      }
      case "map":
      case "attribute": {
        const entries = v.type === "map" ? v.entries : v.attributes;
        out.push(Buffer.from(`${v.type === "map" ? "%" : "|"}${entries.length}${CRLF}`, "latin1"));
        if (v.type === "attribute") stack.push(v.value);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [key, value] = entries[i] as readonly [TestValue, TestValue];
          stack.push(value, key);
        }
        break;
      }
    }
  }
}

/** The RESP3 bytes of `v`. */
export function encodeValue(v: TestValue): Buffer {
  const out: Buffer[] = [];
  encodeInto(v, out);
  return Buffer.concat(out);
}

/** How a string-like payload decodes: UTF-8 text in string mode, the bytes in Buffer mode. */
function stringLike(bytes: Buffer, decodeStrings: boolean): string | Buffer {
  return decodeStrings ? bytes.toString("utf8") : Buffer.from(bytes);
}

/**
 * What the decoder should produce for `v` (a top-level push decodes to its item array, an
 * attribute-wrapped value to the value). Recursive: keep values passed here shallow.
 */
export function expectedDecoded(v: TestValue, decodeStrings: boolean): RESPValue {
  switch (v.type) {
    case "simple":
      // Status words are strings in either decoding mode.
      return stringLike(Buffer.from(v.value, "utf8"), true);
    case "error":
    case "bulkError":
      return errorFromReply(Buffer.from(v.message, "utf8").toString("utf8"));
    case "integer":
      return v.value;
    case "bulk":
    case "verbatim":
      return stringLike(bytesOf(v.value), decodeStrings);
    case "null":
      return null;
    case "boolean":
      return v.value;
    case "double":
      return v.value;
    case "bignum":
      return v.value;
    case "array":
    case "set":
    case "push":
      return v.items.map((item) => expectedDecoded(item, decodeStrings));
    case "map": {
      const map = new Map<RESPValue, RESPValue>();
      for (const [key, value] of v.entries) map.set(expectedDecoded(key, decodeStrings), expectedDecoded(value, decodeStrings));
      return map;
    }
    case "attribute":
      return expectedDecoded(v.value, decodeStrings);
  }
}

/** The attribute maps the decoder should report for `v`, in wire order. */
export function expectedAttributes(v: TestValue, decodeStrings: boolean): Map<RESPValue, RESPValue>[] {
  const found: Map<RESPValue, RESPValue>[] = [];
  const visit = (x: TestValue): void => {
    switch (x.type) {
      case "array":
      case "set":
      case "push":
        x.items.forEach(visit);
        break;
      case "map":
        for (const [key, value] of x.entries) {
          visit(key);
          visit(value);
        }
        break;
      case "attribute": {
        const map = new Map<RESPValue, RESPValue>();
        for (const [key, value] of x.attributes) {
          visit(key);
          visit(value);
          map.set(expectedDecoded(key, decodeStrings), expectedDecoded(value, decodeStrings));
        }
        // An attribute map is reported once complete, after any attributes nested inside it.
        found.push(map);
        visit(x.value);
        break;
      }
      default:
        break;
    }
  };
  visit(v);
  return found;
}

/** A top-level frame is a push when its first non-attribute value is one. */
export function isPushFrame(v: TestValue): boolean {
  return v.type === "push" || (v.type === "attribute" && isPushFrame(v.value));
}

/** Expected top-level result of `v`: which sink callback gets what. */
export function expectedFrame(
  v: TestValue,
  decodeStrings: boolean,
): { kind: "reply"; value: RESPValue } | { kind: "push"; value: PushMessage } {
  const value = expectedDecoded(v, decodeStrings);
  return isPushFrame(v) ? { kind: "push", value: value as PushMessage } : { kind: "reply", value };
}

const arbLineText = fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, "_"));
const arbPayload: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 24 }),
  fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes)),
);

/** Scalar test values of every kind. */
export const arbScalar: fc.Arbitrary<TestValue> = fc.oneof(
  arbLineText.map((value) => ({ type: "simple", value }) as const),
  arbLineText.map((message) => ({ type: "error", message: `ERR ${message}` }) as const),
  fc.constantFrom("WRONGTYPE Operation against a key", "MOVED 3999 127.0.0.1:6381", "NOSCRIPT x").map(
    (message) => ({ type: "error", message }) as const,
  ),
  fc.string({ maxLength: 30 }).map((message) => ({ type: "bulkError", message: `ERR ${message}` }) as const),
  fc.maxSafeInteger().map((value) => ({ type: "integer", value }) as const),
  arbPayload.map((value) => ({ type: "bulk", value }) as const),
  fc.constantFrom("resp3", "bulk", "array").map((form) => ({ type: "null", form }) as const),
  fc.boolean().map((value) => ({ type: "boolean", value }) as const),
  fc.double().map((value) => ({ type: "double", value }) as const),
  fc.bigInt().map((value) => ({ type: "bignum", value }) as const),
  fc
    .tuple(fc.constantFrom("txt", "mkd"), arbPayload)
    .map(([format, value]) => ({ type: "verbatim", format, value }) as const),
);

/**
 * Any value except a push (pushes are top-level only), with attributes anywhere, bounded in depth
 * and breadth.
 */
export const arbTestValue: fc.Arbitrary<TestValue> = fc.letrec<{ value: TestValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true, maxDepth: 3 },
    arbScalar,
    fc.array(tie("value"), { maxLength: 4 }).map((items) => ({ type: "array", items }) as const),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => ({ type: "set", items }) as const),
    fc
      .array(fc.tuple(tie("value"), tie("value")), { maxLength: 3 })
      .map((entries) => ({ type: "map", entries }) as const),
    fc
      .tuple(fc.array(fc.tuple(arbScalar, tie("value")), { minLength: 0, maxLength: 2 }), tie("value"))
      .map(([attributes, value]) => ({ type: "attribute", attributes, value }) as const),
  ),
})).value;

/** A whole top-level frame: any {@link arbTestValue}, or a push of them. */
export const arbFrame: fc.Arbitrary<TestValue> = fc.oneof(
  { weight: 4, arbitrary: arbTestValue },
  { weight: 1, arbitrary: fc.array(arbTestValue, { maxLength: 5 }).map((items) => ({ type: "push", items }) as const) },
);
