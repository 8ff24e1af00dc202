/**
 * `Monitor`: MONITOR on a leased connection, as an async iterable of the commands the server runs.
 *
 * ```ts
 * await using monitor = await client.monitor().connect(); // MONITOR is on once this resolves
 * for await (const command of monitor) {
 *   console.log(command.time, command.db, command.client, command.args); // 1700000000.123456 0 "127.0.0.1:50000" ["SET", "k", "v"]
 *   if (done) break;                                                       // closes its connection
 * }
 * ```
 *
 * - The connection is leased from the client's pool (it counts against `maxConnections`) on
 *   `connect()` or when iteration starts, and MONITOR is sent on it. A connection that ran
 *   MONITOR cannot go back to normal use: `close()`, `await using` and `break` close it.
 * - Lines arrive as the server runs commands; each is parsed into a {@link MonitorCommand}.
 *   Lines in another format are skipped (counted in {@link Monitor.skipped}).
 * - A reader that falls behind by more than `maxBufferedCommands` loses the oldest commands
 *   (counted in {@link Monitor.dropped}): MONITOR can produce far more than a reader takes.
 * - There is no reconnection: when the connection is lost, iteration throws the connection's
 *   error after the commands already buffered (a gap in a MONITOR trace is worth knowing about).
 *
 * @module
 */
import { ClientClosedError, ConnectionError, RedisError } from "../errors.js";
import { assertInteger } from "../internal/validate.js";
import type { Lease, LeaseSource } from "../pool/target.js";
import type { PushMessage } from "../protocol/values.js";
import { Attachment } from "./attachment.js";
import { ItemQueue } from "./item-queue.js";
import { parseMonitorLine, type MonitorCommand } from "./monitor-line.js";

export type { MonitorCommand } from "./monitor-line.js";

/** Options of a {@link Monitor}. */
export interface MonitorOptions {
  /**
   * The most commands kept for a reader that has not read them yet; past that the oldest are
   * dropped (see {@link Monitor.dropped}). @defaultValue 10 000
   */
  maxBufferedCommands?: number;
}

const DEFAULT_MAX_BUFFERED = 10_000;

/** MONITOR's stream of commands; see the module's description. Made by `client.monitor()`. */
export class Monitor implements AsyncIterable<MonitorCommand>, AsyncDisposable {
  readonly #source: LeaseSource;
  readonly #queue: ItemQueue<MonitorCommand>;
  #starting: Promise<void> | undefined;
  #leasing: AbortController | undefined;
  #attachment: Attachment | undefined;
  #closed = false;
  #skipped = 0;

  /** @throws {InvalidArgumentError} when `maxBufferedCommands` is not a positive integer. */
  constructor(source: LeaseSource, options: MonitorOptions = {}) {
    assertInteger("maxBufferedCommands", options.maxBufferedCommands, 1);
    this.#source = source;
    this.#queue = new ItemQueue<MonitorCommand>(options.maxBufferedCommands ?? DEFAULT_MAX_BUFFERED);
  }

  /** Commands dropped because the reader fell behind. */
  get dropped(): number {
    return this.#queue.dropped;
  }

  /** Lines that did not parse as a command, and were skipped. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Whether `close()` was called or the connection was lost. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Leases a connection and sends MONITOR; resolves once the server has confirmed, so commands
   * run from then on are seen. Idempotent.
   * @returns this monitor.
   * @throws {ClientClosedError} after `close()`, or when the client is closed.
   * @throws {TimeoutError} (phase `pool`) when the pool's timeout passes before a connection is free.
   * @throws {ResponseError} when the server refuses MONITOR (an ACL user without the permission).
   */
  async connect(): Promise<this> {
    if (this.#closed) throw new ClientClosedError("the monitor is closed");
    await this.#start();
    return this;
  }

  /**
   * The commands the server runs, from MONITOR's confirmation on, in its order. `break` closes
   * the monitor and its connection.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<MonitorCommand> {
    // A failure to start reaches the reader through the queue.
    this.#start().catch(ignore);
    return this.#queue.iterator(() => this.close());
  }

  /** Stops: closes the connection (it cannot leave MONITOR) and ends iteration. Idempotent. */
  close(): Promise<void> {
    if (this.#closed && this.#attachment === undefined) return Promise.resolve();
    this.#closed = true;
    this.#leasing?.abort();
    this.#queue.end();
    const attachment = this.#attachment;
    this.#attachment = undefined;
    attachment?.destroy();
    return Promise.resolve();
  }

  /** `await using monitor = client.monitor()`: the same as {@link Monitor.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #start(): Promise<void> {
    this.#starting ??= this.#open().catch((error: unknown) => {
      const failure = error instanceof RedisError ? error : new ConnectionError(String(error), { cause: error });
      this.#lost(failure);
      throw failure;
    });
    return this.#starting;
  }

  async #open(): Promise<void> {
    if (this.#closed) throw new ClientClosedError("the monitor is closed");
    const leasing = new AbortController();
    this.#leasing = leasing;
    let lease: Lease;
    try {
      lease = await this.#source.lease({ signal: leasing.signal });
    } catch (error) {
      // Aborted by close(): say so, not "aborted".
      if (this.#closed) throw new ClientClosedError("the monitor was closed before it started");
      throw error;
    } finally {
      if (this.#leasing === leasing) this.#leasing = undefined;
    }
    if (this.#closed) {
      lease.release();
      throw new ClientClosedError("the monitor was closed before it started");
    }
    const attachment = new Attachment(lease, {
      pushMode: "monitor",
      decodeStrings: true,
      onPush: (push) => this.#onPush(push),
      onClose: (error) => this.#lost(error ?? new ConnectionError(`${lease.connection.address} closed the connection`)),
    });
    this.#attachment = attachment;
    try {
      await attachment.call(["MONITOR"]);
    } catch (error) {
      attachment.destroy();
      throw error;
    }
    if (this.#closed) throw new ClientClosedError("the monitor was closed before it started");
  }

  #onPush(push: PushMessage): void {
    if (push[0] !== "monitor") return;
    const line = push[1];
    const command = typeof line === "string" ? parseMonitorLine(line) : undefined;
    if (command === undefined) this.#skipped++;
    else this.#queue.push(command);
  }

  /** The connection is gone (or never came): the reader gets what was buffered, then `error`. */
  #lost(error: RedisError): void {
    const wasClosed = this.#closed;
    this.#closed = true;
    this.#attachment?.destroy();
    this.#attachment = undefined;
    if (!wasClosed) this.#queue.end(error, false);
  }
}

function ignore(): void {}
