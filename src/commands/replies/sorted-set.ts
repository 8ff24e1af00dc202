/**
 * Reply transforms of the `sorted_set` group: scores are doubles (RESP3) or strings (RESP2), and
 * members with scores come as pairs (RESP3) or flat (RESP2); both read as numbers and pairs.
 *
 * @module
 */
import type { RESPValue } from "../../protocol/values.js";
import type { StringType } from "../executor.js";
import type { ScoredMember } from "../types.js";
import { asArray, toDouble, toScoredMembers } from "./common.js";

export {
  toDouble as double,
  toDoubleOrNull as doubleOrNull,
  toDoublesOrNull as doublesOrNull,
  toScoredMembers as scoredMembers,
} from "./common.js";

/** `ZPOPMIN`/`ZPOPMAX` without a count: one member with its score, or `null` when the set is empty. */
export function scoredMemberOrNull<S extends StringType>(reply: RESPValue): ScoredMember<S> | null {
  const members = toScoredMembers<S>(reply);
  return members[0] ?? null;
}

/** `BZPOPMIN`/`BZPOPMAX`: the key, the member and its score, or `null` on timeout. */
export function keyScoredMember<S extends StringType>(reply: RESPValue): [key: S, member: S, score: number] | null {
  if (reply === null) return null;
  const [key, member, score] = asArray(reply);
  return [key as S, member as S, toDouble(score ?? null)];
}

/** `ZMPOP`/`BZMPOP`: the key and its popped members with scores, or `null`. */
export function keyScoredMembers<S extends StringType>(reply: RESPValue): [key: S, members: ScoredMember<S>[]] | null {
  if (reply === null) return null;
  const [key, members] = asArray(reply);
  return [key as S, toScoredMembers<S>(members ?? [])];
}

/** `ZRANK`/`ZREVRANK … WITHSCORE`: the rank and the score, or `null`. */
export function rankWithScore(reply: RESPValue): [rank: number, score: number] | null {
  if (reply === null) return null;
  const [rank, score] = asArray(reply);
  return [rank as number, toDouble(score ?? null)];
}

