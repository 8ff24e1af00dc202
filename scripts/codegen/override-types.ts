/**
 * The shape of `scripts/command-overrides.ts`: what a human states where the specification
 * cannot.
 *
 * Type strings are TypeScript written in the generated group file, where `S` is the string type,
 * `R.` names the group's reply module (`src/commands/replies/<group>.ts`) and `A.` its argument
 * module (`src/commands/args/<group>.ts`).
 *
 * @module
 */

/** A condition on the options object: a flag given as `true`, or an option given at all. */
export type OptionCondition = Readonly<Record<string, true | "present">>;

/** A reply that replaces the default one when one of its conditions holds. */
export interface ReplyVariant {
  /** Alternatives: the variant applies when any of them holds. */
  readonly when: readonly OptionCondition[];
  /** The reply type of the variant. */
  readonly reply: string;
  /** The transform of the variant (`R.name`), if its raw reply needs one. */
  readonly transform?: string;
}

/** A hand-written argument: its type, and the `A.` function that pushes it onto the argv. */
export interface ArgBuilder {
  readonly type: string;
  /** Called as `builder(argv, value)`. */
  readonly builder: string;
}

/** What the generator takes from a human for one command. */
export interface CommandOverride {
  /** The reply type, replacing the one derived from `reply_schema`. */
  readonly reply?: string;
  /** The transform of the reply (`R.name`). */
  readonly transform?: string;
  /** Replies that depend on options, most specific first. */
  readonly variants?: readonly ReplyVariant[];
  /** Argument types by path of argument names (`min`, `limit.offset`), replacing the derived ones. */
  readonly argTypes?: Readonly<Record<string, string>>;
  /** Top-level arguments built by hand, by argument name. */
  readonly builders?: Readonly<Record<string, ArgBuilder>>;
  /** Optional top-level arguments taken as trailing optional parameters instead of options, by name. */
  readonly positional?: readonly string[];
  /** A note added to the method's TSDoc (a fact about the typed surface, not spec prose). */
  readonly note?: string;
  /**
   * The reply is binary by nature: its bulk strings are `Buffer`s whatever the client's decoding.
   * The generator sets `binaryReply: true` in the command's table entry (which the executor
   * reads to ask for Buffers), types the reply with `Buffer` where the derived type says `S`,
   * refuses a reply type that still names `S`, and says so in the method's TSDoc.
   */
  readonly binaryReply?: true;
}
