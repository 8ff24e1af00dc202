/**
 * Emits the typed command methods: one abstract class per group (`generated/<group>.ts`), chained
 * by inheritance from `generated/base.ts` to `generated/commands.ts`'s `RedisCommands`.
 *
 * @module
 */
import { exclusionReason } from "../../src/commands/excluded.js";
import { COMMAND_OVERRIDES } from "../command-overrides.js";
import { buildArgs } from "./args.js";
import { synopsis } from "./argv-code.js";
import type { ArgsModel, Param } from "./args.js";
import { GENERATED_HEADER, docsUrl, groupFile, methodName, pascalCase, propertyName, tableKey } from "./names.js";
import type { CommandOverride, OptionCondition } from "./override-types.js";
import { deriveReplyType, union } from "./reply-types.js";
import type { SpecCommand } from "./spec.js";

/** A command that is a method. */
export interface MethodCommand {
  readonly command: SpecCommand;
  readonly method: string;
}

/** The commands that are methods, and the excluded ones with their reasons. */
export function partitionCommands(commands: readonly SpecCommand[]): {
  methods: MethodCommand[];
  excluded: { command: SpecCommand; reason: string }[];
} {
  const methods: MethodCommand[] = [];
  const excluded: { command: SpecCommand; reason: string }[] = [];
  const names = new Map<string, string>();
  for (const command of commands) {
    const reason = exclusionReason(command.fullName, command.group, command.isContainer);
    if (reason !== undefined) {
      excluded.push({ command, reason });
      continue;
    }
    const method = methodName(command.fullName);
    const clash = names.get(method);
    if (clash !== undefined) throw new Error(`${command.fullName} and ${clash} both make the method ${method}`);
    names.set(method, command.fullName);
    methods.push({ command, method });
  }
  return { methods, excluded };
}

function groupClass(group: string): string {
  return `${pascalCase(group)}Commands`;
}

function indent(lines: readonly string[], by: string): string[] {
  return lines.map((l) => (l === "" ? "" : by + l));
}

function paramList(params: readonly Param[], options: string | undefined): string {
  const list = params.map((p) => `${p.name}${p.optional ? "?" : ""}: ${p.type}`);
  if (options !== undefined) list.push(options);
  return list.join(", ");
}

/** The complexity's first sentence: the bound itself, without the specification's commentary. */
function complexityOf(text: string): string {
  const first = text.split(/\.\s/)[0] ?? text;
  return first.replace(/\.+$/, "").replace(/\*\//g, "* /");
}

function docComment(command: SpecCommand, model: ArgsModel, override: CommandOverride): string[] {
  const syntax = [command.fullName, ...(command.arguments ?? []).map(synopsis)].join(" ");
  const facts = [`Group: ${command.group}`, `since Redis ${command.since}`];
  if (command.complexity !== undefined) facts.push(`complexity: ${complexityOf(command.complexity)}`);
  const lines = ["/**", ` * \`${syntax}\``, " *", ` * ${facts.join("; ")}.`];
  if (override.note !== undefined) lines.push(" *", ` * ${override.note}`);
  if (override.binaryReply === true) {
    lines.push(" *", " * The reply is binary by nature: a `Buffer` whatever the client's decoding (`CommandSpec.binaryReply`).");
  }
  const paramDocs = model.params.filter((p) => p.doc !== undefined).map((p) => ` * @param ${p.name} - ${p.doc ?? ""}`);
  if (model.optionsType !== undefined) paramDocs.push(` * @param options - see {@link ${pascalCase(command.fullName)}Options}`);
  if (paramDocs.length > 0) lines.push(" *", ...paramDocs);
  if (command.deprecated_since !== undefined) {
    const replacement = /`([A-Z][A-Z -]*)`/.exec(command.replaced_by ?? "")?.[1];
    lines.push(` * @deprecated Since Redis ${command.deprecated_since}${replacement === undefined ? "" : `; see ${replacement}`}.`);
  }
  if (lines.at(-1) !== " *" && !(lines.at(-1) ?? "").startsWith(" * @")) lines.push(" *");
  lines.push(` * @see {@link ${docsUrl(command.fullName)}}`, " */");
  return lines;
}

function conditionType(condition: OptionCondition, keyTypes: ReadonlyMap<string, string>, command: string): string {
  const fields = Object.entries(condition).map(([key, v]) => {
    const t = keyTypes.get(key);
    if (t === undefined) throw new Error(`${command}: reply variant names the unknown option ${key}`);
    return `${propertyName(key)}: ${v === true ? "true" : t}`;
  });
  return `{ ${fields.join("; ")} }`;
}

function conditionCode(condition: OptionCondition): string {
  return Object.entries(condition)
    .map(([key, v]) => (v === true ? `options?.${key} === true` : `options?.${key} !== undefined`))
    .join(" && ");
}

/** One method (with its overloads) and, when it has options, its options type. */
function emitMethod(
  { command, method }: MethodCommand,
  errors: string[],
): { methodLines: string[]; typeLines: string[]; usesR: boolean; usesRValue: boolean; usesA: boolean } {
  const override = COMMAND_OVERRIDES[command.fullName] ?? {};
  const model = buildArgs(command, override);
  const derived = deriveReplyType(command.reply_schema);
  const variants = override.variants ?? [];
  if (derived.needsTransform && override.reply === undefined && override.transform === undefined) {
    errors.push(`${command.fullName}: its reply holds a double or a map; add an override with a reply type and transform`);
  }
  const derivedType = derived.needsTransform && override.transform === undefined ? "RESPValue" : derived.type;
  // A binary reply's strings are Buffers under either decoding, so the derived type's `S` is `Buffer`.
  const reply = override.reply ?? (override.binaryReply === true ? derivedType.replace(/\bS\b/g, "Buffer") : derivedType);
  const optionsName = `${pascalCase(command.fullName)}Options`;
  const typeLines: string[] = [];
  if (model.optionsType !== undefined) {
    typeLines.push(
      "/**",
      ` * Options of {@link RedisCommands.${method}} (\`${command.fullName}\`):`,
      ...model.optionDocs.map((d) => ` * - ${d}`),
      " */",
      `export type ${optionsName} =${model.optionsType.startsWith("\n") ? "" : " "}${model.optionsType};`,
      "",
    );
  }
  const lines = docComment(command, model, override);
  const params = model.params;
  const optional = model.optionsType === undefined ? undefined : `options?: ${optionsName}`;
  const all = union([...variants.map((v) => v.reply), reply]);
  if (override.binaryReply === true && /\bS\b/.test(all)) {
    errors.push(`${command.fullName}: a binary reply is a Buffer under either decoding; its reply type must not name S`);
  }
  if (variants.length > 0) {
    if (model.optionsType === undefined) throw new Error(`${command.fullName}: reply variants need options`);
    for (const v of variants) {
      for (const c of v.when) {
        lines.push(`${method}(${paramList(params, `options: ${optionsName} & ${conditionType(c, model.optionKeyTypes, command.fullName)}`)}): Apply<K, ${v.reply}>;`);
      }
    }
    const keys = new Map<string, true | "present">();
    for (const v of variants) for (const c of v.when) for (const [k, x] of Object.entries(c)) keys.set(k, x);
    const none = [...keys].map(([k, x]) => `${propertyName(k)}?: ${x === true ? "false | undefined" : "undefined"}`).join("; ");
    lines.push(`${method}(${paramList(params, `options?: ${optionsName} & { ${none} }`)}): Apply<K, ${reply}>;`);
    lines.push(`${method}(${paramList(params, optional)}): Apply<K, ${all}>;`);
  }
  const transforms = [...variants.map((v) => v.transform), override.transform];
  let transformExpr = override.transform ?? "undefined";
  if (transforms.some((t) => t !== undefined)) {
    for (const v of [...variants].reverse()) {
      if ((v.transform ?? "undefined") === transformExpr) continue; // `c ? t : t` is `t`
      transformExpr = `${v.when.map((c) => (v.when.length > 1 && Object.keys(c).length > 1 ? `(${conditionCode(c)})` : conditionCode(c))).join(" || ")} ? ${v.transform ?? "undefined"} : ${transformExpr}`;
    }
  }
  lines.push(`${method}(${paramList(params, optional)}): Apply<K, ${all}> {`);
  const call = (argv: string): string => `return this.executeCommand<${all}>(COMMANDS.${tableKey(command.fullName)}, ${argv}, ${transformExpr});`;
  if (model.statements.length === 0) {
    lines.push(`  ${call(model.argvLiteral)}`);
  } else {
    lines.push(`  const argv: RedisArgument[] = ${model.argvLiteral};`, ...indent(model.statements, "  "), `  ${call("argv")}`);
  }
  lines.push("}");
  const text = [...lines, ...typeLines].join("\n");
  return {
    methodLines: lines,
    typeLines,
    usesR: /\bR\./.test(text),
    usesRValue: transforms.some((t) => t !== undefined),
    usesA: model.usesArgsModule,
  };
}

const TYPE_NAMES = ["NonEmptyArray", "RedisFieldValues", "RedisInteger", "RedisRecord", "ScoredMember"] as const;

/** A generated class: its name, file, and whether it takes the string type `S`. */
interface ClassRef {
  readonly name: string;
  readonly file: string;
  readonly hasS: boolean;
}

function emitGroupFile(group: string, methods: readonly MethodCommand[], parent: ClassRef, errors: string[]): { text: string; hasS: boolean } {
  const className = groupClass(group);
  const bodies = methods.map((m) => emitMethod(m, errors));
  const methodText = bodies.flatMap((b) => ["", ...indent(b.methodLines, "  ")]).slice(1);
  const typeText = bodies.flatMap((b) => b.typeLines);
  const all = [...methodText, ...typeText].join("\n");
  const usesR = bodies.some((b) => b.usesR);
  const usesRValue = bodies.some((b) => b.usesRValue);
  const usesA = bodies.some((b) => b.usesA);
  const valueTypes = ["RedisArgument", "RESPValue"].filter((t) => new RegExp(`\\b${t}\\b`).test(all));
  const helperTypes = TYPE_NAMES.filter((t) => new RegExp(`\\b${t}\\b`).test(all));
  // A class takes `S` when its methods use it or its parent does (so the chain passes it on).
  const hasS = parent.hasS || /\bS\b/.test(all);
  const imports = [
    ...(valueTypes.length > 0 ? [`import type { ${valueTypes.join(", ")} } from "../../protocol/values.js";`] : []),
    ...(usesA ? [`import * as A from "../args/${groupFile(group)}.js";`] : []),
    `import type { Apply, PromiseKind, ReturnKind${hasS ? ", StringType" : ""} } from "../executor.js";`,
    ...(usesR ? [`import ${usesRValue ? "" : "type "}* as R from "../replies/${groupFile(group)}.js";`] : []),
    ...(helperTypes.length > 0 ? [`import type { ${helperTypes.join(", ")} } from "../types.js";`] : []),
    `import { ${parent.name} } from "./${parent.file}.js";`,
    `import { COMMANDS } from "./table.js";`,
  ];
  const typeParams = `${hasS ? "S extends StringType, " : ""}K extends ReturnKind = PromiseKind`;
  const parentArgs = parent.hasS ? "<S, K>" : "<K>";
  const text = `${GENERATED_HEADER}
/**
 * The commands of the \`${group}\` group.
 *
 * @module
 */
${imports.join("\n")}

/** The \`${group}\` commands, as methods (see {@link RedisCommands}). */
export abstract class ${className}<${typeParams}> extends ${parent.name}${parentArgs} {
${methodText.join("\n")}
}
${typeText.length > 0 ? `\n${typeText.join("\n")}` : ""}`.replace(/\n+$/, "\n");
  return { text, hasS };
}

const BASE_FILE = `${GENERATED_HEADER}
/**
 * The root of the generated command classes: the one seam they call.
 *
 * @module
 */
import type { RedisArgument } from "../../protocol/values.js";
import type { CommandSpec } from "../command-spec.js";
import type { Apply, PromiseKind, ReplyTransform, ReturnKind } from "../executor.js";

/**
 * The root of the command classes.
 *
 * @typeParam K - the return kind: \`PromiseKind\` on clients, the pipeline's own kind on pipelines
 */
export abstract class CommandsBase<K extends ReturnKind = PromiseKind> {
  /**
   * Sends one command. Generated methods build \`argv\` (the command's words first) and name the
   * transform their reply needs, if any.
   *
   * @param spec - the command's table entry, for routing
   * @param argv - the command and its arguments
   * @param transform - turns the decoded reply into the method's reply type; \`undefined\` when the decoded reply already is
   */
  protected abstract executeCommand<T>(spec: CommandSpec, argv: RedisArgument[], transform: ReplyTransform<T> | undefined): Apply<K, T>;
}
`;

/** The group files, `base.ts` and `commands.ts`, by file name. */
export function emitCommandFiles(commands: readonly SpecCommand[]): Map<string, string> {
  const { methods } = partitionCommands(commands);
  const groups = [...new Set(methods.map((m) => m.command.group))].sort();
  const files = new Map<string, string>();
  files.set("base.ts", BASE_FILE);
  const errors: string[] = [];
  let parent: ClassRef = { name: "CommandsBase", file: "base", hasS: false };
  for (const group of groups) {
    const file = groupFile(group);
    const { text, hasS } = emitGroupFile(group, methods.filter((m) => m.command.group === group), parent, errors);
    files.set(`${file}.ts`, text);
    parent = { name: groupClass(group), file, hasS };
  }
  for (const key of Object.keys(COMMAND_OVERRIDES)) {
    if (!methods.some((m) => m.command.fullName === key)) errors.push(`override for ${key}, which is not a method`);
  }
  if (errors.length > 0) {
    if (process.env["GENERATE_LENIENT"] === undefined) throw new Error(`the generator needs attention:\n${errors.join("\n")}`);
    process.stderr.write(`${errors.join("\n")}\n`);
  }
  files.set(
    "index.ts",
    `${GENERATED_HEADER}
/**
 * Everything generated: the command table, the command classes and their option types.
 *
 * @module
 */
export * from "./table.js";
export { CommandsBase } from "./base.js";
export { RedisCommands } from "./commands.js";
${groups.map((g) => `export type * from "./${groupFile(g)}.js";`).join("\n")}
`,
  );
  files.set(
    "commands.ts",
    `${GENERATED_HEADER}
/**
 * Every command as a typed method.
 *
 * @module
 */
import type { PromiseKind, ReturnKind, StringType } from "../executor.js";
import { ${parent.name} } from "./${parent.file}.js";

/**
 * Every command of the specification that is not excluded (see \`EXCLUDED_COMMANDS\`), as a typed
 * method. Clients and pipelines extend it and implement \`executeCommand\`.
 *
 * @typeParam S - the string type of replies: \`string\` or \`Buffer\`
 * @typeParam K - the return kind: \`PromiseKind\` on clients
 */
export abstract class RedisCommands<S extends StringType, K extends ReturnKind = PromiseKind> extends ${parent.name}${parent.hasS ? "<S, K>" : "<K>"} {}
`,
  );
  return files;
}
