/**
 * Emits `src/commands/generated/table.ts`: one frozen {@link CommandSpec} per command.
 *
 * @module
 */
import { COMMAND_OVERRIDES } from "../command-overrides.js";
import { GENERATED_HEADER, tableKey } from "./names.js";
import type { SpecCommand, SpecKeySpec } from "./spec.js";

const KNOWN_FLAGS = new Set([
  "BLOCKING", "READONLY", "WRITE", "PUBSUB", "NOSCRIPT", "NO_MULTI", "ADMIN", "FAST", "LOADING", "STALE",
  "DENYOOM", "NO_AUTH", "MAY_REPLICATE", "SKIP_MONITOR", "SKIP_SLOWLOG", "ALLOW_BUSY", "NO_MANDATORY_KEYS",
  "TOUCHES_ARBITRARY_KEYS", "ASKING", "PROTECTED", "NO_ASYNC_LOADING", "SENTINEL", "ONLY_SENTINEL",
]);

/** Redis's own rule (`populateCommandMovableKeys`): a key-finding function, or any key spec that is not index + range. */
function hasMovableKeys(command: SpecCommand): boolean {
  if (command.get_keys_function !== undefined) return true;
  return (command.key_specs ?? []).some((k) => !("index" in k.begin_search) || !("range" in k.find_keys));
}

function flagsExpression(command: SpecCommand): string {
  const flags = [...(command.command_flags ?? [])];
  for (const f of flags) if (!KNOWN_FLAGS.has(f)) throw new Error(`${command.fullName}: unknown flag ${f}`);
  if (hasMovableKeys(command)) flags.push("MOVABLE_KEYS");
  return flags.length === 0 ? "0" : flags.map((f) => `F.${f}`).join(" | ");
}

function stringList(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(", ")}]`;
}

function keySpecLiteral(k: SpecKeySpec): string {
  const b = k.begin_search;
  const begin =
    "index" in b
      ? `{ index: ${b.index.pos} }`
      : "keyword" in b
        ? `{ keyword: ${JSON.stringify(b.keyword.keyword)}, startFrom: ${b.keyword.startfrom} }`
        : "{ unknown: true }";
  const f = k.find_keys;
  const find =
    "range" in f
      ? `{ range: { lastKey: ${f.range.lastkey}, step: ${f.range.step}, limit: ${f.range.limit} } }`
      : "keynum" in f
        ? `{ keynum: { keyNumIndex: ${f.keynum.keynumidx}, firstKey: ${f.keynum.firstkey}, step: ${f.keynum.step} } }`
        : "{ unknown: true }";
  return `{ begin: ${begin}, find: ${find}, flags: ${stringList(k.flags ?? [])} }`;
}

function tip(command: SpecCommand, prefix: string): string | undefined {
  const t = (command.command_tips ?? []).find((x) => x.startsWith(prefix));
  return t === undefined ? undefined : t.slice(prefix.length).toLowerCase();
}

function specLiteral(command: SpecCommand): string {
  const lines = [
    `    name: ${JSON.stringify(command.fullName)},`,
    `    wire: ${stringList(command.fullName.split(" "))},`,
    `    arity: ${command.arity},`,
    `    group: ${JSON.stringify(command.group)},`,
    `    since: ${JSON.stringify(command.since)},`,
    `    flags: ${flagsExpression(command)},`,
    `    keySpecs: [${(command.key_specs ?? []).map(keySpecLiteral).join(", ")}],`,
  ];
  const request = tip(command, "REQUEST_POLICY:");
  if (request !== undefined) lines.push(`    requestPolicy: ${JSON.stringify(request)},`);
  const response = tip(command, "RESPONSE_POLICY:");
  if (response !== undefined) lines.push(`    responsePolicy: ${JSON.stringify(response)},`);
  if (COMMAND_OVERRIDES[command.fullName]?.binaryReply === true) lines.push("    binaryReply: true,");
  return `  ${tableKey(command.fullName)}: command({\n${lines.join("\n")}\n  }),`;
}

/** The text of `generated/table.ts`. */
export function emitTable(commands: readonly SpecCommand[]): string {
  const keys = new Set<string>();
  for (const c of commands) {
    const key = tableKey(c.fullName);
    if (keys.has(key)) throw new Error(`table key ${key} is not unique`);
    keys.add(key);
  }
  const containers = commands.filter((c) => c.isContainer).map((c) => JSON.stringify(c.fullName));
  const parents = commands.filter((c) => c.hasSubcommands).map((c) => JSON.stringify(c.fullName));
  return `${GENERATED_HEADER}
/**
 * The command table: one frozen {@link CommandSpec} per command of the specification (subcommands
 * and their containers included), keyed by the full name with spaces and dashes as underscores
 * (\`COMMANDS.CLIENT_NO_EVICT\`), and looked up by name for \`sendCommand\` routing.
 *
 * @module
 */
import { CommandFlag as F } from "../command-spec.js";
import type { CommandSpec, KeySpec } from "../command-spec.js";

function command(spec: CommandSpec): CommandSpec {
  Object.freeze(spec.wire);
  for (const k of spec.keySpecs) freezeKeySpec(k);
  Object.freeze(spec.keySpecs);
  return Object.freeze(spec);
}

function freezeKeySpec(k: KeySpec): void {
  Object.freeze(k.begin);
  if ("range" in k.find) Object.freeze(k.find.range);
  if ("keynum" in k.find) Object.freeze(k.find.keynum);
  Object.freeze(k.find);
  Object.freeze(k.flags);
  Object.freeze(k);
}

/** Every command of the specification, by table key. */
export const COMMANDS = Object.freeze({
${commands.map(specLiteral).join("\n")}
});

/** The table key of a command. */
export type CommandKey = keyof typeof COMMANDS;

/** The commands that only group subcommands (\`CLIENT\`, \`CONFIG\` …): their first argument names the subcommand. */
export const CONTAINER_COMMANDS: ReadonlySet<string> = new Set([${containers.join(", ")}]);

/** The commands that have subcommands: the containers, and \`COMMAND\`, which is a command by itself too. */
const PARENT_COMMANDS: ReadonlySet<string> = new Set([${parents.join(", ")}]);

const BY_NAME: ReadonlyMap<string, CommandSpec> = new Map(Object.values(COMMANDS).map((s) => [s.name, s]));

/**
 * The command named \`name\`, in any case, with its subcommand after one or more spaces:
 * \`"get"\`, \`"CLIENT ID"\`, \`"client   id"\`. \`undefined\` for a name the table does not know.
 */
export function commandSpecByName(name: string): CommandSpec | undefined {
  return BY_NAME.get(name) ?? BY_NAME.get(name.trim().toUpperCase().replace(/\\s+/g, " "));
}

/**
 * The command an argv sends (\`["client", "id"]\` → \`CLIENT ID\`): the subcommand when the first
 * word has subcommands and the second is one of them, else the first word's own entry
 * (\`["COMMAND"]\` → \`COMMAND\`).
 */
export function commandSpecForArgv(argv: readonly unknown[]): CommandSpec | undefined {
  const first = argv[0];
  if (typeof first !== "string" && !Buffer.isBuffer(first)) return undefined;
  const name = first.toString().toUpperCase();
  if (PARENT_COMMANDS.has(name)) {
    const second = argv[1];
    if (typeof second === "string" || Buffer.isBuffer(second)) {
      const sub = BY_NAME.get(\`\${name} \${second.toString().toUpperCase()}\`);
      if (sub !== undefined) return sub;
    }
  }
  return BY_NAME.get(name);
}
`;
}
