/**
 * The shape of one entry of the generated command table, and the flag bits it uses.
 * The table itself is generated (`generated/table.ts`); this file is hand-written and stable,
 * so the pool, the client and cluster routing depend on it rather than on generated code.
 *
 * @module
 */

/** Command flags from the specification, as bits. */
export const CommandFlag = {
  BLOCKING: 1 << 0,
  READONLY: 1 << 1,
  WRITE: 1 << 2,
  PUBSUB: 1 << 3,
  NOSCRIPT: 1 << 4,
  NO_MULTI: 1 << 5,
  ADMIN: 1 << 6,
  FAST: 1 << 7,
  LOADING: 1 << 8,
  STALE: 1 << 9,
  DENYOOM: 1 << 10,
  NO_AUTH: 1 << 11,
  MAY_REPLICATE: 1 << 12,
  SKIP_MONITOR: 1 << 13,
  SKIP_SLOWLOG: 1 << 14,
  ALLOW_BUSY: 1 << 15,
  NO_MANDATORY_KEYS: 1 << 16,
  TOUCHES_ARBITRARY_KEYS: 1 << 17,
  ASKING: 1 << 18,
  PROTECTED: 1 << 19,
  NO_ASYNC_LOADING: 1 << 20,
  SENTINEL: 1 << 21,
  ONLY_SENTINEL: 1 << 22,
  /** Not a spec flag: the command's keys cannot be found from fixed positions alone. */
  MOVABLE_KEYS: 1 << 23,
} as const;

/** Where a command's keys are, following the specification's `begin_search` / `find_keys`. */
export type KeySpec =
  | {
      readonly begin:
        | { readonly index: number }
        | { readonly keyword: string; readonly startFrom: number }
        | { readonly unknown: true };
      readonly find:
        | { readonly range: { readonly lastKey: number; readonly step: number; readonly limit: number } }
        | { readonly keynum: { readonly keyNumIndex: number; readonly firstKey: number; readonly step: number } }
        | { readonly unknown: true };
      /** The key-spec flags (`RO`, `RW`, `ACCESS`, …) as given by the specification. */
      readonly flags: readonly string[];
    };

/** One command of the table. */
export interface CommandSpec {
  /** The full name, upper-case: `GET`, `CLIENT ID`. */
  readonly name: string;
  /** The words sent on the wire for the name: `["GET"]`, `["CLIENT", "ID"]`. */
  readonly wire: readonly string[];
  /** The specification's arity (negative: at least that many, name included). */
  readonly arity: number;
  /** The documentation group: `string`, `list`, `server` … */
  readonly group: string;
  /** The first server version that has the command. */
  readonly since: string;
  /** {@link CommandFlag} bits. */
  readonly flags: number;
  readonly keySpecs: readonly KeySpec[];
  /**
   * `true` when the reply is binary by nature (DUMP, FUNCTION DUMP: serialized payloads whose
   * bytes are not text): whatever sends the command asks for its bulk strings as `Buffer`s
   * whatever the client's decoding, since decoding them as UTF-8 would replace invalid sequences
   * and corrupt the payload for good. Absent otherwise. The specification cannot say this;
   * `scripts/command-overrides.ts` (`binaryReply`) does.
   */
  readonly binaryReply?: true;
  /**
   * The specification's `REQUEST_POLICY` tip, lower-case, where it has one: how a cluster client
   * spreads a keyless command (`all_nodes`, `all_shards`, `multi_shard`, `special`).
   */
  readonly requestPolicy?: RequestPolicy;
  /**
   * The specification's `RESPONSE_POLICY` tip, lower-case, where it has one: how a cluster client
   * combines the replies of a fanned-out command (`agg_sum`, `all_succeeded` …).
   */
  readonly responsePolicy?: ResponsePolicy;
}

/** A command's `REQUEST_POLICY` tip. */
export type RequestPolicy = "all_nodes" | "all_shards" | "multi_shard" | "special";

/** A command's `RESPONSE_POLICY` tip. */
export type ResponsePolicy =
  | "one_succeeded"
  | "all_succeeded"
  | "agg_logical_and"
  | "agg_logical_or"
  | "agg_min"
  | "agg_max"
  | "agg_sum"
  | "special";
