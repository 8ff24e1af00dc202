/**
 * Reads the command specification (`../shared/command-spec/*.json`, the format of its FORMAT.md)
 * plus the hand-written extra commands, into one sorted list.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EXTRA_COMMANDS } from "../extra-commands.js";

/** The JSON Schema subset the specification's `reply_schema` uses. */
export interface ReplySchema {
  readonly type?: string | readonly string[];
  readonly const?: string | number;
  readonly anyOf?: readonly ReplySchema[];
  readonly oneOf?: readonly ReplySchema[];
  readonly items?: ReplySchema | readonly ReplySchema[];
  readonly additionalItems?: ReplySchema | boolean;
  readonly properties?: Readonly<Record<string, ReplySchema>>;
  readonly additionalProperties?: ReplySchema | boolean;
  readonly patternProperties?: Readonly<Record<string, ReplySchema>>;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly description?: string;
}

/** One argument of a command, as the specification writes it. */
export interface SpecArg {
  readonly name: string;
  readonly type: "block" | "double" | "integer" | "key" | "oneof" | "pattern" | "pure-token" | "string" | "unix-time";
  readonly token?: string;
  readonly optional?: boolean;
  readonly multiple?: boolean;
  readonly multiple_token?: boolean;
  readonly arguments?: readonly SpecArg[];
  readonly key_spec_index?: number;
  readonly since?: string;
  readonly display?: string;
  readonly deprecated_since?: string;
}

/** The raw key specification of one key argument group. */
export interface SpecKeySpec {
  readonly flags?: readonly string[];
  readonly begin_search:
    | { readonly index: { readonly pos: number } }
    | { readonly keyword: { readonly keyword: string; readonly startfrom: number } }
    | { readonly unknown: null };
  readonly find_keys:
    | { readonly range: { readonly lastkey: number; readonly step: number; readonly limit: number } }
    | { readonly keynum: { readonly keynumidx: number; readonly firstkey: number; readonly step: number } }
    | { readonly unknown: null };
}

/** The body of one command's JSON file. */
export interface SpecBody {
  readonly complexity?: string;
  readonly group: string;
  readonly since: string;
  readonly arity: number;
  readonly container?: string;
  readonly command_flags?: readonly string[];
  readonly command_tips?: readonly string[];
  readonly key_specs?: readonly SpecKeySpec[];
  readonly reply_schema?: ReplySchema;
  readonly arguments?: readonly SpecArg[];
  readonly get_keys_function?: string;
  readonly deprecated_since?: string;
  readonly replaced_by?: string;
  readonly doc_flags?: readonly string[];
}

/** One command with its full name resolved. */
export interface SpecCommand extends SpecBody {
  /** Full upper-case name: `GET`, `CLIENT ID`. */
  readonly fullName: string;
  /** Whether other commands name this one as their container (`CLIENT`, `CONFIG`, `COMMAND` …). */
  readonly hasSubcommands: boolean;
  /**
   * Whether the command only groups subcommands, so is not a command of its own: it has
   * subcommands and its arity asks for one (-2). `COMMAND` (arity -1) has subcommands but is also
   * a command by itself, which replies with the whole command table.
   */
  readonly isContainer: boolean;
  /** Whether the command came from `scripts/extra-commands.ts` rather than the specification. */
  readonly isExtra: boolean;
}

/** The argument tree with its flags as booleans: the specification once writes `"multiple": "true"`. */
function normalizeArgs(args: readonly SpecArg[] | undefined): SpecArg[] | undefined {
  if (args === undefined) return undefined;
  const flag = (v: unknown): boolean | undefined => (v === undefined ? undefined : v === true || v === "true");
  return args.map((a) => {
    const { optional, multiple, multiple_token: multipleToken, ...rest } = a;
    const out: { -readonly [K in keyof SpecArg]: SpecArg[K] } = rest;
    const o = flag(optional);
    const m = flag(multiple);
    const mt = flag(multipleToken);
    if (o !== undefined) out.optional = o;
    if (m !== undefined) out.multiple = m;
    if (mt !== undefined) out.multiple_token = mt;
    const children = normalizeArgs(a.arguments);
    if (children !== undefined) out.arguments = children;
    return out;
  });
}

/** Reads every command, sorted by full name (so the output of the generator is deterministic). */
export function loadCommands(specDir: string): SpecCommand[] {
  const bodies: { name: string; body: SpecBody; isExtra: boolean }[] = [];
  for (const file of readdirSync(specDir).filter((f) => f.endsWith(".json")).sort()) {
    const parsed = JSON.parse(readFileSync(join(specDir, file), "utf8")) as Record<string, SpecBody>;
    for (const [name, body] of Object.entries(parsed)) bodies.push({ name, body, isExtra: false });
  }
  for (const [name, body] of Object.entries(EXTRA_COMMANDS)) {
    bodies.push({ name, body, isExtra: true });
  }
  const containers = new Set(bodies.flatMap((b) => (b.body.container === undefined ? [] : [b.body.container])));
  const seen = new Set<string>();
  const commands: SpecCommand[] = [];
  for (const { name, body, isExtra } of bodies) {
    const fullName = body.container === undefined ? name : `${body.container} ${name}`;
    if (seen.has(fullName)) throw new Error(`command ${fullName} is defined twice`);
    seen.add(fullName);
    const args = normalizeArgs(body.arguments);
    const hasSubcommands = body.container === undefined && containers.has(name);
    commands.push({
      ...body,
      ...(args === undefined ? {} : { arguments: args }),
      fullName,
      hasSubcommands,
      isContainer: hasSubcommands && body.arity !== -1,
      isExtra,
    });
  }
  return commands.sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
}
