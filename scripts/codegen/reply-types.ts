/**
 * From a command's `reply_schema` to the TypeScript type of its reply under RESP3, where `S` is
 * the client's string type.
 *
 * - `"string"` is `S`; a `const` is its literal (status replies such as `"OK"` are always
 *   strings); `"integer"` is `number`; `"null"` is `null`; arrays and tuples are arrays and tuples.
 * - A schema holding a double (`"number"`) or a map (`"object"`) cannot be typed from the raw
 *   reply: RESP2 sends doubles as strings and maps as flat arrays. Such commands need an override
 *   with a transform; the generator refuses them otherwise.
 * - A missing schema (scripts, functions) is `RESPValue`.
 *
 * @module
 */
import type { ReplySchema } from "./spec.js";

/** The derived type, and why it cannot be used as is. */
export interface DerivedReply {
  readonly type: string;
  /** The schema holds a double or a map, whose raw reply differs between RESP2 and RESP3. */
  readonly needsTransform: boolean;
}

/** The union of types, without duplicates, numeric literals absorbed by `number`, `null` last. */
export function union(types: readonly string[]): string {
  const unique = [...new Set(types.flatMap((t) => splitTop(t)))];
  const hasNumber = unique.includes("number");
  const kept = unique.filter((t) => !(hasNumber && /^-?\d+$/.test(t)));
  const nullLast = kept.filter((t) => t !== "null");
  if (kept.includes("null")) nullLast.push("null");
  return nullLast.join(" | ");
}

/** Splits a union type at its top level (outside brackets). */
function splitTop(t: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === "(" || c === "[" || c === "{" || c === "<") depth++;
    else if (c === ")" || c === "]" || c === "}" || c === ">") depth--;
    else if (depth === 0 && t.startsWith(" | ", i)) {
      parts.push(t.slice(start, i));
      start = i + 3;
      i += 2;
    }
  }
  parts.push(t.slice(start));
  return parts;
}

function elementOf(t: string): string {
  return splitTop(t).length > 1 ? `(${t})` : t;
}

/** The reply type of a schema. */
export function deriveReplyType(schema: ReplySchema | undefined): DerivedReply {
  let needsTransform = false;
  const walk = (s: ReplySchema | undefined): string => {
    if (s === undefined) return "RESPValue";
    if (s.const !== undefined) return JSON.stringify(s.const);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives !== undefined) return union(alternatives.map(walk));
    const type = s.type;
    if (type === undefined) return "RESPValue";
    if (Array.isArray(type)) return union(type.map((t: string) => walk({ ...s, type: t })));
    switch (type) {
      case "null":
        return "null";
      case "string":
        return "S";
      case "integer":
        return "number";
      case "boolean":
        return "boolean";
      case "number":
        needsTransform = true;
        return "number";
      case "object":
        needsTransform = true;
        return "RedisRecord<RESPValue>";
      case "array": {
        const items = s.items;
        if (items === undefined) return "RESPValue[]";
        if (Array.isArray(items)) return `[${(items as readonly ReplySchema[]).map(walk).join(", ")}]`;
        return `${elementOf(walk(items as ReplySchema))}[]`;
      }
      default:
        throw new Error(`unknown reply schema type ${String(type)}`);
    }
  };
  const type = walk(schema);
  return { type, needsTransform };
}
