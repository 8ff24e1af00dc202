/**
 * The one error hierarchy of coredis.
 *
 * Every class sets `name` and a stable `code`. `instanceof` works across duplicate copies of the
 * package (an ESM and a CJS copy loaded side by side): each class brands its instances with a
 * `Symbol.for` key and checks the brand in `Symbol.hasInstance`.
 *
 * Messages name a location (`127.0.0.1:6379`) or a command name, never an options object or a
 * command's arguments, so credentials and payloads cannot leak into logs.
 *
 * @module
 */

const BRAND_PREFIX = "coredis.error.";
const brandSymbols = new Map<string, symbol>();

/** The registry symbol that brands instances of the class `name`, looked up once per class. */
function brandOf(name: string): symbol {
  let brand = brandSymbols.get(name);
  if (brand === undefined) {
    brand = Symbol.for(BRAND_PREFIX + name);
    brandSymbols.set(name, brand);
  }
  return brand;
}

const brandedClasses = new WeakSet<object>();

/**
 * Brands the prototypes of `ctor` and of every ancestor up to {@link RedisError}, once per class,
 * so `instanceof` holds even when the checking class comes from another copy of the package.
 * On the prototypes rather than each instance: making an error stays as cheap as a plain Error.
 */
function brandClassChain(ctor: { name: string; prototype: object }): void {
  if (brandedClasses.has(ctor)) return;
  for (let c: unknown = ctor; typeof c === "function" && c !== Error; c = Object.getPrototypeOf(c)) {
    const klass = c as { name: string; prototype: object };
    Object.defineProperty(klass.prototype, brandOf(klass.name), { value: true });
  }
  brandedClasses.add(ctor);
}

/** Options accepted by every coredis error constructor. */
export interface RedisErrorOptions {
  /** The underlying error, when this one wraps another. */
  cause?: unknown;
}

/** The root of every error coredis raises or returns. */
export class RedisError extends Error {
  static readonly code: string = "ERR_COREDIS";
  /** A stable, machine-readable code for this class of error. */
  readonly code: string;
  /**
   * Whether a retry policy may send the work again. Only errors raised before any byte of the
   * request could have reached Redis are retryable by default.
   */
  readonly retryable: boolean = false;

  constructor(message: string, options?: RedisErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const ctor = new.target;
    this.name = ctor.name;
    this.code = ctor.code;
    brandClassChain(ctor);
  }

  static override [Symbol.hasInstance](instance: unknown): boolean {
    return (
      typeof instance === "object" &&
      instance !== null &&
      (instance as Record<symbol, unknown>)[brandOf(this.name)] === true
    );
  }
}

/** A bad option or argument, raised before anything is written. */
export class InvalidArgumentError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_INVALID_ARGUMENT";
}

/** The socket failed, or closed with requests in flight; the connection is discarded. */
export class ConnectionError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_CONNECTION";
  override readonly retryable: boolean;
  /**
   * @param written - whether the failed request's bytes may have reached the server. A request
   *   that was never written is safe to retry.
   */
  /**
   * Whether the failed request's bytes may have reached the server (it may have run); `false`
   * when it surely did not, which makes it safe to send again.
   */
  readonly written: boolean;

  constructor(message: string, options?: RedisErrorOptions & { written?: boolean }) {
    super(message, options);
    this.written = options?.written !== false;
    this.retryable = !this.written;
  }
}

/** Where a {@link TimeoutError} happened. */
export type TimeoutPhase = "pool" | "connect" | "reply";

/**
 * A deadline passed. `phase` says where: `pool` (waiting for a connection: nothing reached Redis),
 * `connect` (opening or handshaking a connection) or `reply` (the request may have been executed).
 */
export class TimeoutError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_TIMEOUT";
  readonly phase: TimeoutPhase;
  override readonly retryable: boolean;
  constructor(message: string, phase: TimeoutPhase, options?: RedisErrorOptions) {
    super(message, options);
    this.phase = phase;
    // Only a connect that took too long is worth another try: a pool wait or a reply deadline is
    // the caller's own limit, and a reply may mean the command ran.
    this.retryable = phase === "connect";
  }
}

/** The caller's `AbortSignal` fired. `cause` is the signal's reason. */
export class AbortError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_ABORTED";
  /** Whether the request's bytes had been written when it was aborted. */
  readonly written: boolean;
  constructor(message: string, written: boolean, options?: RedisErrorOptions) {
    super(message, options);
    this.written = written;
  }
}

/** The server sent bytes that are not valid RESP; the connection is taken out of service. */
export class ProtocolError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_PROTOCOL";
}

/** A client, pool or connection was used after `close()`. */
export class ClientClosedError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_CLOSED";
}

/** A transaction's EXEC answered null because a watched key changed. */
export class WatchError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_WATCH";
}

/** A pipeline had at least one error reply; `results` holds every reply or error in place. */
export class PipelineError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_PIPELINE";
  readonly results: readonly unknown[];
  constructor(message: string, results: readonly unknown[], options?: RedisErrorOptions) {
    super(message, options);
    this.results = results;
  }
}

/** Client-side cluster routing failed. */
export class ClusterError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_CLUSTER";
}

/** Sentinel discovery failed. */
export class SentinelError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_SENTINEL";
}

/**
 * An error reply from the server. `prefix` is its first word (`WRONGTYPE`, `ERR` …); `command`
 * is the command's name once the reply is matched to its request. Arguments are never included.
 */
export class ResponseError extends RedisError {
  static override readonly code: string = "ERR_COREDIS_RESPONSE";
  /** The first word of the server's message, such as `ERR` or `WRONGTYPE`. */
  readonly prefix: string;
  /** The command this reply answered, when known. */
  command: string | undefined;
  constructor(message: string, options?: RedisErrorOptions) {
    super(message, options);
    const space = message.indexOf(" ");
    this.prefix = space === -1 ? message : message.slice(0, space);
  }
}

/** Operation against a key holding the wrong kind of value. */
export class WrongTypeError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_WRONGTYPE";
}
/** EVALSHA/FCALL named a script the server does not have. */
export class NoScriptError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_NOSCRIPT";
}
/** The server is loading its dataset. */
export class BusyLoadingError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_LOADING";
  override readonly retryable: boolean = true;
}
/** A write was sent to a read-only replica. */
export class ReadOnlyError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_READONLY";
}
/**
 * EXEC was discarded because a queued command failed. From a transaction, `errors` holds one
 * entry per queued command, in place: the error Redis gave it when it was queued, or `undefined`
 * for a command that was queued fine.
 */
export class ExecAbortError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_EXECABORT";
  /** Each queued command's queue-time error, in place (`undefined`: it was queued). */
  errors: readonly (ResponseError | undefined)[] = [];
}
/** The server does not know the command. */
export class UnknownCommandError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_UNKNOWN_COMMAND";
}
/** Wrong password, unknown user, or authentication required (WRONGPASS, NOAUTH). */
export class AuthenticationError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_AUTHENTICATION";
}
/** The user lacks the permission for a command or key (NOPERM). */
export class AuthorizationError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_AUTHORIZATION";
}

/**
 * A cluster redirection (`MOVED 3999 127.0.0.1:6381`, `ASK …`), with the slot and the node to
 * ask parsed from the message.
 */
export abstract class RedirectionError extends ResponseError {
  readonly slot: number;
  readonly host: string;
  readonly port: number;
  constructor(message: string, options?: RedisErrorOptions) {
    super(message, options);
    const [, slot = "", address = ""] = message.split(" ");
    const colon = address.lastIndexOf(":");
    this.slot = Number(slot);
    this.host = address.slice(0, colon);
    this.port = Number(address.slice(colon + 1));
  }
}
/** A cluster key lives on another node, for good. */
export class MovedError extends RedirectionError {
  static override readonly code: string = "ERR_COREDIS_MOVED";
}
/** A cluster key is migrating; ask the named node this once. */
export class AskError extends RedirectionError {
  static override readonly code: string = "ERR_COREDIS_ASK";
}
/** A multi-key operation during resharding; try again later. */
export class TryAgainError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_TRYAGAIN";
  override readonly retryable: boolean = true;
}
/** The cluster cannot serve requests. */
export class ClusterDownError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_CLUSTERDOWN";
}
/** Keys of one command hash to different slots. */
export class CrossSlotError extends ResponseError {
  static override readonly code: string = "ERR_COREDIS_CROSSSLOT";
}

type ResponseErrorClass = new (message: string) => ResponseError;

/** Server error prefixes → classes. `ERR` is refined by message text in {@link ERR_MESSAGE_CLASSES}. */
const PREFIX_CLASSES: ReadonlyMap<string, ResponseErrorClass> = new Map<string, ResponseErrorClass>([
  ["WRONGTYPE", WrongTypeError],
  ["NOSCRIPT", NoScriptError],
  ["LOADING", BusyLoadingError],
  ["READONLY", ReadOnlyError],
  ["EXECABORT", ExecAbortError],
  ["WRONGPASS", AuthenticationError],
  ["NOAUTH", AuthenticationError],
  ["NOPERM", AuthorizationError],
  ["MOVED", MovedError],
  ["ASK", AskError],
  ["TRYAGAIN", TryAgainError],
  ["CLUSTERDOWN", ClusterDownError],
  ["CROSSSLOT", CrossSlotError],
]);

/** `ERR …` messages that deserve a class of their own, matched by their start. */
const ERR_MESSAGE_CLASSES: readonly (readonly [string, ResponseErrorClass])[] = [
  ["ERR unknown command", UnknownCommandError],
  ["ERR invalid password", AuthenticationError],
  ["ERR AUTH", AuthenticationError],
  ["ERR Client sent AUTH, but no password is set", AuthenticationError],
];

/**
 * Builds the error for a server error reply (`-ERR …` or a bulk error) through the one table above.
 * Errors are values here; the connection decides whether to reject or to place them in a result.
 */
export function errorFromReply(message: string): ResponseError {
  const space = message.indexOf(" ");
  const prefix = space === -1 ? message : message.slice(0, space);
  if (prefix === "ERR") {
    for (const [start, ErrorClass] of ERR_MESSAGE_CLASSES) {
      if (message.startsWith(start)) return new ErrorClass(message);
    }
    return new ResponseError(message);
  }
  const ErrorClass = PREFIX_CLASSES.get(prefix) ?? ResponseError;
  return new ErrorClass(message);
}
