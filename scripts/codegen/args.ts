/**
 * From a command's argument tree to its method's parameters, options type and argv-building code.
 *
 * Rules (DESIGN.md §1, MODELS.md §6.5):
 * - required top-level arguments are positional parameters, in the specification's order; all
 *   optional ones go into one trailing options object (unless an override makes them positional);
 * - a key in an object is the argument's token, lower-cased (`ex`, `withscores`; `lib-name` →
 *   `libName`), or, without a token, its name camel-cased;
 * - a pure token is a `boolean` flag; a `oneof` is a union in which each alternative rules out the
 *   others' keys (`{ nx: boolean; xx?: undefined } | { xx: boolean; nx?: undefined }`), except a
 *   one-of pure tokens that are not words (`=`, `~`), which is a string-literal field, and a
 *   required top-level one-of pure tokens (`"LEFT" | "RIGHT"`);
 * - a block with a token is an object under the token's key (its one field, when it has only one);
 *   a block without a token is flattened into the object around it, all or nothing;
 * - `multiple` is an array (non-empty where required); an integer `num…` argument followed by a
 *   repeated argument is the length of that argument, computed and never asked for.
 *
 * The code emitted is straight-line: the argv literal holds the leading required arguments, then
 * one `if` per optional argument, a loop only over the caller's arrays.
 *
 * @module
 */
import type { CommandOverride } from "./override-types.js";
import { camelCase, isIdentifier, paramName, propertyName } from "./names.js";
import type { SpecArg, SpecCommand } from "./spec.js";

/** An argument with what the generator derived about it. */
interface Arg {
  readonly spec: SpecArg;
  /** Dotted path of argument names from the top level, for overrides. */
  readonly path: string;
  /** The key of the argument in an object. */
  readonly key: string;
  readonly children: readonly Arg[];
  /** For an integer `num…` argument: the repeated argument whose length it is. */
  countOf?: Arg;
}

/** One statement of argv building. */
type Op =
  | { readonly kind: "push"; readonly items: readonly string[] }
  | { readonly kind: "spread"; readonly expr: string; readonly v: string }
  | { readonly kind: "code"; readonly lines: readonly string[] };

/** A method's parameter. */
export interface Param {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
}

/** Everything the method emitter needs about a command's arguments. */
export interface ArgsModel {
  readonly params: readonly Param[];
  /** The options type, or `undefined` when the command has no optional argument. */
  readonly optionsType: string | undefined;
  /** The types of the options' keys, by key (for reply variants' conditions). */
  readonly optionKeyTypes: ReadonlyMap<string, string>;
  /** Lines of the options type's TSDoc: one per key. */
  readonly optionDocs: readonly string[];
  /** The argv: an array literal expression when `statements` is empty, else the initial literal. */
  readonly argvLiteral: string;
  readonly statements: readonly string[];
  /** Whether the code uses `A.` (the group's argument module). */
  readonly usesArgsModule: boolean;
}

const WORD = /^[A-Za-z][A-Za-z0-9-]*$/;

function keyOf(spec: SpecArg): string {
  if (spec.token !== undefined && WORD.test(spec.token)) {
    return spec.token.includes("-") ? camelCase(spec.token) : spec.token.toLowerCase();
  }
  return camelCase(spec.name);
}

function wrap(specs: readonly SpecArg[] | undefined, prefix: string): Arg[] {
  const args: Arg[] = (specs ?? []).map((spec) => ({
    spec,
    path: prefix + spec.name,
    key: keyOf(spec),
    children: wrap(spec.arguments, `${prefix}${spec.name}.`),
  }));
  for (let i = 0; i + 1 < args.length; i++) {
    const a = args[i];
    const next = args[i + 1];
    if (a !== undefined && next !== undefined && a.spec.type === "integer" && /^num/.test(a.spec.name) && next.spec.multiple === true) {
      a.countOf = next;
    }
  }
  return args;
}

const isOptional = (a: Arg): boolean => a.spec.optional === true;
const isPureToken = (a: Arg): boolean => a.spec.type === "pure-token";
const isValue = (a: Arg): boolean => a.spec.type !== "pure-token" && a.spec.type !== "oneof" && a.spec.type !== "block";

/**
 * A one-of is written as a string-literal union when it is all pure tokens and it has a token of
 * its own (`TYPE normal|master`) or one of its tokens is not a word (`=`, `~`).
 */
function isLiteralOneof(a: Arg): boolean {
  return (
    a.spec.type === "oneof" &&
    a.children.every(isPureToken) &&
    (a.spec.token !== undefined || a.children.some((c) => !WORD.test(c.spec.token ?? "")))
  );
}

/** Whether an argument's keys are merged into the object around it (untokened blocks and one-ofs). */
function isFlattened(a: Arg): boolean {
  if (a.spec.multiple === true || a.spec.token !== undefined) return false;
  return a.spec.type === "block" || (a.spec.type === "oneof" && !isLiteralOneof(a));
}

function arrayOf(t: string, required: boolean): string {
  if (required) return `NonEmptyArray<${t}>`;
  return /^[A-Za-z]+$/.test(t) ? `readonly ${t}[]` : `ReadonlyArray<${t}>`;
}

function literalUnion(a: Arg): string {
  return a.children.map((c) => JSON.stringify(c.spec.token)).join(" | ");
}

/** The user-visible arguments of a block (count arguments are computed). */
function visible(args: readonly Arg[]): Arg[] {
  return args.filter((a) => a.countOf === undefined && !(isPureToken(a) && !isOptional(a)));
}

class Builder {
  readonly #command: SpecCommand;
  readonly #override: CommandOverride;
  #loopDepth = 0;
  usesArgsModule = false;

  constructor(command: SpecCommand, override: CommandOverride) {
    this.#command = command;
    this.#override = override;
  }

  fail(message: string): never {
    throw new Error(`${this.#command.fullName}: ${message}`);
  }

  // ---- types ------------------------------------------------------------------------------

  scalarType(a: Arg): string {
    const replaced = this.#override.argTypes?.[a.path];
    if (replaced !== undefined) return replaced;
    switch (a.spec.type) {
      case "integer":
        return "RedisInteger";
      case "double":
      case "unix-time":
        return "number";
      default:
        return "RedisArgument";
    }
  }

  /** The type of an argument's value, `multiple` included. */
  valueType(a: Arg, required: boolean): string {
    let t: string;
    if (isValue(a)) t = this.scalarType(a);
    else if (a.spec.type === "block") t = this.blockType(a);
    else if (a.spec.type === "pure-token") t = "boolean";
    else if (isLiteralOneof(a)) t = literalUnion(a);
    else t = this.exclusiveUnion(a.children, false);
    return a.spec.multiple === true ? arrayOf(t, required) : t;
  }

  /** A block's type: its one visible field's type, or an object of its fields. */
  blockType(a: Arg): string {
    const fields = visible(a.children);
    const only = fields[0];
    if (a.spec.token !== undefined && fields.length === 1 && only !== undefined && only.spec.type !== "block") {
      return this.valueType(only, !isOptional(only));
    }
    return this.objectType(a.children);
  }

  /** The keys an argument contributes to the object it is in. */
  keysOf(a: Arg): string[] {
    if (a.countOf !== undefined || (isPureToken(a) && !isOptional(a))) return [];
    if (isFlattened(a) && this.builderOf(a) === undefined) {
      return a.spec.type === "oneof" ? a.children.flatMap((c) => this.altKeys(c)) : a.children.flatMap((c) => this.keysOf(c));
    }
    return [a.key];
  }

  /** The keys of a one-of's alternative (whose pure tokens are flags). */
  altKeys(alt: Arg): string[] {
    return isPureToken(alt) ? [alt.key] : this.keysOf(alt);
  }

  /** The parts of an object type made of `args`: fields, then one union per one-of or flattened block. */
  objectParts(args: readonly Arg[]): { fields: string[]; unions: string[] } {
    const fields: string[] = [];
    const unions: string[] = [];
    const keys = new Set<string>();
    for (const a of args) {
      for (const k of this.keysOf(a)) {
        if (keys.has(k)) this.fail(`two arguments have the key ${k}`);
        keys.add(k);
      }
      if (a.countOf !== undefined || (isPureToken(a) && !isOptional(a))) continue;
      const optional = isOptional(a);
      const builder = this.builderOf(a);
      if (builder !== undefined) {
        fields.push(`${propertyName(a.key)}${optional ? "?" : ""}: ${builder.type}${optional ? " | undefined" : ""}`);
      } else if (isFlattened(a) && a.spec.type === "block") {
        const inner = this.objectType(a.children);
        unions.push(optional ? `${this.absent(this.keysOf(a))} | ${inner}` : inner);
      } else if (isFlattened(a)) {
        unions.push(this.exclusiveUnion(a.children, optional));
      } else {
        const t = this.valueType(a, !optional);
        fields.push(`${propertyName(a.key)}${optional ? "?" : ""}: ${t}${optional ? " | undefined" : ""}`);
      }
    }
    return { fields, unions };
  }

  objectType(args: readonly Arg[]): string {
    const { fields, unions } = this.objectParts(args);
    const parts: string[] = [];
    if (fields.length > 0 || unions.length === 0) parts.push(`{ ${fields.join("; ")} }`);
    for (const u of unions) parts.push(unions.length + (fields.length > 0 ? 1 : 0) > 1 ? `(${u})` : u);
    return parts.join(" & ");
  }

  absent(keys: readonly string[]): string {
    return `{ ${keys.map((k) => `${propertyName(k)}?: undefined`).join("; ")} }`;
  }

  /** A union whose members each rule out the keys of the others; plus "none of them" if optional. */
  exclusiveUnion(alternatives: readonly Arg[], optional: boolean): string {
    const allKeys = alternatives.map((c) => this.altKeys(c));
    const members = alternatives.map((alt, i) => {
      const own = new Set(allKeys[i]);
      const others = [...new Set(allKeys.flatMap((ks, j) => (j === i ? [] : ks)))].filter((k) => !own.has(k));
      let mine: string;
      if (isFlattened(alt) && alt.spec.type === "block") mine = this.objectType(alt.children);
      else if (isPureToken(alt)) mine = `{ ${propertyName(alt.key)}: boolean }`;
      else mine = `{ ${propertyName(alt.key)}: ${this.valueType(alt, true)} }`;
      return others.length === 0 ? mine : `(${mine} & ${this.absent(others)})`;
    });
    if (optional) members.push(this.absent([...new Set(allKeys.flat())]));
    return members.join(" | ");
  }

  builderOf(a: Arg): { type: string; builder: string } | undefined {
    return a.path.includes(".") ? undefined : this.#override.builders?.[a.path];
  }

  // ---- code -------------------------------------------------------------------------------

  /** Code that pushes the value `e` of argument `a` (present). */
  pushValue(a: Arg, e: string, ops: Op[]): void {
    const token = a.spec.token;
    const builder = this.builderOf(a);
    if (builder !== undefined) {
      this.usesArgsModule = true;
      if (token !== undefined) ops.push({ kind: "push", items: [JSON.stringify(token)] });
      ops.push({ kind: "code", lines: [`${builder.builder}(argv, ${e});`] });
      return;
    }
    if (a.spec.multiple === true) {
      const x = this.loopVar();
      const body: Op[] = [];
      if (a.spec.multiple_token === true && token !== undefined) body.push({ kind: "push", items: [JSON.stringify(token)] });
      this.pushOne(a, x, body);
      if (a.spec.multiple_token !== true && token !== undefined) ops.push({ kind: "push", items: [JSON.stringify(token)] });
      const only = body[0];
      if (body.length === 1 && only !== undefined && only.kind === "push" && only.items.length === 1 && only.items[0] === x) {
        ops.push({ kind: "spread", expr: e, v: x });
      } else {
        ops.push({ kind: "code", lines: [`for (const ${x} of ${e}) {`, ...render(body).map((l) => `  ${l}`), "}"] });
      }
      this.#loopDepth--;
      return;
    }
    if (token !== undefined && !isPureToken(a) && a.spec.type !== "block") {
      ops.push({ kind: "push", items: [JSON.stringify(token)] });
    }
    this.pushOne(a, e, ops);
  }

  loopVar(): string {
    this.#loopDepth++;
    return this.#loopDepth === 1 ? "x" : `x${this.#loopDepth}`;
  }

  /** Code that pushes one (non-repeated) value `e` of argument `a`. */
  pushOne(a: Arg, e: string, ops: Op[]): void {
    if (isValue(a)) {
      ops.push({ kind: "push", items: [e] });
    } else if (isPureToken(a)) {
      ops.push({ kind: "push", items: [JSON.stringify(a.spec.token)] });
    } else if (a.spec.type === "block") {
      if (a.spec.token !== undefined) ops.push({ kind: "push", items: [JSON.stringify(a.spec.token)] });
      const fields = visible(a.children);
      const only = fields[0];
      if (a.spec.token !== undefined && fields.length === 1 && only !== undefined && only.spec.type !== "block") {
        for (const c of a.children) {
          if (c === only) this.pushValue(c, e, ops);
          else if (c.countOf === only) ops.push({ kind: "push", items: [`${e}.length`] });
          else if (isPureToken(c)) ops.push({ kind: "push", items: [JSON.stringify(c.spec.token)] });
        }
      } else {
        this.emitObject(a.children, e, false, ops);
      }
    } else if (isLiteralOneof(a)) {
      ops.push({ kind: "push", items: [e] });
    } else {
      this.emitOneof(a, e, false, ops);
    }
  }

  /** Code for the arguments `args` of an object held by `o` (which may be `undefined` when `maybeUndefined`). */
  emitObject(args: readonly Arg[], o: string, maybeUndefined: boolean, ops: Op[]): void {
    for (const a of args) this.emitField(a, o, maybeUndefined, ops);
  }

  access(o: string, key: string, maybeUndefined: boolean): string {
    const dot = maybeUndefined ? "?." : ".";
    return isIdentifier(key) ? `${o}${dot}${key}` : `${o}${maybeUndefined ? "?." : ""}[${JSON.stringify(key)}]`;
  }

  emitField(a: Arg, o: string, maybeUndefined: boolean, ops: Op[]): void {
    const optional = isOptional(a);
    if (a.countOf !== undefined) {
      const counted = a.countOf;
      const e = this.access(o, counted.key, maybeUndefined);
      const lengthExpr = isOptional(counted) || maybeUndefined ? `${e}?.length ?? 0` : `${e}.length`;
      ops.push({ kind: "push", items: [lengthExpr] });
      return;
    }
    if (isPureToken(a)) {
      if (!optional) ops.push({ kind: "push", items: [JSON.stringify(a.spec.token)] });
      else this.conditional(`${this.access(o, a.key, maybeUndefined)}`, [{ kind: "push", items: [JSON.stringify(a.spec.token)] }], ops);
      return;
    }
    if (isFlattened(a) && a.spec.type === "block" && this.builderOf(a) === undefined) {
      const trigger = this.triggerOf(a.children);
      if (!optional || trigger === undefined) {
        this.emitObject(a.children, o, maybeUndefined, ops);
      } else {
        const inner: Op[] = [];
        this.emitObject(a.children, o, false, inner);
        this.conditional(`${this.access(o, trigger, maybeUndefined)} !== undefined`, inner, ops);
      }
      return;
    }
    if (isFlattened(a) && this.builderOf(a) === undefined) {
      this.emitOneof(a, o, maybeUndefined, ops);
      return;
    }
    const e = this.access(o, a.key, maybeUndefined);
    const eNarrowed = this.access(o, a.key, false);
    if (!optional && !maybeUndefined) {
      this.pushValue(a, e, ops);
    } else {
      const inner: Op[] = [];
      this.pushValue(a, eNarrowed, inner);
      this.conditional(`${e} !== undefined`, inner, ops);
    }
  }

  /** A key whose presence means a flattened block was given: its first required field. */
  triggerOf(args: readonly Arg[]): string | undefined {
    for (const a of args) {
      if (a.countOf !== undefined || isOptional(a)) continue;
      if (isPureToken(a)) continue;
      if (isFlattened(a) && a.spec.type === "block") {
        const t = this.triggerOf(a.children);
        if (t !== undefined) return t;
        continue;
      }
      if (isFlattened(a)) continue;
      return a.key;
    }
    return undefined;
  }

  /** Code for an exclusive one-of whose alternatives' keys live in the object `o`. */
  emitOneof(a: Arg, o: string, maybeUndefined: boolean, ops: Op[]): void {
    const branches: { cond: string | undefined; ops: Op[] }[] = [];
    for (const alt of a.children) {
      const body: Op[] = [];
      let cond: string | undefined;
      if (isPureToken(alt)) {
        cond = this.access(o, alt.key, maybeUndefined);
        body.push({ kind: "push", items: [JSON.stringify(alt.spec.token)] });
      } else if (isFlattened(alt) && alt.spec.type === "block") {
        const trigger = this.triggerOf(alt.children);
        cond = trigger === undefined ? undefined : `${this.access(o, trigger, maybeUndefined)} !== undefined`;
        this.emitObject(alt.children, o, trigger === undefined ? maybeUndefined : false, body);
      } else {
        cond = `${this.access(o, alt.key, maybeUndefined)} !== undefined`;
        this.pushValue(alt, this.access(o, alt.key, false), body);
      }
      branches.push({ cond, ops: body });
    }
    const unconditional = branches.filter((b) => b.cond === undefined);
    if (unconditional.length > 1) this.fail(`one-of ${a.path} has several alternatives without a required key`);
    const ordered = [...branches.filter((b) => b.cond !== undefined), ...unconditional];
    const lines: string[] = [];
    ordered.forEach((b, i) => {
      const head = i === 0 ? `if (${b.cond ?? "true"}) {` : b.cond === undefined ? "} else {" : `} else if (${b.cond}) {`;
      lines.push(head, ...render(b.ops).map((l) => `  ${l}`));
    });
    lines.push("}");
    ops.push({ kind: "code", lines });
  }

  conditional(cond: string, inner: readonly Op[], ops: Op[]): void {
    const body = render(inner);
    if (body.length === 1) ops.push({ kind: "code", lines: [`if (${cond}) ${body[0] ?? ""}`] });
    else ops.push({ kind: "code", lines: [`if (${cond}) {`, ...body.map((l) => `  ${l}`), "}"] });
  }

  // ---- top level ----------------------------------------------------------------------------

  build(): ArgsModel {
    const top = wrap(this.#command.arguments, "");
    const positional = new Set(this.#override.positional ?? []);
    // When every optional argument is an untokened repeated value (`EVAL … [key …] [arg …]`,
    // `GEOPOS key [member …]`), they are trailing optional array parameters, not options.
    const optionalTop = top.filter((a) => isOptional(a) && a.countOf === undefined);
    if (optionalTop.length > 0 && optionalTop.every((a) => isValue(a) && a.spec.multiple === true && a.spec.token === undefined)) {
      for (const a of optionalTop) positional.add(a.spec.name);
    }
    const params: Param[] = [];
    const optionArgs: Arg[] = [];
    const ops: Op[] = [...this.#command.fullName.split(" ").map((w) => ({ kind: "push", items: [JSON.stringify(w)] }) as const)];
    const usedNames = new Set<string>();
    const nameFor = (a: Arg): string => {
      let n = paramName(a.spec.name);
      if (a.spec.multiple === true && a.spec.type !== "block" && !n.endsWith("s")) n = /[^aeiou]y$/.test(n) ? `${n.slice(0, -1)}ies` : `${n}s`;
      while (usedNames.has(n)) n = `${n}2`;
      usedNames.add(n);
      return n;
    };
    const paramOf = new Map<Arg, string>();
    for (const a of top) {
      if (a.countOf !== undefined || (isPureToken(a) && !isOptional(a))) continue;
      if (isOptional(a) && !positional.has(a.spec.name)) {
        optionArgs.push(a);
        continue;
      }
      const name = nameFor(a);
      paramOf.set(a, name);
      const builder = this.builderOf(a);
      let type: string;
      if (builder !== undefined) type = builder.type;
      else if (a.spec.type === "oneof" && a.spec.multiple !== true) type = this.topOneofType(a);
      else type = this.valueType(a, !isOptional(a));
      params.push({ name, type, optional: isOptional(a) });
    }
    for (const p of positional) if (!top.some((a) => a.spec.name === p && isOptional(a))) this.fail(`positional ${p} is not an optional argument`);
    if (params.some((p, i) => p.optional && params.slice(i + 1).some((q) => !q.optional))) this.fail("an optional parameter before a required one");

    for (const a of top) {
      const name = paramOf.get(a);
      if (a.countOf !== undefined) {
        const counted = paramOf.get(a.countOf);
        if (counted !== undefined) {
          ops.push({ kind: "push", items: [isOptional(a.countOf) ? `${counted}?.length ?? 0` : `${counted}.length`] });
        } else {
          this.emitField(a, "options", true, ops);
        }
      } else if (name === undefined) {
        this.emitField(a, "options", true, ops);
      } else if (isOptional(a)) {
        const inner: Op[] = [];
        this.pushValue(a, name, inner);
        this.conditional(`${name} !== undefined`, inner, ops);
      } else if (a.spec.type === "oneof" && this.builderOf(a) === undefined && !this.isSimpleTopOneof(a)) {
        this.emitOneof(a, name, false, ops);
      } else {
        this.pushValue(a, name, ops);
      }
    }

    let optionsType: string | undefined;
    const optionKeyTypes = new Map<string, string>();
    const optionDocs: string[] = [];
    if (optionArgs.length > 0) {
      optionsType = this.objectType(optionArgs);
      this.collectOptionKeys(optionArgs, optionKeyTypes, optionDocs);
    }
    return { params, optionsType, optionKeyTypes, optionDocs, ...assemble(ops), usesArgsModule: this.usesArgsModule };
  }

  /** A top-level one-of: all pure tokens, or pure tokens and one plain value, is sent as given. */
  isSimpleTopOneof(a: Arg): boolean {
    const values = a.children.filter((c) => !isPureToken(c));
    if (values.length === 0) return true;
    const v = values[0];
    return values.length === 1 && v !== undefined && isValue(v) && v.spec.token === undefined && v.spec.multiple !== true;
  }

  topOneofType(a: Arg): string {
    if (this.isSimpleTopOneof(a)) {
      return a.children.map((c) => (isPureToken(c) ? JSON.stringify(c.spec.token) : this.scalarType(c))).join(" | ");
    }
    return this.exclusiveUnion(a.children, false);
  }

  collectOptionKeys(args: readonly Arg[], types: Map<string, string>, docs: string[], inOneof = false): void {
    for (const a of args) {
      if (a.countOf !== undefined) continue;
      if (isFlattened(a) && this.builderOf(a) === undefined) {
        this.collectOptionKeys(a.children, types, docs, a.spec.type === "oneof");
        continue;
      }
      if (isPureToken(a) && !isOptional(a) && !inOneof) continue;
      const t = this.builderOf(a)?.type ?? (isPureToken(a) ? "boolean" : this.valueType(a, true));
      types.set(a.key, t);
      const since = a.spec.since === undefined ? "" : ` Since Redis ${a.spec.since}.`;
      docs.push(`\`${a.key}\`: \`${synopsis({ ...a.spec, optional: false })}\`.${since}`);
    }
  }
}

/** Renders ops as statements pushing onto `argv`. */
function render(ops: readonly Op[]): string[] {
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
function assemble(ops: readonly Op[]): { argvLiteral: string; statements: string[] } {
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
  const token = a.token === undefined ? "" : `${a.token === "" ? '""' : a.token} `;
  if (a.type === "pure-token") s = a.token === "" ? '""' : (a.token ?? a.name);
  else if (a.type === "oneof") s = `${token}${(a.arguments ?? []).map(synopsis).join(" | ")}`;
  else if (a.type === "block") s = `${token}${(a.arguments ?? []).map(synopsis).join(" ")}`;
  else s = `${token}${a.name}`;
  if (a.multiple === true) s = a.multiple_token === true ? `${s} [${s} ...]` : `${s} [${a.type === "block" || a.type === "oneof" ? s : a.name} ...]`;
  if (a.optional === true) return `[${s}]`;
  if ((a.type === "oneof" || a.type === "block") && a.multiple !== true) return a.type === "oneof" ? `<${s}>` : s;
  return s;
}

/** Derives the parameters, options type and argv code of a command. */
export function buildArgs(command: SpecCommand, override: CommandOverride): ArgsModel {
  return new Builder(command, override).build();
}
