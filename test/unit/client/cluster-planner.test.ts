/**
 * How a fanned-out command's replies are combined (`combine` in cluster-planner.ts), per the
 * command table's response policies: pure, so tested without a cluster.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { combine } from "../../../src/client/cluster-planner.js";
import { ResponseError } from "../../../src/errors.js";

const ok = (value: unknown): PromiseSettledResult<unknown> => ({ status: "fulfilled", value });
const failed = (reason: unknown): PromiseSettledResult<unknown> => ({ status: "rejected", reason });

describe("combine", () => {
  it("sums counts (agg_sum), numbers and bigints alike, and element-wise for arrays", () => {
    assert.equal(combine("agg_sum", [ok(1), ok(2), ok(39)]), 42);
    assert.equal(combine("agg_sum", [ok(1n), ok(2)]), 3n);
    assert.deepEqual(combine("agg_sum", [ok([1, 2]), ok([3, 4])]), [4, 6]);
  });

  it("takes the least and the most (agg_min, agg_max)", () => {
    assert.equal(combine("agg_min", [ok(3), ok(1), ok(2)]), 1);
    assert.equal(combine("agg_max", [ok(3), ok(1), ok(2)]), 3);
  });

  it("ANDs and ORs element-wise, keeping 0/1 as numbers (SCRIPT EXISTS)", () => {
    assert.deepEqual(combine("agg_logical_and", [ok([1, 1, 0]), ok([1, 0, 0])]), [1, 0, 0]);
    assert.deepEqual(combine("agg_logical_or", [ok([1, 0, 0]), ok([0, 0, 1])]), [1, 0, 1]);
    assert.equal(combine("agg_logical_and", [ok(true), ok(false)]), false);
  });

  it("answers all_succeeded with the first reply, or the first error when any node failed", () => {
    assert.equal(combine("all_succeeded", [ok("OK"), ok("OK")]), "OK");
    const refused = new ResponseError("NOPERM no");
    assert.throws(() => combine("all_succeeded", [ok("OK"), failed(refused)]), (error: unknown) => error === refused);
  });

  it("answers one_succeeded with any success, failing only when every node failed", () => {
    const notBusy = new ResponseError("NOTBUSY No scripts in execution right now.");
    assert.equal(combine("one_succeeded", [failed(notBusy), ok("OK")]), "OK");
    assert.throws(() => combine("one_succeeded", [failed(notBusy), failed(notBusy)]), ResponseError);
  });

  it("concatenates arrays without a tip (KEYS), one node after the other", () => {
    assert.deepEqual(combine(undefined, [ok(["a"]), ok([]), ok(["b", "c"])]), ["a", "b", "c"]);
  });

  it("wraps a rejection that is not a coredis error", () => {
    assert.throws(() => combine("agg_sum", [failed("boom")]), { name: "RedisError", message: "boom" });
  });
});
