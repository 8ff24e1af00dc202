import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as errors from "../../src/errors.js";

describe("errors", () => {
  it("maps server replies to classes through one table", () => {
    const cases: [string, new (...args: never[]) => errors.ResponseError][] = [
      ["WRONGTYPE Operation against a key holding the wrong kind of value", errors.WrongTypeError],
      ["NOSCRIPT No matching script", errors.NoScriptError],
      ["LOADING Redis is loading the dataset in memory", errors.BusyLoadingError],
      ["READONLY You can't write against a read only replica.", errors.ReadOnlyError],
      ["EXECABORT Transaction discarded because of previous errors.", errors.ExecAbortError],
      ["WRONGPASS invalid username-password pair or user is disabled.", errors.AuthenticationError],
      ["NOAUTH Authentication required.", errors.AuthenticationError],
      ["NOPERM this user has no permissions to run the 'get' command", errors.AuthorizationError],
      ["ERR unknown command 'FOO', with args beginning with: ", errors.UnknownCommandError],
      ["TRYAGAIN Multiple keys request during rehashing of slot", errors.TryAgainError],
      ["CLUSTERDOWN The cluster is down", errors.ClusterDownError],
      ["CROSSSLOT Keys in request don't hash to the same slot", errors.CrossSlotError],
      ["ERR syntax error", errors.ResponseError],
      ["SOMETHINGNEW that we do not know", errors.ResponseError],
    ];
    for (const [message, expected] of cases) {
      const error = errors.errorFromReply(message);
      assert.ok(error instanceof expected, message);
      assert.ok(error instanceof errors.ResponseError);
      assert.ok(error instanceof errors.RedisError);
      assert.equal(error.name, expected.name);
      assert.equal(error.message, message);
    }
  });

  it("parses MOVED and ASK redirections", () => {
    const moved = errors.errorFromReply("MOVED 3999 127.0.0.1:6381");
    assert.ok(moved instanceof errors.MovedError);
    assert.deepEqual([moved.slot, moved.host, moved.port], [3999, "127.0.0.1", 6381]);
    const ask = errors.errorFromReply("ASK 12 ::1:7000");
    assert.ok(ask instanceof errors.AskError);
    assert.deepEqual([ask.slot, ask.host, ask.port], [12, "::1", 7000]);
  });

  it("sets name, code and retryable on every class", () => {
    assert.equal(new errors.ConnectionError("x", { written: false }).retryable, true);
    assert.equal(new errors.ConnectionError("x", { written: true }).retryable, false);
    assert.equal(new errors.TimeoutError("x", "pool").retryable, false);
    assert.equal(new errors.TimeoutError("x", "connect").retryable, true);
    assert.equal(new errors.TimeoutError("x", "reply").code, "ERR_COREDIS_TIMEOUT");
    const aborted = new errors.AbortError("x", true, { cause: "why" });
    assert.equal(aborted.name, "AbortError");
    assert.equal(aborted.cause, "why");
    assert.ok(!(aborted instanceof errors.TimeoutError));
  });

  it("keeps instanceof across two copies of the module (an ESM and a CJS copy, say)", async () => {
    // A query string makes the loader evaluate the module a second time: a true second copy.
    const secondCopy: string = "../../src/errors.js?second-copy";
    const copy = (await import(secondCopy)) as typeof errors;
    assert.notEqual(copy.WrongTypeError, errors.WrongTypeError);
    const fromCopy = copy.errorFromReply("WRONGTYPE x");
    assert.ok(fromCopy instanceof errors.WrongTypeError);
    assert.ok(fromCopy instanceof errors.ResponseError);
    assert.ok(fromCopy instanceof errors.RedisError);
    assert.ok(!(fromCopy instanceof errors.NoScriptError));
    assert.ok(new errors.TimeoutError("x", "pool") instanceof copy.TimeoutError);
  });
});
