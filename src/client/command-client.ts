/**
 * `CommandClient`: the typed command surface bound to a {@link ClientCore}, with a decoding mode
 * and per-call options. `Redis` is one; `withOptions()` and `decoding()` return light views that
 * share the same core (pool, life cycle), so a view costs one small object.
 *
 * @module
 */
import type { CommandSpec } from "../commands/command-spec.js";
import type { StringType } from "../commands/executor.js";
import { RedisCommands } from "../commands/generated/commands.js";
import type { ScanOptions } from "../commands/generated/generic.js";
import { commandSpecForArgv } from "../commands/generated/table.js";
import { CONNECTION_STATE_COMMANDS, needsDedicatedConnection } from "../commands/routing.js";
import { InvalidArgumentError } from "../errors.js";
import type { RedisArgument, ReplyTransform, RESPValue } from "../protocol/values.js";
import { ClusterBatchRunner } from "../pipeline/cluster-batch.js";
import { LeasedBatchRunner, Pipeline, type PipelineOptions } from "../pipeline/pipeline.js";
import { RedisFunction, Script, type ScriptOptions } from "../pipeline/script.js";
import { runTransaction, type TransactionBody, type TransactionOptions } from "../pipeline/transaction.js";
import { Monitor, type MonitorOptions } from "../pubsub/monitor.js";
import { PubSub, type PubSubOptions } from "../pubsub/pubsub.js";
import type { ClientCache } from "../cache/client-cache.js";
import type { CallOptions, ClientCore, RoutedCallOptions } from "./client-core.js";

/** The typed commands of a client, bound to its core. */
export abstract class CommandClient<S extends StringType = string> extends RedisCommands<S> {
  /** @internal */
  protected readonly core: ClientCore;
  readonly #decodeStrings: boolean;
  readonly #call: RoutedCallOptions | undefined;

  /** Subclasses supply the core they share; see `Redis`. */
  constructor(core: ClientCore, decodeStrings: boolean, call: RoutedCallOptions | undefined) {
    super();
    this.core = core;
    this.#decodeStrings = decodeStrings;
    this.#call = call;
  }

  /**
   * The seam the generated methods call (see `CommandsBase`). A command whose reply is binary by
   * nature (`spec.binaryReply`: DUMP, FUNCTION DUMP) is read as Buffers whatever this client's
   * decoding.
   *
   * Deliberately not tagged internal (nor may this comment spell the tag: `stripInternal` looks
   * for its text): stripped, this override would vanish from the declarations while the abstract
   * member it implements stays in `CommandsBase`'s, and every concrete client (`Redis`) would fail
   * to compile for a consumer who checks libraries (`skipLibCheck: false`, TS2515). Stripping the
   * abstract member too would hide the documented seam that other command surfaces implement;
   * `protected` keeps it off the callable surface all the same.
   */
  protected override executeCommand<T>(
    spec: CommandSpec,
    argv: RedisArgument[],
    transform: ReplyTransform<T> | undefined,
  ): Promise<T> {
    const decodeStrings = this.#decodeStrings && spec.binaryReply !== true;
    return this.core.planner.execute(spec, argv, transform, decodeStrings, needsDedicatedConnection(spec, argv), this.#call);
  }

  /**
   * Sends any command, untyped: the escape hatch for commands this version does not know.
   * Blocking commands still get a connection of their own. Commands that change the state of a
   * connection (SELECT, SUBSCRIBE, MULTI …) are refused here: on a shared connection they would
   * change it for every other caller.
   * @throws {InvalidArgumentError} for a connection-state command or an empty argv.
   */
  sendCommand(argv: readonly RedisArgument[]): Promise<RESPValue> {
    if (argv.length === 0) return Promise.reject(new InvalidArgumentError("sendCommand needs a command name"));
    const spec = commandSpecForArgv(argv);
    if (spec !== undefined && CONNECTION_STATE_COMMANDS.has(spec.name)) {
      return Promise.reject(
        new InvalidArgumentError(
          `${spec.name} changes connection state and cannot run on a shared connection; use the client's options, a pipeline or pubsub`,
        ),
      );
    }
    return this.core.planner.execute<RESPValue>(
      spec,
      argv,
      undefined,
      this.#decodeStrings && spec?.binaryReply !== true,
      needsDedicatedConnection(spec, argv),
      this.#call,
    );
  }

  /**
   * A view of this client whose commands all carry these options: an `AbortSignal` and a timeout
   * in milliseconds for the whole call.
   * @example
   * ```ts
   * const value = await client.withOptions({ timeout: 50 }).get("key");
   * ```
   */
  withOptions(options: CallOptions): CommandClient<S> {
    return new CommandView<S>(this.core, this.#decodeStrings, { ...this.#call, ...options });
  }

  /**
   * A pipeline: commands queued locally on the same typed surface as the client, sent together by
   * `exec()`: in one write on the client's shared connection when the batch fits one (up to 1 024
   * commands, none blocking, no script) and program order allows it there; else on a connection
   * leased for it, in bounded chunks. With `transaction: true` they run as one MULTI … EXEC.
   * Non-transactional by default. Program order per key holds: the pipeline runs after this client's earlier calls on
   * its keys, and the client's later calls on them run after it.
   *
   * The view's `timeout` and `signal` bound the wait for the pipeline's connection.
   * @example
   * ```ts
   * const [ok, n, v] = await client.pipeline().set("a", "1").incr("n").get("a").exec(); // ["OK", number, string | null]
   * const [n2] = await client.pipeline({ transaction: true }).incr("n").exec();
   * ```
   */
  pipeline(options: PipelineOptions = {}): Pipeline<S> {
    const call = this.#call;
    const lease = call === undefined ? {} : { signal: call.signal, timeoutMs: call.timeout };
    const runner = this.core.routed ? new ClusterBatchRunner(this.core, lease) : new LeasedBatchRunner(this.core, lease);
    return new Pipeline<S>(runner, this.#decodeStrings, options);
  }

  /**
   * An optimistic transaction: WATCH `watches`, run `fn` (its `tx` runs commands at once on the
   * transaction's connection; `tx.multi()` queues what EXEC runs), then MULTI … EXEC. When a
   * watched key changed meanwhile, `fn` runs again, up to `retries` times (default 3), before the
   * call rejects with `WatchError`.
   * @returns EXEC's replies — typed when `fn` returns the pipeline of `tx.multi()`; an empty array
   *   when `fn` queued nothing.
   * @example
   * ```ts
   * const [balance] = await client.transaction(async (tx) => {
   *   const current = Number(await tx.get("balance"));
   *   return tx.multi().set("balance", String(current - 10)).get("balance");
   * }, { watches: ["balance"] });
   * ```
   */
  transaction<R extends readonly unknown[] = unknown[]>(fn: TransactionBody<S, R>, options: TransactionOptions = {}): Promise<R> {
    return runTransaction<S, R>(this.core, this.#decodeStrings, fn, options);
  }

  /**
   * A Lua script bound to this client: `call(keys, args)` runs EVALSHA, loading the script once
   * when Redis does not have it (NOSCRIPT). `R` is the reply type the caller expects. On a
   * pipeline: `pipeline.runScript(script, keys, args)`.
   * @example
   * ```ts
   * const incrBy = client.script<number>("return redis.call('INCRBY', KEYS[1], ARGV[1])");
   * const n = await incrBy.call(["counter"], [5]);
   * ```
   */
  script<R = RESPValue>(lua: string, options: ScriptOptions = {}): Script<R> {
    return new Script<R>(lua, this, options);
  }

  /**
   * A Redis function (loaded with `functionLoad`) bound to this client: `call(keys, args)` runs
   * FCALL, or FCALL_RO with `readOnly: true`. `R` is the reply type the caller expects.
   * @example
   * ```ts
   * await client.functionLoad("#!lua name=lib\nredis.register_function('hello', function() return 'hi' end)", { replace: true });
   * const hello = client.function<string>("hello");
   * const greeting = await hello.call(); // "hi"
   * ```
   */
  function<R = RESPValue>(name: string, options: ScriptOptions = {}): RedisFunction<R> {
    return new RedisFunction<R>(name, this, options);
  }

  /**
   * A pubsub instance on a connection of its own (leased from the pool until `close()`),
   * subscribed at once to `channels` and `patterns`. Messages decode as this client does.
   * @example
   * ```ts
   * await using ps = client.pubsub({ channels: ["news"], patterns: ["user:*"] });
   * for await (const message of ps) console.log(message.channel, message.data);
   * ```
   */
  pubsub(options: PubSubOptions = {}): PubSub<S> {
    return new PubSub<S>(this.core, this.#decodeStrings, options);
  }

  /**
   * MONITOR on a connection of its own, as an async iterable of the commands the server runs.
   * `break` out of the loop, or `close()`, ends it and closes its connection.
   */
  monitor(options: MonitorOptions = {}): Monitor {
    return new Monitor(this.core, options);
  }

  /**
   * Every key of the database, by SCAN: each key once if it exists throughout (SCAN's own
   * guarantee; keys added or removed meanwhile may or may not appear). `match`, `count` and
   * `type` are SCAN's. On a cluster, every primary is scanned in turn.
   * @example
   * ```ts
   * for await (const key of client.scanIterator({ match: "user:*", count: 500 })) console.log(key);
   * ```
   */
  async *scanIterator(options: ScanOptions = {}): AsyncGenerator<S, void, undefined> {
    let cursor: RedisArgument = "0";
    do {
      const [next, keys] = await this.scan(cursor, options);
      yield* keys;
      cursor = typeof next === "string" ? next : next.toString("latin1");
    } while (cursor !== "0");
  }

  /** A view of this client that decodes replies to strings (`true`) or keeps Buffers (`false`). */
  decoding(decodeResponses: false): CommandClient<Buffer>;
  decoding(decodeResponses: true): CommandClient;
  decoding(decodeResponses: boolean): CommandClient<StringType> {
    return new CommandView<StringType>(this.core, decodeResponses, this.#call);
  }
}

/**
 * A client that owns its core's life cycle (`Redis`, `RedisCluster`), as opposed to the views it
 * makes: it connects, closes, and is disposed of by `await using`.
 */
export abstract class ConnectableClient<S extends StringType = string> extends CommandClient<S> {
  /** Whether the client holds a pool reference (after `connect()` or its first command). */
  get isConnected(): boolean {
    return this.core.isConnected;
  }

  /**
   * Takes a reference on the pool and opens its first connection (a cluster's: reads the
   * topology and connects to every primary). Idempotent. Commands connect on their own; call
   * this to fail fast on a wrong address or password.
   * @returns the client.
   */
  async connect(): Promise<this> {
    await this.core.connect();
    return this;
  }

  /**
   * The client-side cache, when the client was made with the `cache` option: its counters
   * (`stats`) and `clear()`. `undefined` otherwise.
   */
  get cache(): ClientCache | undefined {
    return this.core.cache;
  }

  /** Gives the pool reference back; a pool this client created is closed. */
  close(): Promise<void> {
    return this.core.close();
  }

  /** `await using client = …`: the same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A view made by `withOptions()`, `decoding()` or a cluster's `forNode()`; its life cycle is its client's. */
export class CommandView<S extends StringType> extends CommandClient<S> {}
