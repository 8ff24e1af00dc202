/**
 * Reply transforms of the `scripting` group.
 *
 * @module
 */
import type { RESPValue } from "../../protocol/values.js";
import type { StringType } from "../executor.js";
import type { RedisRecord } from "../types.js";
import { mapArray, toRecord } from "./common.js";

/** `FUNCTION LIST`: one function of a library. */
export interface LibraryFunction<S> {
  name: S;
  description: S | null;
  /** Status replies: strings under either decoding. */
  flags: string[];
}

/** `FUNCTION LIST`: one library. `library_code` is there with `WITHCODE`. */
export interface FunctionLibrary<S> {
  library_name: S;
  engine: S;
  functions: LibraryFunction<S>[];
  library_code?: S;
}

/** `FUNCTION STATS`. */
export interface FunctionStats<S> {
  running_script: { name: S; command: S[]; duration_ms: number } | null;
  engines: RedisRecord<{ libraries_count: number; functions_count: number }>;
}

/** `FUNCTION LIST`. */
export function functionList<S extends StringType>(reply: RESPValue): FunctionLibrary<S>[] {
  return mapArray(
    reply,
    (library) =>
      toRecord(library, (v, key) => (key === "functions" ? mapArray(v, (f) => toRecord(f)) : v)) as unknown as FunctionLibrary<S>,
  );
}

/** `FUNCTION STATS`. */
export function functionStats<S extends StringType>(reply: RESPValue): FunctionStats<S> {
  return toRecord(reply, (v, key) => {
    if (key === "running_script") return v === null ? null : toRecord(v);
    if (key === "engines") return toRecord(v, (engine) => toRecord(engine));
    return v;
  }) as unknown as FunctionStats<S>;
}
