/**
 * `BaseConnection`: one byte stream to one Redis server, and every request in flight on it.
 *
 * It owns the handshake, the queue of requests awaiting replies, write coalescing, push routing,
 * the stream timeout and its own life cycle. Subclasses supply only {@link BaseConnection.openStream}.
 *
 * Invariants:
 * - Replies arrive in the order requests were written. `#pending` holds exactly the written
 *   requests whose replies have not been read, in write order, so the head of `#pending` owns the
 *   next reply. A request given up after it was written stays in `#pending` as `abandoned`; its
 *   reply is read and dropped, so later requests still get their own replies.
 * - Requests issued during one turn of the event loop go out in one socket write: `send()` only
 *   queues; a `process.nextTick` flush encodes and writes everything queued.
 * - A connection that cannot trust its byte stream any more (socket error, malformed frame,
 *   stalled server) is destroyed, and every request still on it is rejected with a typed error.
 *
 * @module
 */
import type { Duplex } from "node:stream";
import {
  ClientClosedError,
  ConnectionError,
  InvalidArgumentError,
  ProtocolError,
  RedisError,
  ResponseError,
  TimeoutError,
} from "../errors.js";
import { Fifo } from "../internal/fifo.js";
import { CommandEncoder, type EncodedChunk } from "../protocol/encoder.js";
import { RESPDecoder } from "../protocol/decoder.js";
import type { PushMessage, RedisArgument, RESPValue, RESPVersion } from "../protocol/values.js";
import {
  courtesyCommands,
  credentialsFrom,
  helloCommand,
  isHelloRefusal,
  requiredTailCommands,
  resp2Commands,
  type CredentialProvider,
  type HandshakeSettings,
} from "./handshake.js";
import type { Location } from "./location.js";
import { Request, RequestState } from "./request.js";
import { LIBRARY_NAME, LIBRARY_VERSION } from "./version.js";

/** Options every connection understands. Durations are milliseconds. */
export interface BaseConnectionOptions {
  /** Where the connection goes; named in error messages. Custom connections may leave it out. */
  location?: Location;
  /** ACL username; Redis's `default` user when left out. */
  username?: string;
  /** Password for `username` (or for `requirepass`). */
  password?: string;
  /** Supplies credentials for each new connection; wins over `username`/`password`. */
  credentialProvider?: CredentialProvider;
  /** Database index selected after the handshake. @defaultValue 0 */
  db?: number;
  /** RESP version to speak; 3 falls back to 2 when the server refuses HELLO. @defaultValue 3 */
  protocolVersion?: RESPVersion;
  /** Name given with `CLIENT SETNAME` (or HELLO's SETNAME). */
  clientName?: string;
  /** Milliseconds to open the stream and finish the handshake. @defaultValue 10 000 */
  connectTimeout?: number;
  /**
   * Milliseconds a connection with replies outstanding may go without receiving a byte before it
   * is declared stalled, failed with a {@link TimeoutError} and discarded. Blocking commands are
   * exempt: they wait on purpose. @defaultValue no limit
   */
  streamTimeout?: number;
  /** Send `CLIENT NO-EVICT ON` after the handshake. */
  noevict?: boolean;
  /** Send `CLIENT NO-TOUCH ON` after the handshake (Redis 7.2+). */
  notouch?: boolean;
  /**
   * More commands for the handshake, sent after SELECT and before any request is written (a
   * feature's `CLIENT TRACKING ON`, a replica's `READONLY`). An error reply to one fails the
   * connection. Subclasses may add their own through {@link BaseConnection.handshakeCommands}.
   */
  handshakeCommands?: readonly (readonly RedisArgument[])[];
  /**
   * Questions the server must answer right before the connection is ready, after the
   * handshake's commands: a sentinel-managed connection asks ROLE, and refuses a server that is
   * no longer the primary. A check that names a problem fails the connection as never used
   * (`ConnectionError`, `written: false`), so requests waiting for it may go elsewhere.
   */
  handshakeChecks?: readonly HandshakeCheck[];
  /** Largest reply accepted, in bytes; larger ones fail with a {@link ProtocolError}. @defaultValue 512 MiB */
  maxReplyBytes?: number;
  /**
   * Fire and forget: the connection sends `CLIENT REPLY OFF` after its handshake, so Redis sends
   * no replies at all, and each request resolves to `null` once it is written — whatever its
   * method's reply type says. Errors from Redis are not reported either.
   */
  noreply?: boolean;
}

/** A question a new connection asks before it is ready; see `BaseConnectionOptions.handshakeChecks`. */
export interface HandshakeCheck {
  /** The command to send (its reply decoded to strings). */
  readonly command: readonly RedisArgument[];
  /** What is wrong with the reply (an error reply included), or `undefined` when it is as required. */
  verify(reply: RESPValue): string | undefined;
}

/** Receives push messages; see {@link BaseConnection.addPushListener}. */
export type PushListener = (message: PushMessage) => void;

/**
 * What a connection treats as push messages besides RESP3's push frames:
 * - `"none"`: nothing else (the default). A reply nobody waits for is a protocol error.
 * - `"subscribed"`: the connection is in subscribed mode (a pubsub instance holds it). Under RESP2,
 *   where messages and (un)subscribe confirmations are plain arrays, a top-level array whose
 *   first element names a pubsub kind (`message`, `pmessage`, `smessage`, `subscribe` …) is a push.
 * - `"monitor"`: after MONITOR, each reply that no request waits for is pushed as
 *   `["monitor", line]`.
 */
export type PushMode = "none" | "subscribed" | "monitor";

/** The first elements of RESP2 arrays that are pubsub pushes in subscribed mode (Redis sends them lower-case). */
const PUBSUB_KIND_NAMES = [
  "message",
  "pmessage",
  "smessage",
  "subscribe",
  "unsubscribe",
  "psubscribe",
  "punsubscribe",
  "ssubscribe",
  "sunsubscribe",
] as const;
const PUBSUB_KINDS: ReadonlySet<string> = new Set(PUBSUB_KIND_NAMES);
const PUBSUB_KIND_BYTES: readonly Buffer[] = PUBSUB_KIND_NAMES.map((name) => Buffer.from(name, "latin1"));

/** Told when a connection closes; see {@link BaseConnection.addCloseListener}. */
export type CloseListener = (error: RedisError | undefined) => void;

/** What a connection tells its owner (a pool) about itself. */
export interface ConnectionObserver {
  /** The connection closed, on purpose (`error` undefined) or not. Called once. */
  onClose(connection: BaseConnection, error: RedisError | undefined): void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** How long a graceful close waits for replies in flight before it closes at once. */
const CLOSE_GRACE_MS = 5_000;

/** Life-cycle states, in order: a connection only moves forward through them. */
const ConnectionState = {
  New: 0,
  Connecting: 1,
  /** The stream is open and the handshake is being written; user requests are not accepted yet. */
  Handshaking: 2,
  Ready: 3,
  /** Graceful close: no new requests, waiting for the replies in flight. */
  Closing: 4,
  Closed: 5,
} as const;
type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

/**
 * One connection to Redis. Subclass it and implement {@link BaseConnection.openStream} to carry
 * RESP over any byte stream; everything else is shared.
 *
 * @example
 * ```ts
 * import { Socket } from "node:net";
 * import { BaseConnection, type BaseConnectionOptions } from "coredis";
 *
 * class LoggedConnection extends BaseConnection {
 *   constructor(readonly options: BaseConnectionOptions & { port: number; tag: string }) { super(options); }
 *   protected override openStream(): Promise<Socket> {
 *     return new Promise((resolve, reject) => {
 *       const socket = new Socket().once("error", reject).connect(this.options.port, "127.0.0.1", () => resolve(socket));
 *     });
 *   }
 * }
 * ```
 */
export abstract class BaseConnection {
  /** The observer the owning pool installs. */
  observer: ConnectionObserver | undefined;
  /**
   * Whether push messages decode their strings (true) or keep Buffers; in subscribed mode, the
   * replies of the connection's own requests too. @defaultValue true
   */
  pushDecodeStrings = true;
  /**
   * Every consumer of push messages (pubsub, cache invalidations), in the order they were added.
   * Replaced, never changed in place, so a push can walk it while a listener removes itself.
   */
  #pushListeners: readonly PushListener[] = [];
  #closeListeners: readonly CloseListener[] = [];
  /** What, besides RESP3 push frames, is a push message on this connection; see {@link PushMode}. */
  pushMode: PushMode = "none";

  readonly #options: BaseConnectionOptions;
  #state: ConnectionState = ConnectionState.New;
  #stream: Duplex | undefined;
  #connecting: Promise<void> | undefined;
  #protocolVersion: RESPVersion;
  #serverVersion: string | undefined;
  #clientId: number | undefined;

  readonly #encoder = new CommandEncoder();
  readonly #decoder: RESPDecoder;
  /** Written requests awaiting replies, in write order (see the module's invariants). */
  readonly #pending = new Fifo<Request>(64);
  /** Requests queued by `send()` since the last flush; not yet encoded. */
  #unflushed: Request[] = [];
  /** The array `flush()` swaps in for `#unflushed`: two arrays reused, not one made per flush. */
  #spareUnflushed: Request[] = [];
  #flushScheduled = false;
  #pendingBlocking = 0;
  /** Set once `CLIENT REPLY OFF` is sent: requests settle on write (see `noreply`). */
  #noreply = false;
  #stallTimer: NodeJS.Timeout | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  /** `performance.now()` when the connection last received bytes or became idle. */
  #lastActivityMs = 0;

  constructor(options: BaseConnectionOptions) {
    this.#options = options;
    this.#protocolVersion = options.protocolVersion ?? 3;
    this.#decoder = new RESPDecoder(
      {
        decodeStrings: (isPush) =>
          isPush || this.pushMode !== "none" ? this.pushDecodeStrings : (this.#pending.peek()?.decodeStrings ?? true),
        onReply: (value) => this.#onReply(value),
        onPush: (message) => this.#push(message),
      },
      options.maxReplyBytes === undefined ? {} : { maxReplyBytes: options.maxReplyBytes },
    );
  }

  /**
   * Opens the byte stream to the server. Resolve once it is connected (for TLS: once the secure
   * channel is up); reject on failure. The signal fires when the connect timeout passes or the
   * connection is closed first: stop and release what was opened. The connection writes Buffers
   * and, for long string arguments, strings, to be sent as UTF-8 (as a socket does).
   */
  protected abstract openStream(signal: AbortSignal): Promise<Duplex>;

  /**
   * Adds a consumer of push messages: RESP3 push frames on any connection (pubsub messages, cache
   * invalidations), and what the {@link PushMode} makes pushes. Every listener sees every push,
   * and picks what is its own. A push is never taken as a reply.
   * @returns a function that removes the listener.
   */
  addPushListener(listener: PushListener): () => void {
    this.#pushListeners = [...this.#pushListeners, listener];
    return () => {
      this.#pushListeners = this.#pushListeners.filter((candidate) => candidate !== listener);
    };
  }

  /**
   * Adds a listener told once when the connection closes, on purpose (`error` undefined) or not,
   * after its requests were failed and after the pool's observer: a feature holding the
   * connection (pubsub) sees the loss at once, not at its next keep-alive.
   * @returns a function that removes the listener.
   */
  addCloseListener(listener: CloseListener): () => void {
    this.#closeListeners = [...this.#closeListeners, listener];
    return () => {
      this.#closeListeners = this.#closeListeners.filter((candidate) => candidate !== listener);
    };
  }

  #push(message: PushMessage): void {
    for (const listener of this.#pushListeners) listener(message);
  }

  /**
   * Commands sent after the built-in handshake and before any request: by default the
   * `handshakeCommands` option's. Subclasses override this to add their own (a replica
   * connection's READONLY), keeping the option's. An error reply fails the connection.
   */
  protected handshakeCommands(): readonly (readonly RedisArgument[])[] {
    return this.#options.handshakeCommands ?? [];
  }

  /** The server's address, for messages: the location, or the class name of a custom connection. */
  get address(): string {
    return this.#options.location?.toString() ?? this.constructor.name;
  }

  /** The protocol spoken once the handshake is done (3, or 2 after a fallback). */
  get protocolVersion(): RESPVersion {
    return this.#protocolVersion;
  }

  /** The server's version, from HELLO; undefined under RESP2. */
  get serverVersion(): string | undefined {
    return this.#serverVersion;
  }

  /** The server's id for this connection, from HELLO; undefined under RESP2. */
  get clientId(): number | undefined {
    return this.#clientId;
  }

  /** Whether the connection is closing or closed. */
  get isClosed(): boolean {
    return this.#state >= ConnectionState.Closing;
  }

  /** Requests written or queued whose replies have not arrived. */
  get pendingCount(): number {
    return this.#pending.length + this.#unflushed.length;
  }

  /**
   * Bytes accepted for writing that the socket has not handed to the kernel yet (a long string
   * argument counts its UTF-16 units there: close enough to tell a backed-up connection).
   */
  get bufferedWriteBytes(): number {
    return (this.#stream?.writableLength ?? 0) + this.#encoder.pendingBytes;
  }

  /** Bytes of a reply that is arriving but not complete yet. */
  get partialReplyBytes(): number {
    return this.#decoder.partialBytes;
  }

  /** `performance.now()` of the last byte received (or of becoming ready). */
  get lastActivityMs(): number {
    return this.#lastActivityMs;
  }

  /**
   * Opens the stream and performs the handshake. Idempotent: every call returns the same promise.
   * @throws {TimeoutError} (phase `connect`) when `connectTimeout` passes first.
   * @throws {AuthenticationError} when the server refuses the credentials.
   * @throws {ConnectionError} when the stream cannot be opened.
   */
  connect(): Promise<void> {
    if (this.#connecting === undefined && this.#state !== ConnectionState.New) {
      // Closed before it ever connected: states only move forward, so it stays closed.
      return Promise.reject(this.#unwrittenError());
    }
    this.#connecting ??= this.#open();
    return this.#connecting;
  }

  /**
   * Queues a request for the next write. Requests on a connection that is not ready are failed
   * as unwritten (safe to retry elsewhere).
   */
  send(request: Request): void {
    if (this.#state !== ConnectionState.Ready) {
      request.fail(this.#unwrittenError());
      return;
    }
    request.state = RequestState.Queued;
    this.#unflushed.push(request);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(flushConnection, this);
    }
  }

  /** Calls `visit` for every request written or queued on the connection, oldest first. */
  forEachRequest(visit: (request: Request) => void): void {
    this.#pending.forEach(visit);
    for (const request of this.#unflushed) visit(request);
  }

  /**
   * Gives up a request that its caller no longer waits for. An unwritten request is removed
   * without a trace (`"removed"`); a written one is marked abandoned, and its reply will be read
   * and dropped (`"abandoned"`). A connection holding a written blocking request should then be
   * destroyed, or Redis would still act on it.
   */
  cancel(request: Request): "removed" | "abandoned" | "none" {
    if (request.state === RequestState.Queued) {
      const index = this.#unflushed.indexOf(request);
      if (index !== -1) {
        this.#unflushed.splice(index, 1);
        request.state = RequestState.Created;
        return "removed";
      }
    }
    if (request.state === RequestState.Written) {
      request.state = RequestState.Abandoned;
      return "abandoned";
    }
    return "none";
  }

  /**
   * Closes gracefully: accepts nothing new, lets the replies in flight arrive (for 5 s at most),
   * then ends the stream. Requests that wait on purpose (blocking commands) are not waited for: the connection
   * is destroyed and they fail with a {@link ClientClosedError}.
   */
  close(): Promise<void> {
    if (this.#state === ConnectionState.Closed) return Promise.resolve();
    if (this.#closed !== undefined) return this.#closed;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    if (this.#state !== ConnectionState.Ready || this.#pendingBlocking > 0) {
      // Blocking commands may wait for minutes: waiting for them would make close() hang.
      this.destroy(new ClientClosedError(`connection to ${this.address} was closed`));
    } else {
      this.#state = ConnectionState.Closing;
      // Replies in flight get a grace period; a server that stalls (or never answers our FIN)
      // must not make close() hang.
      this.#closeTimer = setTimeout(() => {
        this.destroy(new ClientClosedError(`connection to ${this.address} was closed before its replies arrived`));
      }, CLOSE_GRACE_MS);
      this.#closeTimer.unref();
      this.#endIfDrained();
    }
    return this.#closed;
  }

  /**
   * Closes at once. Every request still on the connection is rejected with `error` (or a
   * {@link ConnectionError}); unwritten ones are marked safe to retry.
   */
  destroy(error?: RedisError): void {
    if (this.#state === ConnectionState.Closed) return;
    this.#state = ConnectionState.Closed;
    clearTimeout(this.#stallTimer);
    clearTimeout(this.#closeTimer);
    this.#stream?.destroy();
    // Both queues are emptied before any request hears of it, and the written ones (issued
    // earlier) fail first: requests retried elsewhere are retried in the order they were issued.
    const written = this.#pending.drain();
    const unflushed = this.#unflushed;
    this.#unflushed = [];
    for (const request of written) {
      if (request.state === RequestState.Written) request.fail(this.#writtenError(error));
      else if (request.state === RequestState.Abandoned) request.abandonedDone();
    }
    // Requests never written are safe to retry elsewhere, unless the owner closed on purpose.
    for (const request of unflushed) {
      request.fail(error instanceof ClientClosedError ? error : this.#unwrittenError(error));
    }
    this.#resolveClosed?.();
    this.#closed ??= Promise.resolve();
    this.observer?.onClose(this, error);
    const listeners = this.#closeListeners;
    this.#closeListeners = [];
    for (const listener of listeners) listener(error);
  }

  /** Encodes and writes everything queued since the last flush, in one write. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#state < ConnectionState.Handshaking || this.#state === ConnectionState.Closed) return;
    const requests = this.#unflushed;
    if (requests.length === 0) return;
    this.#unflushed = this.#spareUnflushed;
    try {
      this.#writeRequests(requests);
    } finally {
      requests.length = 0;
      this.#spareUnflushed = requests;
    }
  }

  /** Encodes `requests`, writes them in one write and moves them to `#pending`. */
  #writeRequests(requests: readonly Request[]): void {
    for (const request of requests) {
      try {
        this.#encoder.encode(request.argv);
      } catch (error) {
        // An argument that cannot be encoded (NaN) fails its own request only; the encoder has
        // rolled that command back, so the stream stays whole.
        request.fail(error instanceof RedisError ? error : new InvalidArgumentError(String(error)));
        continue;
      }
      request.state = RequestState.Written;
      if (this.#noreply) continue;
      if (request.blocking) this.#pendingBlocking++;
      this.#pending.push(request);
    }
    this.#writeChunks(this.#encoder.take());
    if (this.#noreply) {
      // No reply will come: each written request is done (see BaseConnectionOptions.noreply).
      for (const request of requests) if (request.state === RequestState.Written) request.settle(null);
    } else {
      this.#armStallTimer();
    }
  }

  async #open(): Promise<void> {
    this.#state = ConnectionState.Connecting;
    const timeoutMs = this.#options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      const error = new TimeoutError(`connecting to ${this.address} timed out after ${timeoutMs} ms`, "connect");
      abort.abort(error);
      this.destroy(error);
    }, timeoutMs);
    try {
      const stream = await raceAbort(this.openStream(abort.signal), abort.signal);
      if (this.#state !== ConnectionState.Connecting) {
        stream.destroy();
        throw abort.signal.reason instanceof RedisError ? abort.signal.reason : this.#unwrittenError();
      }
      this.#attach(stream);
      this.#state = ConnectionState.Handshaking;
      await this.#handshake();
      if (this.#state !== ConnectionState.Handshaking) throw this.#unwrittenError();
      this.#state = ConnectionState.Ready;
      this.#lastActivityMs = performance.now();
    } catch (error) {
      const failure = toConnectError(error, this.address);
      this.destroy(failure);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  #attach(stream: Duplex): void {
    this.#stream = stream;
    stream.on("data", (chunk: Buffer) => this.#onData(chunk));
    stream.on("error", (error: Error) => {
      this.destroy(new ConnectionError(`connection to ${this.address} failed: ${error.message}`, { cause: error }));
    });
    // The server closed its side (CLIENT KILL, its idle `timeout`, a restart): it will read
    // nothing more, so the connection is out of service now, before anything else is written on
    // it. Requests queued but not written are then safe to send elsewhere.
    stream.on("end", () => {
      if (this.#state === ConnectionState.Closing && this.pendingCount === 0) this.destroy();
      else this.destroy(new ConnectionError(`${this.address} closed the connection`));
    });
    stream.on("close", () => {
      this.destroy(
        this.#state === ConnectionState.Closing ? undefined : new ConnectionError(`connection to ${this.address} closed`),
      );
    });
  }

  async #handshake(): Promise<void> {
    const options = this.#options;
    const credentials = await credentialsFrom(options);
    const settings: HandshakeSettings = {
      protocolVersion: this.#protocolVersion,
      credentials,
      clientName: options.clientName,
      db: options.db ?? 0,
      noevict: options.noevict ?? false,
      notouch: options.notouch ?? false,
      libName: LIBRARY_NAME,
      libVersion: LIBRARY_VERSION,
    };
    let opening: RedisArgument[][] = [];
    if (settings.protocolVersion === 3) {
      const [hello] = await this.#exchange([helloCommand(settings)]);
      if (hello instanceof ResponseError && isHelloRefusal(hello.message)) {
        this.#protocolVersion = 2;
        opening = resp2Commands(settings);
      } else if (hello instanceof ResponseError) {
        throw hello;
      } else {
        this.#readHello(hello);
      }
    } else {
      opening = resp2Commands(settings);
    }
    const required = [...opening, ...requiredTailCommands(settings), ...this.handshakeCommands()];
    const checks = options.handshakeChecks ?? [];
    const replies = await this.#exchange([...required, ...checks.map((check) => check.command), ...courtesyCommands(settings)]);
    for (let i = 0; i < required.length; i++) {
      const reply = replies[i];
      if (reply instanceof ResponseError) throw reply;
    }
    for (let i = 0; i < checks.length; i++) {
      const problem = (checks[i] as HandshakeCheck).verify(replies[required.length + i] as RESPValue);
      if (problem !== undefined) throw new ConnectionError(`${this.address} ${problem}`, { written: false });
    }
    if (options.noreply === true) {
      // Written last and alone: Redis answers nothing from here on, this command included.
      this.#encoder.encode(["CLIENT", "REPLY", "OFF"]);
      this.#writeChunks(this.#encoder.take());
      this.#noreply = true;
    }
  }

  #readHello(reply: RESPValue | undefined): void {
    if (!(reply instanceof Map)) return;
    const version = reply.get("version");
    const id = reply.get("id");
    if (typeof version === "string") this.#serverVersion = version;
    if (typeof id === "number") this.#clientId = id;
  }

  /**
   * Sends handshake commands in one write and returns their replies in order, error replies as
   * values. Bypasses the user queue, which is empty until the handshake is done.
   */
  #exchange(commands: readonly (readonly RedisArgument[])[]): Promise<RESPValue[]> {
    return new Promise((resolve, reject) => {
      const replies: RESPValue[] = [];
      const onReply = (value: unknown): void => {
        replies.push(value as RESPValue);
        if (replies.length === commands.length) resolve(replies);
      };
      const onError = (error: RedisError): void => {
        if (error instanceof ResponseError) onReply(error);
        else reject(error);
      };
      for (const argv of commands) this.#unflushed.push(new HandshakeRequest(argv, onReply, onError));
      this.flush();
    });
  }

  #onData(chunk: Buffer): void {
    this.#lastActivityMs = performance.now();
    try {
      this.#decoder.feed(chunk);
    } catch (error) {
      this.destroy(
        error instanceof RedisError
          ? error
          : new ProtocolError(`reply from ${this.address} could not be decoded`, { cause: error }),
      );
      return;
    }
    if (this.#stallTimer !== undefined) {
      if (this.#pending.length > this.#pendingBlocking) this.#stallTimer.refresh();
      else {
        clearTimeout(this.#stallTimer);
        this.#stallTimer = undefined;
      }
    }
    if (this.#state === ConnectionState.Closing) this.#endIfDrained();
  }

  #onReply(value: RESPValue): void {
    if (this.pushMode !== "none" && this.#isPushReply(value)) {
      this.#push(this.pushMode === "monitor" ? ["monitor", value] : (value as PushMessage));
      return;
    }
    let request = this.#pending.shift();
    // A request Redis answers only to refuse it (see `Request.unanswered`) was accepted when a
    // later request's reply comes first: it settles, and the reply is the next request's.
    while (request !== undefined && request.unanswered && !(value instanceof ResponseError)) {
      request.settle(null);
      request = this.#pending.shift();
    }
    if (request === undefined) {
      throw new ProtocolError(`${this.address} sent a reply that no request was waiting for`);
    }
    if (request.blocking) this.#pendingBlocking--;
    request.complete(value, this.#protocolVersion);
  }

  /** Whether a reply is a push message in this connection's {@link PushMode}. */
  #isPushReply(value: RESPValue): boolean {
    if (this.pushMode === "monitor") return this.#pending.length === 0;
    // Under RESP3 the server marks its pushes itself, and a reply may be any array.
    if (this.#protocolVersion === 3 || !Array.isArray(value) || value.length === 0) return false;
    const kind = value[0];
    if (typeof kind === "string") return PUBSUB_KINDS.has(kind);
    return Buffer.isBuffer(kind) && kind.length <= 12 && PUBSUB_KIND_BYTES.some((bytes) => bytes.equals(kind));
  }

  #writeChunks(chunks: readonly EncodedChunk[]): void {
    const stream = this.#stream;
    if (stream === undefined) return;
    if (chunks.length === 1) {
      stream.write(chunks[0]);
      return;
    }
    // cork/uncork turns the chunks into one writev system call.
    stream.cork();
    for (const chunk of chunks) stream.write(chunk);
    stream.uncork();
  }

  #armStallTimer(): void {
    const timeoutMs = this.#options.streamTimeout;
    if (timeoutMs === undefined || this.#stallTimer !== undefined) return;
    if (this.#pending.length <= this.#pendingBlocking) return;
    this.#stallTimer = setTimeout(() => {
      // A stall during the handshake is a failure to connect: no user request was written yet.
      const phase = this.#state === ConnectionState.Handshaking ? "connect" : "reply";
      this.destroy(new TimeoutError(`${this.address} sent nothing for ${timeoutMs} ms with replies outstanding`, phase));
    }, timeoutMs);
    this.#stallTimer.unref();
  }

  #endIfDrained(): void {
    if (this.#pending.length > 0 || this.#unflushed.length > 0) return;
    this.#stream?.end();
  }

  #unwrittenError(cause?: RedisError): ConnectionError {
    return new ConnectionError(`connection to ${this.address} is not open`, { written: false, cause });
  }

  /** A fresh error for one written request lost with the connection: no instance is shared. */
  #writtenError(cause: RedisError | undefined): RedisError {
    if (cause instanceof TimeoutError) return new TimeoutError(cause.message, cause.phase, { cause });
    if (cause instanceof ClientClosedError) return new ClientClosedError(cause.message, { cause });
    if (cause instanceof ProtocolError) return new ProtocolError(cause.message, { cause });
    if (cause === undefined) {
      return new ConnectionError(`connection to ${this.address} closed before the reply`, { written: true });
    }
    return new ConnectionError(cause.message, { written: true, cause });
  }
}

/** A handshake command: its error, a reply or not, goes to `onError` as it is. */
class HandshakeRequest extends Request {
  constructor(
    argv: readonly RedisArgument[],
    onReply: (value: unknown) => void,
    readonly onError: (error: RedisError) => void,
  ) {
    super(argv, true, undefined, onReply);
  }

  protected override deliverError(error: RedisError): void {
    this.onError(error);
  }
}

/** The nextTick callback of `send()`: a module function, so no closure is made per flush. */
function flushConnection(connection: BaseConnection): void {
  connection.flush();
}

/** Resolves with `promise`, or rejects with the signal's reason once it fires. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted && typeof (value as { destroy?: unknown }).destroy === "function") {
          // The stream opened after we gave up on it: close it rather than leak it.
          (value as { destroy(): void }).destroy();
        }
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Maps whatever failed a connect into a coredis error that names the location. */
function toConnectError(error: unknown, address: string): RedisError {
  if (error instanceof RedisError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectionError(`could not connect to ${address}: ${message}`, { cause: error, written: false });
}
