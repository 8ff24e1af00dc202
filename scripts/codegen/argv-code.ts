/**
 * The code side of argument building: statements that push onto \`argv\`, the argv literal, and the
 * documentation's syntax line of an argument.
 *
 * @module
 */
import type { SpecArg } from "./spec.js";

/** One statement of argv building. */
export type Op =
  | { readonly kind: "push"; readonly items: readonly string[] }
  | { readonly kind: "spread"; readonly expr: string; readonly v: string }
  | { readonly kind: "code"; readonly lines: readonly string[] };

/** Renders ops as statements pushing onto `argv`. */
export function render(ops: readonly Op[]): string[] {
  const lines: string[] = [];
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length > 0) lines.push(`argv.push(${pending.join(", ")});`);
    pending = [];
  };
  for (const op of ops) {
    if (op.kind === "push") pending.push(...op.items);
    else if (op.kind === "spread") {
      flush();
      lines.push(`for (const ${op.v} of ${op.expr}) argv.push(${op.v});`);
    } else {
      flush();
      lines.push(...op.lines);
    }
  }
  flush();
  return lines;
}

/** The argv literal from the leading pushes and spreads, then the statements for the rest. */
export function assemble(ops: readonly Op[]): { argvLiteral: string; statements: string[] } {
  const items: string[] = [];
  let i = 0;
  for (; i < ops.length; i++) {
    const op = ops[i];
    if (op === undefined || op.kind === "code") break;
    if (op.kind === "push") items.push(...op.items);
    else items.push(`...${op.expr}`);
  }
  return { argvLiteral: `[${items.join(", ")}]`, statements: render(ops.slice(i)) };
}

/** The argument's syntax, as the Redis documentation writes it: `EX seconds`, `[NX | XX]`. */
export function synopsis(a: SpecArg): string {
  let s: string;
  const token = a.token === undefined ? "" : `${a.token} `;
  if (a.type === "pure-token") s = a.token ?? a.name;
  else if (a.type === "oneof") s = `${token}${(a.arguments ?? []).map(synopsis).join(" | ")}`;
  else if (a.type === "block") s = `${token}${(a.arguments ?? []).map(synopsis).join(" ")}`;
  else s = `${token}${a.name}`;
  if (a.multiple === true) {
    const again = a.multiple_token === true || a.type === "block" || a.type === "oneof" ? s : a.name;
    s = `${s} [${again} ...]`;
  }
  if (a.optional === true) return `[${s}]`;
  return a.type === "oneof" && a.multiple !== true ? `<${s}>` : s;
}
