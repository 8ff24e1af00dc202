/**
 * A small tree of TypeScript types, printed on one line when short and over several otherwise,
 * so generated option types stay readable.
 *
 * @module
 */
import { propertyName } from "./names.js";

/** One property of an object type. */
export interface Field {
  readonly key: string;
  readonly optional: boolean;
  readonly type: TypeNode;
}

/** A TypeScript type. */
export type TypeNode =
  | { readonly k: "ref"; readonly text: string }
  | { readonly k: "obj"; readonly fields: readonly Field[] }
  | { readonly k: "and"; readonly parts: readonly TypeNode[] }
  | { readonly k: "or"; readonly members: readonly TypeNode[] }
  | { readonly k: "array"; readonly element: TypeNode; readonly nonEmpty: boolean };

/** A type written out: `RedisArgument`, `"LEFT" | "RIGHT"`. */
export const ref = (text: string): TypeNode => ({ k: "ref", text });
/** An object type. */
export const obj = (fields: readonly Field[]): TypeNode => ({ k: "obj", fields });

/** `a & b`, merging plain objects into one. */
export function and(parts: readonly TypeNode[]): TypeNode {
  const flat = parts.flatMap((p) => (p.k === "and" ? p.parts : [p]));
  const objects = flat.filter((p): p is Extract<TypeNode, { k: "obj" }> => p.k === "obj");
  const others = flat.filter((p) => p.k !== "obj");
  const merged: TypeNode[] = objects.length > 0 ? [obj(objects.flatMap((o) => o.fields))] : [];
  const all = [...merged.filter((m) => m.k !== "obj" || m.fields.length > 0 || others.length === 0), ...others];
  return all.length === 1 && all[0] !== undefined ? all[0] : { k: "and", parts: all };
}

/** `a | b`, flattening nested unions. */
export function or(members: readonly TypeNode[]): TypeNode {
  const flat = members.flatMap((m) => (m.k === "or" ? m.members : [m]));
  return flat.length === 1 && flat[0] !== undefined ? flat[0] : { k: "or", members: flat };
}

/** A read-only array, non-empty when `nonEmpty`. */
export function array(element: TypeNode, nonEmpty: boolean): TypeNode {
  return { k: "array", element, nonEmpty };
}

const WIDTH = 110;

/** The type on one line. */
export function inline(t: TypeNode): string {
  switch (t.k) {
    case "ref":
      return t.text;
    case "obj":
      return t.fields.length === 0 ? "{}" : `{ ${t.fields.map((f) => fieldText(f, inline(f.type))).join("; ")} }`;
    case "and":
      return t.parts.map((p) => (p.k === "or" ? `(${inline(p)})` : inline(p))).join(" & ");
    case "or":
      return t.members.map((m) => (m.k === "and" ? `(${inline(m)})` : inline(m))).join(" | ");
    case "array": {
      const e = inline(t.element);
      if (t.nonEmpty) return `NonEmptyArray<${e}>`;
      return /^[A-Za-z]+$/.test(e) ? `readonly ${e}[]` : `ReadonlyArray<${e}>`;
    }
  }
}

function fieldText(f: Field, type: string): string {
  const sep = type.startsWith("\n") ? ":" : ": ";
  return `${propertyName(f.key)}${f.optional ? "?" : ""}${sep}${type}${f.optional && type !== "undefined" ? " | undefined" : ""}`;
}

/** The type, over several lines when it does not fit, indented by `indent` after the first line. */
export function print(t: TypeNode, indent = "", column = 0): string {
  const one = inline(t);
  if (column + one.length <= WIDTH || t.k === "ref") return one;
  const inner = `${indent}  `;
  switch (t.k) {
    case "obj":
      return `{\n${t.fields.map((f) => `${inner}${fieldText(f, print(f.type, inner, inner.length + f.key.length + 3))};`).join("\n")}\n${indent}}`;
    case "and":
      return t.parts
        .map((p, i) => {
          const text = print(p, indent, i === 0 ? column : indent.length);
          if (p.k !== "or") return text;
          return text.startsWith("\n") ? `(${text}\n${indent})` : `(${text})`;
        })
        .join(` &\n${indent}`);
    case "or":
      return `\n${t.members.map((m) => `${inner}| ${print(m, `${inner}  `, inner.length + 2)}`).join("\n")}`;
    case "array": {
      const e = print(t.element, indent, column + 15);
      return t.nonEmpty ? `NonEmptyArray<${e}>` : `ReadonlyArray<${e}>`;
    }
  }
}
