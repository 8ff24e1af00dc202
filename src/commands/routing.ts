/**
 * Routing rules read from command flags: which work needs a connection of its own, and which
 * commands a shared connection must never carry.
 *
 * @module
 */
import type { RedisArgument } from "../protocol/values.js";
import { CommandFlag, type CommandSpec } from "./command-spec.js";
import { EXCLUDED_COMMANDS } from "./excluded.js";

/**
 * Whether a command needs a dedicated connection: commands flagged BLOCKING (BLPOP, BRPOP, BLMOVE,
 * BLMPOP, BRPOPLPUSH, BZPOPMIN, BZPOPMAX, BZMPOP, WAIT, WAITAOF), and XREAD / XREADGROUP only when
 * they carry BLOCK — without it they answer at once and share a connection like any read.
 */
export function needsDedicatedConnection(spec: CommandSpec | undefined, argv: readonly RedisArgument[]): boolean {
  if (spec === undefined || (spec.flags & CommandFlag.BLOCKING) === 0) return false;
  if (spec.name !== "XREAD" && spec.name !== "XREADGROUP") return true;
  // A key or group named "block" makes this a false positive: harmless, it only costs a connection.
  for (let i = 1; i < argv.length; i++) {
    const argument = argv[i];
    if (typeof argument === "string" && argument.toUpperCase() === "BLOCK") return true;
    if (typeof argument === "string" && argument.toUpperCase() === "STREAMS") return false;
  }
  return false;
}

/**
 * Commands that change the state of the connection they run on (SELECT, SUBSCRIBE, MULTI …),
 * read off the exclusion list: on a shared connection they would change it for every other
 * caller, so `sendCommand` refuses them there. Options, pipelines, transactions, pubsub and
 * monitor objects reach them instead. DEBUG is excluded from the methods only because the
 * specification does not describe its arguments: it may be sent.
 */
export const CONNECTION_STATE_COMMANDS: ReadonlySet<string> = new Set(
  Object.keys(EXCLUDED_COMMANDS).filter((name) => name !== "DEBUG"),
);
