/**
 * Lua scripts and Redis functions as typed, reusable objects.
 *
 * `client.script<R>(lua)` gives a {@link Script}: its `call(keys, args)` sends EVALSHA (the
 * script's SHA-1, computed here), and only when Redis answers NOSCRIPT (first use, or after a
 * SCRIPT FLUSH or a restart) one SCRIPT LOAD, then EVALSHA again — never EVAL from then on. On a
 * pipeline, `pipeline.runScript(script, keys, args)` queues the EVALSHA and has the script loaded
 * ahead of the batch, in the same write. `client.function<R>(name)` does the same for FCALL /
 * FCALL_RO of a function loaded with FUNCTION LOAD.
 *
 * `R` is what the caller says the script returns: it is not checked, as Redis cannot tell.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { NoScriptError } from "../errors.js";
import type { RedisArgument, RESPValue } from "../protocol/values.js";

/** What a script runs through: any client (or client view) of this library. */
export interface ScriptClient {
  evalsha(sha1: RedisArgument, keys?: readonly RedisArgument[], args?: readonly RedisArgument[]): Promise<RESPValue>;
  evalshaRo(sha1: RedisArgument, keys?: readonly RedisArgument[], args?: readonly RedisArgument[]): Promise<RESPValue>;
  scriptLoad(script: RedisArgument): Promise<unknown>;
}

/** What a function runs through: any client (or client view) of this library. */
export interface FunctionClient {
  fcall(functionArg: RedisArgument, keys?: readonly RedisArgument[], args?: readonly RedisArgument[]): Promise<RESPValue>;
  fcallRo(functionArg: RedisArgument, keys?: readonly RedisArgument[], args?: readonly RedisArgument[]): Promise<RESPValue>;
}

/** Options of `client.script()` and `client.function()`. */
export interface ScriptOptions {
  /**
   * The script (function) only reads: it runs as EVALSHA_RO (FCALL_RO), which Redis refuses to let
   * write, and which the retry policy may repeat after a lost connection. @defaultValue false
   */
  readOnly?: boolean;
}

/** A Lua script bound to a client; see the module's description. */
export class Script<R = RESPValue> {
  /** The script's SHA-1, as EVALSHA names it (lower-case hex). */
  readonly sha: string;

  /** @internal Made by `client.script()`. */
  constructor(
    /** The script's source. */
    readonly lua: string,
    readonly client: ScriptClient,
    readonly options: ScriptOptions = {},
  ) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  /** Whether it runs as EVALSHA_RO. */
  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  /**
   * Runs the script with `keys` (KEYS) and `args` (ARGV): EVALSHA, and on NOSCRIPT one SCRIPT
   * LOAD and EVALSHA again.
   */
  async call(keys: readonly RedisArgument[] = [], args: readonly RedisArgument[] = []): Promise<R> {
    try {
      return (await this.#evalsha(keys, args)) as R;
    } catch (error) {
      if (!(error instanceof NoScriptError)) throw error;
      await this.client.scriptLoad(this.lua);
      return (await this.#evalsha(keys, args)) as R;
    }
  }

  #evalsha(keys: readonly RedisArgument[], args: readonly RedisArgument[]): Promise<RESPValue> {
    return this.readOnly ? this.client.evalshaRo(this.sha, keys, args) : this.client.evalsha(this.sha, keys, args);
  }
}

/** A Redis function (FUNCTION LOAD) bound to a client, typed by its caller. */
export class RedisFunction<R = RESPValue> {
  /** @internal Made by `client.function()`. */
  constructor(
    /** The function's name. */
    readonly name: string,
    readonly client: FunctionClient,
    readonly options: ScriptOptions = {},
  ) {}

  /** Whether it runs as FCALL_RO. */
  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  /** Runs the function with `keys` and `args`: FCALL (or FCALL_RO). */
  async call(keys: readonly RedisArgument[] = [], args: readonly RedisArgument[] = []): Promise<R> {
    const reply = this.readOnly ? this.client.fcallRo(this.name, keys, args) : this.client.fcall(this.name, keys, args);
    return (await reply) as R;
  }
}
