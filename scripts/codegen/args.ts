/**
 * From a command's argument tree to its method's parameters, options type and argv-building code.
 *
 * Rules (DESIGN.md §1, MODELS.md §6.5):
 * - required top-level arguments are positional parameters, in the specification's order; the
 *   optional ones go into one trailing options object. Exception: when every optional argument
 *   is an untokened repeated value (`EVAL script numkeys [key …] [arg …]`, `GEOPOS key [member …]`),
 *   they are trailing optional array parameters;
 * - a key in an object is the argument's token lower-cased (`ex`, `withscores`; `lib-name` →
 *   `libName`), or, without a token, its name camel-cased;
 * - an optional pure token is a `boolean` flag; an optional one-of word tokens is a set of flags of
 *   which the type allows one (`{ nx: boolean; xx?: undefined } | { xx: boolean; nx?: undefined }`);
 *   a required one-of pure tokens, a one-of with a token of its own (`TYPE normal|master`) and one
 *   whose tokens are not words (`=`, `~`) are a string-literal union;
 * - any other one-of is a union in which each alternative rules out the others' keys;
 * - a block with a token is an object under the token's key (or its one field, when it has one);
 *   a block without a token is merged into the object around it, all or nothing; a block of pure
 *   tokens only (`NO ONE`) is a flag named after the block;
 * - `multiple` is an array (non-empty where required); an integer `num…` argument followed by a
 *   repeated argument is that argument's length, computed, never asked for.
 *
 * The code emitted is straight-line: the argv literal holds the words and the leading required
 * arguments, then one `if` per optional argument; loops run only over the caller's arrays.
 *
 * @module
 */
import { assemble, render, synopsis } from "./argv-code.js";
import type { Op } from "./argv-code.js";
import type { CommandOverride } from "./override-types.js";
import { camelCase, isIdentifier, paramName } from "./names.js";
import type { SpecArg, SpecCommand } from "./spec.js";
import { and, array, inline, obj, or, print, ref } from "./type-node.js";
import type { Field, TypeNode } from "./type-node.js";

/** How an argument appears in an object type, and how it is sent. */
type Kind =
  | "count" // the length of the next (repeated) argument
  | "fixed" // a required pure token: always sent, never asked for
  | "flag" // a boolean: a pure token, or a block of pure tokens
  | "value" // a scalar (string, key, integer …), maybe repeated
  | "object" // a block with a token, or a repeated block: an object under its key
  | "choice" // a string-literal union
  | "nestedOneof" // a one-of with a token, or repeated: an exclusive union under its key
  | "flatBlock" // a block without a token: its keys are merged into the object around it
  | "flatOneof"; // a one-of without a token: its alternatives' keys are merged, exclusively

interface Arg {
  readonly spec: SpecArg;
  /** Dotted path of argument names from the top level, for overrides. */
  readonly path: string;
  readonly key: string;
  readonly children: Arg[];
  kind: Kind;
  /** Required within its object (or, for an alternative of a one-of, within its member). */
  required: boolean;
  /** For `count`: the argument whose length it is. */
  countOf?: Arg;
  /** For an optional `flatBlock`: the key whose presence (or truth, for a flag) means "given". */
  trigger?: Arg;
}

/** A method's parameter. */
export interface Param {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
  /** A TSDoc line for the parameter, where its type does not say it all. */
  readonly doc?: string;
}

/** Everything the method emitter needs about a command's arguments. */
export interface ArgsModel {
  readonly params: readonly Param[];
  /** The options type (printed), or `undefined` when the command has no options. */
  readonly optionsType: string | undefined;
  /** The types of the options' keys, by key (for reply variants' conditions). */
  readonly optionKeyTypes: ReadonlyMap<string, string>;
  /** One TSDoc line per option key. */
  readonly optionDocs: readonly string[];
  /** The argv literal: the whole argv when `statements` is empty, else its start. */
  readonly argvLiteral: string;
  readonly statements: readonly string[];
  /** Whether the code calls the group's argument module (`A.`). */
  readonly usesArgsModule: boolean;
}

const WORD = /^[A-Za-z][A-Za-z0-9-]*$/;

/** The token as sent: the specification writes the empty string as `""`. */
function wire(token: string | undefined): string {
  return JSON.stringify(token === '""' ? "" : (token ?? ""));
}

function keyOf(spec: SpecArg): string {
  if (spec.token !== undefined && WORD.test(spec.token)) {
    return spec.token.includes("-") ? camelCase(spec.token) : spec.token.toLowerCase();
  }
  return camelCase(spec.name);
}

type Context = "top" | "object" | "alternative";

function classify(spec: SpecArg, children: readonly Arg[], context: Context): Kind {
  const required = spec.optional !== true;
  switch (spec.type) {
    case "pure-token":
      return context === "alternative" || !required ? "flag" : "fixed";
    case "block":
      if (spec.token === undefined && spec.multiple !== true && children.length > 0 && children.every((c) => c.kind === "fixed")) {
        return "flag";
      }
      return spec.token !== undefined || spec.multiple === true ? "object" : "flatBlock";
    case "oneof": {
      const allTokens = children.every((c) => c.spec.type === "pure-token");
      if (allTokens && (spec.token !== undefined || children.some((c) => !WORD.test(c.spec.token ?? "")) || (required && context !== "alternative"))) {
        return "choice";
      }
      return spec.token !== undefined || spec.multiple === true ? "nestedOneof" : "flatOneof";
    }
    default:
      return "value";
  }
}

function wrap(specs: readonly SpecArg[] | undefined, prefix: string, context: Context): Arg[] {
  const args: Arg[] = (specs ?? []).map((spec) => {
    const children = wrap(spec.arguments, `${prefix}${spec.name}.`, spec.type === "oneof" ? "alternative" : "object");
    const kind = classify(spec, children, context);
    const arg: Arg = {
      spec,
      path: prefix + spec.name,
      key: kind === "flag" && spec.type === "block" ? camelCase(spec.name) : keyOf(spec),
      children,
      kind,
      required: spec.optional !== true,
    };
    if (kind === "flatBlock" && !arg.required) setTrigger(arg);
    return arg;
  });
  for (let i = 0; i + 1 < args.length; i++) {
    const a = args[i];
    const next = args[i + 1];
    if (a !== undefined && next !== undefined && a.spec.type === "integer" && /^num/.test(a.spec.name) && next.spec.multiple === true) {
      a.kind = "count";
      a.countOf = next;
    }
  }
  return args;
}

/** The key that tells an optional untokened block was given: its first required field, or its first token as a flag. */
function setTrigger(block: Arg): void {
  const find = (args: readonly Arg[]): Arg | undefined => {
    for (const a of args) {
      if (!a.required || a.kind === "count" || a.kind === "fixed" || a.kind === "flatOneof") continue;
      if (a.kind === "flatBlock") {
        const t = find(a.children);
        if (t !== undefined) return t;
        continue;
      }
      return a;
    }
    return undefined;
  };
  const found = find(block.children);
  if (found !== undefined) {
    block.trigger = found;
    return;
  }
  const first = block.children[0];
  if (first !== undefined && first.kind === "fixed") {
    first.kind = "flag"; // `[FULL [COUNT count]]`: FULL becomes the flag `full`, required in the block
    block.trigger = first;
  }
}

/** Whether the argument has a key of its own in the object around it. */
const isKeyed = (a: Arg): boolean => ["flag", "value", "object", "choice", "nestedOneof"].includes(a.kind);

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

  builderOf(a: Arg): { type: string; builder: string } | undefined {
    return a.path.includes(".") ? undefined : this.#override.builders?.[a.path];
  }

  // ---- types ------------------------------------------------------------------------------

  scalarType(a: Arg): TypeNode {
    const replaced = this.#override.argTypes?.[a.path];
    if (replaced !== undefined) return ref(replaced);
    switch (a.spec.type) {
      case "integer":
        // A cursor comes back from SCAN as a string: it goes back as it came.
        return ref(a.spec.name === "cursor" ? "RedisArgument" : "RedisInteger");
      case "double":
      case "unix-time":
        return ref("number");
      default:
        return ref("RedisArgument");
    }
  }

  /** The type of a keyed argument's value, `multiple` included. */
  valueType(a: Arg): TypeNode {
    const builder = this.builderOf(a);
    if (builder !== undefined) return ref(builder.type);
    let t: TypeNode;
    switch (a.kind) {
      case "flag":
        return ref("boolean");
      case "choice":
        t = ref(a.children.map((c) => wire(c.spec.token)).join(" | "));
        break;
      case "object":
        t = this.blockType(a);
        break;
      case "nestedOneof":
      case "flatOneof":
        t = this.exclusiveUnion(a.children, false);
        break;
      case "flatBlock":
        t = this.objectType(a.children);
        break;
      default:
        t = this.scalarType(a);
    }
    return a.spec.multiple === true ? array(t, a.required) : t;
  }

  /** A tokened block's type: its one field's type when it has one, else an object. */
  blockType(a: Arg): TypeNode {
    const only = this.soleField(a);
    return only === undefined ? this.objectType(a.children) : this.valueType(only);
  }

  /** The one keyed field of a tokened block that has exactly one (which is then the block's value). */
  soleField(a: Arg): Arg | undefined {
    if (a.spec.token === undefined) return undefined;
    const fields = a.children.filter((c) => c.kind !== "count" && c.kind !== "fixed");
    const only = fields[0];
    return fields.length === 1 && only !== undefined && isKeyed(only) && only.required ? only : undefined;
  }

  /** The keys an argument contributes to the object it is in. */
  keysOf(a: Arg): string[] {
    if (this.builderOf(a) !== undefined) return [a.key];
    if (a.kind === "flatBlock" || a.kind === "flatOneof") return a.children.flatMap((c) => this.keysOf(c));
    return isKeyed(a) ? [a.key] : [];
  }

  /** The object type made of `args`. */
  objectType(args: readonly Arg[]): TypeNode {
    const fields: Field[] = [];
    const parts: TypeNode[] = [];
    const seen = new Set<string>();
    for (const a of args) {
      for (const k of this.keysOf(a)) {
        if (seen.has(k)) this.fail(`two arguments have the key ${k}`);
        seen.add(k);
      }
      if (a.kind === "flatBlock" && this.builderOf(a) === undefined) {
        const inner = this.objectType(a.children);
        parts.push(a.required ? inner : or([this.absent(this.keysOf(a)), inner]));
      } else if (a.kind === "flatOneof" && this.builderOf(a) === undefined) {
        parts.push(this.exclusiveUnion(a.children, !a.required));
      } else if (isKeyed(a) || this.builderOf(a) !== undefined) {
        fields.push({ key: a.key, optional: !a.required, type: this.valueType(a) });
      }
    }
    return and([obj(fields), ...parts]);
  }

  absent(keys: readonly string[]): TypeNode {
    return obj(keys.map((key) => ({ key, optional: true, type: ref("undefined") })));
  }

  /** A union whose members each rule out the others' keys; plus "none of them" when optional. */
  exclusiveUnion(alternatives: readonly Arg[], optional: boolean): TypeNode {
    const keys = alternatives.map((c) => this.keysOf(c));
    const members = alternatives.map((alt, i) => {
      const own = new Set(keys[i]);
      const others = [...new Set(keys.flatMap((ks, j) => (j === i ? [] : ks)))].filter((k) => !own.has(k));
      return and([this.objectType([alt]), this.absent(others)]);
    });
    if (optional) members.push(this.absent([...new Set(keys.flat())]));
    return or(members);
  }

  // ---- code -------------------------------------------------------------------------------

  /** Code that sends the value `e` (known to be present) of the keyed argument `a`. */
  pushValue(a: Arg, e: string, ops: Op[]): void {
    const token = a.spec.token;
    const builder = this.builderOf(a);
    if (builder !== undefined) {
      this.usesArgsModule = true;
      if (token !== undefined) ops.push({ kind: "push", items: [wire(token)] });
      ops.push({ kind: "code", lines: [`${builder.builder}(argv, ${e});`] });
      return;
    }
    if (a.spec.multiple === true) {
      // `multiple_token`: the token comes before every element (`GET a GET b`), else once.
      const perElement = a.spec.multiple_token === true;
      const x = this.#loopDepth === 0 ? "x" : `x${this.#loopDepth + 1}`;
      this.#loopDepth++;
      const body: Op[] = [];
      if (perElement && token !== undefined && a.kind !== "object") body.push({ kind: "push", items: [wire(token)] });
      this.pushOne(a, x, body, perElement);
      this.#loopDepth--;
      if (!perElement && token !== undefined) ops.push({ kind: "push", items: [wire(token)] });
      const only = body[0];
      if (body.length === 1 && only?.kind === "push" && only.items.length === 1 && only.items[0] === x) {
        ops.push({ kind: "spread", expr: e, v: x });
      } else {
        ops.push({ kind: "code", lines: [`for (const ${x} of ${e}) {`, ...render(body).map((l) => `  ${l}`), "}"] });
      }
      return;
    }
    if (token !== undefined && (a.kind === "value" || a.kind === "choice" || a.kind === "nestedOneof")) {
      ops.push({ kind: "push", items: [wire(token)] });
    }
    this.pushOne(a, e, ops);
  }

  /** Code that sends one (not repeated) value `e` of `a`, after its token. */
  pushOne(a: Arg, e: string, ops: Op[], withBlockToken = true): void {
    switch (a.kind) {
      case "value":
      case "choice":
        ops.push({ kind: "push", items: [e] });
        return;
      case "object": {
        if (withBlockToken && a.spec.token !== undefined) ops.push({ kind: "push", items: [wire(a.spec.token)] });
        const only = this.soleField(a);
        if (only === undefined) {
          this.emitObject(a.children, e, false, ops);
          return;
        }
        for (const c of a.children) {
          if (c === only) this.pushValue(c, e, ops);
          else if (c.countOf === only) ops.push({ kind: "push", items: [`${e}.length`] });
          else if (c.kind === "fixed") ops.push({ kind: "push", items: [wire(c.spec.token)] });
        }
        return;
      }
      case "nestedOneof":
      case "flatOneof":
        this.emitOneof(a, e, false, ops);
        return;
      case "flatBlock":
        this.emitObject(a.children, e, false, ops);
        return;
      default:
        this.fail(`cannot send ${a.path} as a value`);
    }
  }

  /** Code for the arguments `args` of the object `o` (which may be `undefined` when `maybeUndefined`). */
  emitObject(args: readonly Arg[], o: string, maybeUndefined: boolean, ops: Op[]): void {
    for (const a of args) this.emitField(a, o, maybeUndefined, ops);
  }

  access(o: string, key: string, maybeUndefined: boolean): string {
    if (isIdentifier(key)) return `${o}${maybeUndefined ? "?." : "."}${key}`;
    return `${o}${maybeUndefined ? "?." : ""}[${JSON.stringify(key)}]`;
  }

  flagTokens(a: Arg): string[] {
    return a.spec.type === "block" ? a.children.map((c) => wire(c.spec.token)) : [wire(a.spec.token)];
  }

  emitField(a: Arg, o: string, maybeUndefined: boolean, ops: Op[]): void {
    const builder = this.builderOf(a);
    if (builder === undefined) {
      switch (a.kind) {
        case "count": {
          const counted = a.countOf;
          if (counted === undefined) return;
          const e = this.access(o, counted.key, maybeUndefined);
          ops.push({ kind: "push", items: [!counted.required || maybeUndefined ? `${e}?.length ?? 0` : `${e}.length`] });
          return;
        }
        case "fixed":
          ops.push({ kind: "push", items: [wire(a.spec.token)] });
          return;
        case "flag":
          if (a.required && !maybeUndefined) ops.push({ kind: "push", items: this.flagTokens(a) });
          else this.conditional(this.access(o, a.key, maybeUndefined), [{ kind: "push", items: this.flagTokens(a) }], ops);
          return;
        case "flatBlock": {
          const trigger = a.trigger;
          if (a.required || trigger === undefined) {
            this.emitObject(a.children, o, maybeUndefined, ops);
            return;
          }
          const inner: Op[] = [];
          this.emitObject(a.children, o, false, inner);
          this.conditional(this.presence(trigger, o, maybeUndefined), inner, ops);
          return;
        }
        case "flatOneof":
          this.emitOneof(a, o, maybeUndefined, ops);
          return;
        default:
      }
    }
    const e = this.access(o, a.key, maybeUndefined);
    if (a.required && !maybeUndefined) {
      this.pushValue(a, e, ops);
      return;
    }
    const inner: Op[] = [];
    this.pushValue(a, this.access(o, a.key, false), inner);
    this.conditional(`${e} !== undefined`, inner, ops);
  }

  /** The condition that the keyed argument `a` of `o` was given. */
  presence(a: Arg, o: string, maybeUndefined: boolean): string {
    const e = this.access(o, a.key, maybeUndefined);
    return a.kind === "flag" ? e : `${e} !== undefined`;
  }

  /** Code for a one-of whose alternatives' keys live in the object `o`: one branch per alternative. */
  emitOneof(a: Arg, o: string, maybeUndefined: boolean, ops: Op[]): void {
    const branches: { cond: string | undefined; ops: Op[] }[] = [];
    for (const alt of a.children) {
      const body: Op[] = [];
      let cond: string | undefined;
      if (alt.kind === "flatBlock") {
        const trigger = alt.trigger ?? this.firstRequiredKey(alt.children);
        cond = trigger === undefined ? undefined : this.presence(trigger, o, maybeUndefined);
        this.emitObject(alt.children, o, trigger === undefined ? maybeUndefined : false, body);
      } else if (alt.kind === "flag") {
        cond = this.presence(alt, o, maybeUndefined);
        body.push({ kind: "push", items: this.flagTokens(alt) });
      } else if (alt.kind === "flatOneof") {
        this.fail(`one-of ${alt.path} directly inside a one-of`);
      } else {
        cond = this.presence(alt, o, maybeUndefined);
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

  firstRequiredKey(args: readonly Arg[]): Arg | undefined {
    for (const a of args) {
      if (a.required && isKeyed(a)) return a;
      if (a.required && a.kind === "flatBlock") {
        const k = this.firstRequiredKey(a.children);
        if (k !== undefined) return k;
      }
    }
    return undefined;
  }

  conditional(cond: string, inner: readonly Op[], ops: Op[]): void {
    const body = render(inner);
    if (body.length === 1) ops.push({ kind: "code", lines: [`if (${cond}) ${body[0] ?? ""}`] });
    else ops.push({ kind: "code", lines: [`if (${cond}) {`, ...body.map((l) => `  ${l}`), "}"] });
  }

  // ---- top level ----------------------------------------------------------------------------

  build(): ArgsModel {
    const top = wrap(this.#command.arguments, "", "top");
    const paths = new Set<string>();
    const collect = (args: readonly Arg[]): void => {
      for (const a of args) {
        paths.add(a.path);
        collect(a.children);
      }
    };
    collect(top);
    for (const path of Object.keys(this.#override.argTypes ?? {})) if (!paths.has(path)) this.fail(`argTypes names no argument ${path}`);
    for (const name of Object.keys(this.#override.builders ?? {})) if (!top.some((a) => a.path === name)) this.fail(`builders names no top-level argument ${name}`);
    const positional = new Set(this.#override.positional ?? []);
    const optionalTop = top.filter((a) => !a.required && a.kind !== "count");
    if (optionalTop.length > 0 && optionalTop.every((a) => a.kind === "value" && a.spec.multiple === true && a.spec.token === undefined)) {
      for (const a of optionalTop) positional.add(a.spec.name);
    }
    for (const p of positional) if (!optionalTop.some((a) => a.spec.name === p)) this.fail(`positional ${p} is not an optional argument`);

    const params: Param[] = [];
    const paramOf = new Map<Arg, string>();
    const optionArgs: Arg[] = [];
    const used = new Set<string>();
    for (const a of top) {
      if (a.kind === "count" || a.kind === "fixed") continue;
      if (!a.required && !positional.has(a.spec.name)) {
        optionArgs.push(a);
        continue;
      }
      let name = paramName(a.spec.name);
      if (a.spec.multiple === true && a.kind === "value" && !name.endsWith("s")) name = /[^aeiou]y$/.test(name) ? `${name.slice(0, -1)}ies` : `${name}s`;
      while (used.has(name)) name = `${name}2`;
      used.add(name);
      paramOf.set(a, name);
      const type = inline(this.paramType(a));
      if (a.kind === "flatOneof" && this.isTokenOrValue(a) && this.builderOf(a) === undefined) {
        params.push({ name, type, optional: !a.required, doc: `\`${synopsis({ ...a.spec, optional: false }).replace(/^<|>$/g, "")}\`` });
      } else {
        params.push({ name, type, optional: !a.required });
      }
    }
    if (params.some((p, i) => p.optional && params.slice(i + 1).some((q) => !q.optional))) this.fail("an optional parameter before a required one");

    const ops: Op[] = this.#command.fullName.split(" ").map((w) => ({ kind: "push", items: [JSON.stringify(w)] }));
    for (const a of top) {
      const name = paramOf.get(a);
      if (a.kind === "count" && a.countOf !== undefined && paramOf.has(a.countOf)) {
        const counted = paramOf.get(a.countOf) ?? "";
        ops.push({ kind: "push", items: [a.countOf.required ? `${counted}.length` : `${counted}?.length ?? 0`] });
      } else if (name === undefined) {
        this.emitField(a, "options", true, ops);
      } else if (!a.required) {
        const inner: Op[] = [];
        this.pushValue(a, name, inner);
        this.conditional(`${name} !== undefined`, inner, ops);
      } else if (this.builderOf(a) === undefined && a.kind === "choice") {
        ops.push({ kind: "push", items: [name] });
      } else if (this.builderOf(a) === undefined && a.kind === "flatOneof" && this.isTokenOrValue(a)) {
        ops.push({ kind: "push", items: [name] });
      } else if (this.builderOf(a) === undefined && (a.kind === "flatOneof" || a.kind === "flatBlock")) {
        this.pushOne(a, name, ops);
      } else {
        this.pushValue(a, name, ops);
      }
    }

    let optionsType: string | undefined;
    const optionKeyTypes = new Map<string, string>();
    const optionDocs: string[] = [];
    if (optionArgs.length > 0) {
      optionsType = print(this.objectType(optionArgs), "", 30);
      this.collectOptionKeys(optionArgs, optionKeyTypes, optionDocs);
    }
    return { params, optionsType, optionKeyTypes, optionDocs, ...assemble(ops), usesArgsModule: this.usesArgsModule };
  }

  /** A required top-level one-of of pure tokens and one plain value (`* | id`) is sent as given. */
  isTokenOrValue(a: Arg): boolean {
    const values = a.children.filter((c) => c.kind !== "flag");
    const v = values[0];
    return values.length === 1 && v !== undefined && v.kind === "value" && v.spec.token === undefined && v.spec.multiple !== true;
  }

  paramType(a: Arg): TypeNode {
    const builder = this.builderOf(a);
    if (builder !== undefined) return ref(builder.type);
    if (a.kind === "flatOneof" && this.isTokenOrValue(a)) {
      // `* | id`: the tokens are strings the value's type already takes; the TSDoc names them.
      const value = a.children.find((c) => c.kind !== "flag");
      const valueType = value === undefined ? "RedisArgument" : inline(this.scalarType(value));
      if (valueType === "RedisArgument") return ref(valueType);
      return ref([...a.children.filter((c) => c.kind === "flag").map((c) => wire(c.spec.token)), valueType].join(" | "));
    }
    return this.valueType(a);
  }

  collectOptionKeys(args: readonly Arg[], types: Map<string, string>, docs: string[]): void {
    for (const a of args) {
      if ((a.kind === "flatBlock" || a.kind === "flatOneof") && this.builderOf(a) === undefined) {
        this.collectOptionKeys(a.children, types, docs);
        continue;
      }
      if (!isKeyed(a) && this.builderOf(a) === undefined) continue;
      types.set(a.key, inline(this.valueType(a)));
      const since = a.spec.since === undefined ? "" : ` Since Redis ${a.spec.since}.`;
      docs.push(`\`${a.key}\`: \`${synopsis({ ...a.spec, optional: false })}\`.${since}`);
    }
  }
}

/** Derives the parameters, options type and argv code of a command. */
export function buildArgs(command: SpecCommand, override: CommandOverride): ArgsModel {
  return new Builder(command, override).build();
}
