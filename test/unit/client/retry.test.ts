/**
 * The retry policies of src/client/retry.ts, as pure functions: which failures are sent again,
 * how many attempts there are in all, and how long each pause is. The counterpart of coredis's
 * tests/test_retry.py (`test_exception`, `test_no_exception`, `test_exponential_backoff`), in
 * our API: a policy answers `retryDelayMs(error, attempts, { command, readOnly })` with a pause
 * in milliseconds, or `undefined` to give up.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expectTypeOf } from "expect-type";
import {
  defaultRetryPolicy,
  exponentialBackoff,
  noRetry,
  type RetryContext,
  type RetryPolicy,
} from "../../../src/client/retry.js";
import {
  AbortError,
  AuthenticationError,
  BusyLoadingError,
  ClientClosedError,
  ConnectionError,
  InvalidArgumentError,
  ProtocolError,
  type RedisError,
  ResponseError,
  TimeoutError,
  WrongTypeError,
} from "../../../src/errors.js";

const WRITE: RetryContext = { command: "INCR", readOnly: false };
const READ: RetryContext = { command: "GET", readOnly: true };

/** Never written: the connection was refused or lost before the write. */
const unwritten = (): ConnectionError => new ConnectionError("connection to 127.0.0.1:6379 is not open", { written: false });
/** Lost after the write: the command may have run. */
const lostAfterWrite = (): ConnectionError => new ConnectionError("connection to 127.0.0.1:6379 closed before the reply", { written: true });

/**
 * Drives a policy the way the client does: attempt 1 fails, the policy is asked with the number
 * of attempts made so far, and each answer other than `undefined` is one more attempt.
 * @returns the attempts made in all and the pauses asked for.
 */
function run(policy: RetryPolicy, makeError: () => RedisError, context: RetryContext, limit = 100): { attempts: number; delays: number[] } {
  const delays: number[] = [];
  let attempts = 1;
  for (;;) {
    const delay = policy.retryDelayMs(makeError(), attempts, context);
    if (delay === undefined) return { attempts, delays };
    delays.push(delay);
    attempts++;
    if (attempts > limit) assert.fail(`the policy was still retrying after ${limit} attempts`);
  }
}

/** The pause before attempt `attempts + 1`, before jitter: doubled from the base, capped. */
function nominal(attempts: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1));
}

describe("exponentialBackoff: how many attempts", () => {
  // coredis test_retry.py test_exception: retries=N means N+1 calls, then the error is raised.
  it("gives up once attempts reach maxAttempts: maxAttempts attempts in all", () => {
    for (const maxAttempts of [1, 2, 3, 5, 10]) {
      const policy = exponentialBackoff({ maxAttempts });
      assert.equal(run(policy, unwritten, WRITE).attempts, maxAttempts, `maxAttempts ${maxAttempts}`);
      assert.equal(policy.retryDelayMs(unwritten(), maxAttempts, WRITE), undefined);
      assert.equal(policy.retryDelayMs(unwritten(), maxAttempts + 1, WRITE), undefined);
      if (maxAttempts > 1) assert.notEqual(policy.retryDelayMs(unwritten(), maxAttempts - 1, WRITE), undefined);
    }
  });

  it("defaults to 3 attempts, and so does the default policy", () => {
    assert.equal(run(exponentialBackoff(), unwritten, WRITE).attempts, 3);
    assert.equal(run(defaultRetryPolicy, unwritten, WRITE).attempts, 3);
    assert.equal(run(defaultRetryPolicy, lostAfterWrite, READ).attempts, 3);
  });

  // coredis test_retry.py test_no_exception: a success is never retried. A policy is only asked
  // about failures, and the first question (attempts = 1, the failed attempt counted) answers a pause.
  it("answers the first failure (attempts = 1) with a pause in milliseconds", () => {
    const delay = exponentialBackoff({ maxAttempts: 2 }).retryDelayMs(unwritten(), 1, READ);
    assert.equal(typeof delay, "number");
    assert.ok(delay !== undefined && delay >= 0);
  });

  it("maxAttempts also bounds retryWritten and read retries", () => {
    assert.equal(run(exponentialBackoff({ maxAttempts: 4, retryWritten: true }), lostAfterWrite, WRITE).attempts, 4);
    assert.equal(run(exponentialBackoff({ maxAttempts: 4 }), lostAfterWrite, READ).attempts, 4);
  });
});

describe("exponentialBackoff: the pauses", () => {
  it("double from baseDelayMs, are capped at maxDelayMs, and jitter keeps each within [d/2, d]", () => {
    const baseDelayMs = 10;
    const maxDelayMs = 1_000;
    const policy = exponentialBackoff({ maxAttempts: 20, baseDelayMs, maxDelayMs });
    for (let attempts = 1; attempts < 20; attempts++) {
      const d = nominal(attempts, baseDelayMs, maxDelayMs);
      for (let sample = 0; sample < 200; sample++) {
        const delay = policy.retryDelayMs(unwritten(), attempts, WRITE);
        assert.ok(delay !== undefined && delay >= d / 2 && delay <= d, `attempt ${attempts}: ${String(delay)} outside [${d / 2}, ${d}]`);
      }
    }
    // The nominal pauses: 10, 20, 40, … 640, then 1000 from the 8th retry on.
    assert.deepEqual(
      Array.from({ length: 10 }, (_, i) => nominal(i + 1, baseDelayMs, maxDelayMs)),
      [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000],
    );
  });

  it("the defaults are a 10 ms base and a 1 s cap", () => {
    const policy = exponentialBackoff({ maxAttempts: 20 });
    const first = policy.retryDelayMs(unwritten(), 1, WRITE);
    assert.ok(first !== undefined && first >= 5 && first <= 10, String(first));
    const second = policy.retryDelayMs(unwritten(), 2, WRITE);
    assert.ok(second !== undefined && second >= 10 && second <= 20, String(second));
    const late = policy.retryDelayMs(unwritten(), 15, WRITE);
    assert.ok(late !== undefined && late >= 500 && late <= 1_000, String(late));
  });

  it("jitter spreads the pauses across the upper half rather than repeating one value", () => {
    const policy = exponentialBackoff({ maxAttempts: 5, baseDelayMs: 100 });
    const samples = Array.from({ length: 500 }, () => policy.retryDelayMs(unwritten(), 1, WRITE) ?? Number.NaN);
    const lowest = Math.min(...samples);
    const highest = Math.max(...samples);
    assert.ok(lowest >= 50 && lowest < 60, `lowest ${lowest}`);
    assert.ok(highest <= 100 && highest > 90, `highest ${highest}`);
  });

  // coredis test_retry.py test_exponential_backoff: base 1 with 5 retries waits at most
  // 1+2+4+8+16 = 31 in all; with max_delay 4, at most 1+2+4+4+4 = 15.
  it("bounds the total pause: base 1 ms over 5 retries ≤ 31 ms, and ≤ 15 ms with maxDelayMs 4", () => {
    for (let round = 0; round < 50; round++) {
      const uncapped = run(exponentialBackoff({ maxAttempts: 6, baseDelayMs: 1 }), unwritten, WRITE);
      assert.equal(uncapped.delays.length, 5);
      const total = uncapped.delays.reduce((a, b) => a + b, 0);
      assert.ok(total <= 31 && total >= 15.5, `total ${total}`);
      const capped = run(exponentialBackoff({ maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 4 }), unwritten, WRITE);
      const cappedTotal = capped.delays.reduce((a, b) => a + b, 0);
      assert.ok(cappedTotal <= 15 && cappedTotal >= 7.5, `capped total ${cappedTotal}`);
    }
  });

  it("baseDelayMs 0 retries at once", () => {
    assert.deepEqual(run(exponentialBackoff({ maxAttempts: 4, baseDelayMs: 0 }), unwritten, WRITE).delays, [0, 0, 0]);
  });

  it("a cap below the base caps the first pause too", () => {
    const delay = exponentialBackoff({ baseDelayMs: 100, maxDelayMs: 8 }).retryDelayMs(unwritten(), 1, WRITE);
    assert.ok(delay !== undefined && delay >= 4 && delay <= 8, String(delay));
  });
});

describe("exponentialBackoff: which failures are sent again", () => {
  const policy = exponentialBackoff({ maxAttempts: 10 });

  it("never retries an error reply (the command ran and answered)", () => {
    for (const error of [
      new ResponseError("ERR syntax error"),
      new WrongTypeError("WRONGTYPE Operation against a key holding the wrong kind of value"),
      new AuthenticationError("WRONGPASS invalid username-password pair or user is disabled."),
    ]) {
      for (const context of [WRITE, READ]) {
        assert.equal(policy.retryDelayMs(error, 1, context), undefined, `${error.name} on ${context.command}`);
      }
    }
  });

  it("retries the error replies that say to try again (LOADING)", () => {
    assert.notEqual(policy.retryDelayMs(new BusyLoadingError("LOADING Redis is loading the dataset in memory"), 1, WRITE), undefined);
  });

  it("never retries a reply timeout, not even of a read: the caller's deadline has passed", () => {
    const timedOut = new TimeoutError("127.0.0.1:6379 sent nothing for 50 ms with replies outstanding", "reply");
    assert.equal(policy.retryDelayMs(timedOut, 1, WRITE), undefined);
    assert.equal(policy.retryDelayMs(timedOut, 1, READ), undefined);
  });

  it("never retries a pool-wait timeout; retries a connect timeout", () => {
    assert.equal(policy.retryDelayMs(new TimeoutError("no connection became available within 10 ms", "pool"), 1, READ), undefined);
    assert.notEqual(policy.retryDelayMs(new TimeoutError("connecting to 127.0.0.1:6379 timed out after 10 ms", "connect"), 1, WRITE), undefined);
  });

  it("never re-sends a write whose connection was lost after the write", () => {
    assert.equal(policy.retryDelayMs(lostAfterWrite(), 1, WRITE), undefined);
    // A ConnectionError says written unless told otherwise.
    assert.equal(policy.retryDelayMs(new ConnectionError("connection to 127.0.0.1:6379 failed"), 1, WRITE), undefined);
  });

  it("retries a request that was never written, write or read", () => {
    assert.notEqual(policy.retryDelayMs(unwritten(), 1, WRITE), undefined);
    assert.notEqual(policy.retryDelayMs(unwritten(), 1, READ), undefined);
  });

  it("retries a read-only command lost after the write by default, and not with retryReads: false", () => {
    assert.notEqual(policy.retryDelayMs(lostAfterWrite(), 1, READ), undefined);
    const noReads = exponentialBackoff({ maxAttempts: 10, retryReads: false });
    assert.equal(noReads.retryDelayMs(lostAfterWrite(), 1, READ), undefined);
    // retryReads: false still retries what was never written.
    assert.notEqual(noReads.retryDelayMs(unwritten(), 1, READ), undefined);
  });

  it("retryWritten: true re-sends a written write and a timed-out one, never an error reply", () => {
    const written = exponentialBackoff({ maxAttempts: 10, retryWritten: true });
    assert.notEqual(written.retryDelayMs(lostAfterWrite(), 1, WRITE), undefined);
    assert.notEqual(written.retryDelayMs(new TimeoutError("127.0.0.1:6379 sent nothing for 50 ms", "reply"), 1, WRITE), undefined);
    assert.equal(written.retryDelayMs(new ResponseError("ERR syntax error"), 1, WRITE), undefined);
    assert.equal(written.retryDelayMs(new TimeoutError("no connection became available within 10 ms", "pool"), 1, WRITE), undefined);
  });

  it("never retries what the caller or the owner ended: an abort, a closed client, a malformed stream", () => {
    for (const error of [
      new AbortError("GET was aborted after it was sent", true),
      new AbortError("GET was aborted before it was sent", false),
      new ClientClosedError("the client is closed; call connect() to use it again"),
      new ProtocolError("reply from 127.0.0.1:6379 could not be decoded"),
    ]) {
      for (const options of [{}, { retryWritten: true }]) {
        assert.equal(exponentialBackoff(options).retryDelayMs(error, 1, READ), undefined, `${error.name} ${JSON.stringify(options)}`);
      }
    }
  });
});

describe("noRetry", () => {
  it("never retries, whatever failed", () => {
    for (const error of [unwritten(), lostAfterWrite(), new TimeoutError("connecting timed out", "connect"), new BusyLoadingError("LOADING")]) {
      for (const context of [WRITE, READ]) {
        assert.equal(noRetry.retryDelayMs(error, 1, context), undefined);
        assert.equal(run(noRetry, () => error, context).attempts, 1);
      }
    }
  });
});

describe("the policy interface", () => {
  it("is retryDelayMs(error, attempts, { command, readOnly }) → milliseconds or undefined", () => {
    expectTypeOf<RetryPolicy["retryDelayMs"]>().parameters.toEqualTypeOf<[RedisError, number, RetryContext]>();
    expectTypeOf<RetryPolicy["retryDelayMs"]>().returns.toEqualTypeOf<number | undefined>();
    expectTypeOf<RetryContext>().toEqualTypeOf<{ readonly command: string; readonly readOnly: boolean }>();
    // A custom policy is a plain object: it sees exactly what the client passes.
    const seen: [string, number, string, boolean][] = [];
    const custom: RetryPolicy = {
      retryDelayMs(error, attempts, { command, readOnly }) {
        seen.push([error.name, attempts, command, readOnly]);
        return attempts < 2 ? 0 : undefined;
      },
    };
    assert.equal(run(custom, unwritten, READ).attempts, 2);
    assert.deepEqual(seen, [
      ["ConnectionError", 1, "GET", true],
      ["ConnectionError", 2, "GET", true],
    ]);
  });
});

describe("invalid options", () => {
  it("throw InvalidArgumentError naming the option", () => {
    const cases: [Parameters<typeof exponentialBackoff>[0], RegExp][] = [
      [{ maxAttempts: 0 }, /maxAttempts/],
      [{ maxAttempts: -1 }, /maxAttempts/],
      [{ maxAttempts: 1.5 }, /maxAttempts/],
      [{ maxAttempts: Number.NaN }, /maxAttempts/],
      [{ baseDelayMs: -1 }, /baseDelayMs/],
      [{ baseDelayMs: Number.NaN }, /baseDelayMs/],
      [{ baseDelayMs: Number.POSITIVE_INFINITY }, /baseDelayMs/],
      [{ maxDelayMs: -5 }, /maxDelayMs/],
    ];
    for (const [options, name] of cases) {
      assert.throws(
        () => exponentialBackoff(options),
        (error: unknown) => error instanceof InvalidArgumentError && name.test(error.message),
        JSON.stringify(options),
      );
    }
  });

  it("accept the smallest valid values", () => {
    assert.equal(run(exponentialBackoff({ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 }), unwritten, WRITE).attempts, 1);
  });
});
