/**
 * A concrete command class for unit tests: `executeCommand` records the spec and argv it is
 * given and returns the transform applied to a canned reply, synchronously.
 */
import type { CommandSpec } from "../../../src/commands/command-spec.js";
import type { ReplyContext, ReplyTransform, ReturnKind, StringType } from "../../../src/commands/executor.js";
import { RedisCommands } from "../../../src/commands/generated/commands.js";
import type { RedisArgument, RESPValue, RESPVersion } from "../../../src/protocol/values.js";

/** A return kind without a promise: each method returns its reply. */
export interface SyncKind extends ReturnKind {
  readonly result: this["value"];
}

export class Recorder<S extends StringType = string> extends RedisCommands<S, SyncKind> {
  spec: CommandSpec | undefined;
  argv: RedisArgument[] = [];
  reply: RESPValue = null;
  context: ReplyContext = { protocolVersion: 3, decodeStrings: true };
  /** Whether to run the transform on the canned reply (argv tests only record). */
  runTransform = true;

  protected override executeCommand<T>(spec: CommandSpec, argv: RedisArgument[], transform: ReplyTransform<T> | undefined): T {
    this.spec = spec;
    this.argv = argv;
    return transform === undefined || !this.runTransform ? (this.reply as T) : transform(this.reply, this.context);
  }
}

/** The argv a call sends, as the strings that reach the wire. */
export function argvOf(call: (r: Recorder) => unknown): string[] {
  const r = new Recorder();
  r.runTransform = false;
  call(r);
  return r.argv.map((a) => (Buffer.isBuffer(a) ? a.toString("utf8") : String(a)));
}

/** What a call returns for a canned reply under one protocol (and string or Buffer mode). */
export function replyOf<S extends StringType, T>(
  call: (r: Recorder<S>) => T,
  reply: RESPValue,
  protocolVersion: RESPVersion,
  decodeStrings = true,
): T {
  const r = new Recorder<S>();
  r.reply = reply;
  r.context = { protocolVersion, decodeStrings };
  return call(r);
}

/** A null-prototype record with the given entries, as transforms build them. */
export function rec<V>(entries: Record<string, V>): Record<string, V> {
  return Object.assign(Object.create(null) as Record<string, V>, entries);
}
