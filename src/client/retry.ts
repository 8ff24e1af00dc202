/**
 * Retry policies: which failed requests are sent again, how often, and after what pause.
 *
 * The default never re-sends a write whose bytes may have reached Redis: a timed-out INCR that
 * did run must not run again. Failures that happened before the request was written (connection
 * refused, lost before the write, written onto a socket already closed by the server) are
 * retried; so are read-only commands (the READONLY flag) whose connection was lost after the
 * write, since running a read twice is harmless. A reply timeout is never retried: the caller's
 * deadline has passed.
 *
 * @module
 */
import type { RedisError } from "../errors.js";
import { assertDuration, assertInteger } from "../internal/validate.js";

/** What a retry policy is told about the command that failed. */
export interface RetryContext {
  /** The command's name, upper-case (`GET`, `CLIENT`): never its arguments. */
  readonly command: string;
  /** Whether the command only reads (the command table's READONLY flag): repeating it is harmless. */
  readonly readOnly: boolean;
}

/** Decides whether and when a failed request is dispatched again. */
export interface RetryPolicy {
  /**
   * Milliseconds to wait before dispatching again, or `undefined` to give up and reject.
   * @param error - why the last attempt failed.
   * @param attempts - how many attempts were made so far (1 after the first failure).
   * @param context - the command that failed.
   */
  retryDelayMs(error: RedisError, attempts: number, context: RetryContext): number | undefined;
}

/** Settings of {@link exponentialBackoff}. Durations are milliseconds. */
export interface ExponentialBackoffOptions {
  /** Attempts in all, the first included. @defaultValue 3 */
  maxAttempts?: number;
  /** Pause before the second attempt; doubled for each one after. @defaultValue 10 */
  baseDelayMs?: number;
  /** Longest pause. @defaultValue 1 000 */
  maxDelayMs?: number;
  /**
   * Also retry writes that may have reached Redis (a reply timeout, a connection lost after the
   * write). Only safe for idempotent work. @defaultValue false
   */
  retryWritten?: boolean;
  /**
   * Retry read-only commands whose connection was lost after the write. @defaultValue true
   */
  retryReads?: boolean;
}

/**
 * Retries with exponentially growing, jittered pauses.
 * @example
 * ```ts
 * import { Redis, exponentialBackoff } from "coredis";
 * const client = new Redis({ retryPolicy: exponentialBackoff({ maxAttempts: 5 }) });
 * ```
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): RetryPolicy {
  assertInteger("maxAttempts", options.maxAttempts, 1);
  assertDuration("baseDelayMs", options.baseDelayMs);
  assertDuration("maxDelayMs", options.maxDelayMs);
  const maxAttempts = options.maxAttempts ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 10;
  const maxDelayMs = options.maxDelayMs ?? 1_000;
  const retryWritten = options.retryWritten ?? false;
  const retryReads = options.retryReads ?? true;
  return {
    retryDelayMs(error, attempts, context) {
      if (attempts >= maxAttempts) return undefined;
      const repeatable =
        error.retryable ||
        (retryWritten && isLostAfterWrite(error)) ||
        (retryReads && context.readOnly && error.code === "ERR_COREDIS_CONNECTION");
      if (!repeatable) return undefined;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1));
      // Full jitter in the upper half, so clients that failed together do not retry together.
      return delay / 2 + Math.random() * (delay / 2);
    },
  };
}

/** Never retries. */
export const noRetry: RetryPolicy = { retryDelayMs: () => undefined };

/** The policy clients use when none is given: 3 attempts, for requests never written and for reads. */
export const defaultRetryPolicy: RetryPolicy = exponentialBackoff();

function isLostAfterWrite(error: RedisError): boolean {
  return error.code === "ERR_COREDIS_CONNECTION" || (error.code === "ERR_COREDIS_TIMEOUT" && "phase" in error && error.phase === "reply");
}
