/**
 * `Sentinel` when the primary fails without a word: SIGKILLed (its connections close), or
 * stopped with SIGSTOP (it keeps its sockets open and answers nothing: the liveness timeout is
 * what notices). Writes succeed again within 1 s of the sentinels' promotion announcement, no call
 * is left pending, and only writes that may have run fail.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionError, PipelineError, Sentinel, TimeoutError } from "../../../src/index.js";
import { killNode } from "../../harness/cluster-ops.js";
import { startSentinelSet } from "../../harness/sentinel.js";
import { watchSwitches } from "../../harness/sentinel-watch.js";
import { until } from "../../harness/wait.js";

/** Writers on `client` until stopped: what was acknowledged when, and what failed. */
function startWriters(write: (key: string) => Promise<unknown>, count: number) {
  const acknowledged: number[] = [];
  const failures: unknown[] = [];
  let stop = false;
  const loops = Array.from({ length: count }, async (_, writer) => {
    for (let i = 0; !stop; i++) {
      try {
        await write(`crash:${writer}:${i}`);
        acknowledged.push(performance.now());
      } catch (error) {
        failures.push(error);
      }
    }
  });
  return {
    acknowledged,
    failures,
    async stop(): Promise<void> {
      stop = true;
      await Promise.all(loops);
    },
  };
}

/** Whether an error says the write may have run (lost after it was written), as at-most-once allows. */
function mayHaveRun(error: unknown): boolean {
  if (error instanceof PipelineError) return error.results.every((result) => !(result instanceof Error) || mayHaveRun(result));
  return (error instanceof ConnectionError && error.written) || (error instanceof TimeoutError && error.phase === "reply");
}

describe("a primary that fails without a word", () => {
  it("SIGKILLed: writes succeed again within 1 s of +switch-master; only writes in flight at the kill fail", { timeout: 60_000 }, async (t) => {
    await using set = await startSentinelSet({ downAfterMs: 1_000, failoverTimeoutMs: 5_000 });
    await using sentinel = new Sentinel({ sentinels: set.sentinelAddresses });
    await using client = sentinel.primaryFor(set.name);
    const watch = await watchSwitches(set);
    const writers = startWriters((key) => client.set(key, "1"), 32);
    // Pipelines too: a batch that could not get a connection waits out the failover like a call.
    const pipelines = startWriters(async (key) => {
      const pipeline = client.pipeline();
      for (let i = 0; i < 5; i++) pipeline.set(`${key}:${i}`, "1");
      return pipeline.exec();
    }, 4);
    try {
      await until(() => writers.acknowledged.length > 1_000 && pipelines.acknowledged.length > 10, "writers under way");
      await killNode(set.primary);
      const killedAt = performance.now();
      const switchedAt = await watch.switched;
      await until(() => writers.acknowledged.some((at) => at > switchedAt), "a write acknowledged after the switch", { withinMs: 5_000 });
      await until(() => pipelines.acknowledged.some((at) => at > switchedAt), "a pipeline acknowledged after the switch", { withinMs: 5_000 });
      await Promise.all([writers.stop(), pipelines.stop()]);
      const resumedAt = writers.acknowledged.filter((at) => at > switchedAt).reduce((a, b) => Math.min(a, b), Infinity);
      t.diagnostic(
        `switch ${Math.round(switchedAt - killedAt)} ms after the kill; writes resumed ${Math.round(resumedAt - switchedAt)} ms after it; ` +
          `${writers.failures.length} writes and ${pipelines.failures.length} pipelines failed`,
      );
      for (const failure of pipelines.failures) assert.ok(mayHaveRun(failure), `only pipelines that may have run fail: ${String(failure)}`);
      assert.ok(pipelines.failures.length <= 4, `${pipelines.failures.length} pipelines failed; at most one in flight per writer`);
      assert.ok(resumedAt - switchedAt <= 1_000, `writes resumed ${Math.round(resumedAt - switchedAt)} ms after +switch-master`);
      assert.ok(writers.failures.length <= 32, `${writers.failures.length} writes failed; at most one in flight per writer`);
      for (const failure of writers.failures) assert.ok(mayHaveRun(failure), `only writes that may have run fail: ${String(failure)}`);
    } finally {
      await Promise.all([writers.stop(), pipelines.stop()]);
      await watch.close();
    }
  });

  it("stopped (SIGSTOP): the liveness timeout notices, and writes resume on the promoted replica", { timeout: 60_000 }, async (t) => {
    await using set = await startSentinelSet({ downAfterMs: 1_000, failoverTimeoutMs: 5_000 });
    await using sentinel = new Sentinel({ sentinels: set.sentinelAddresses, streamTimeout: 500 });
    await using client = sentinel.primaryFor(set.name);
    const watch = await watchSwitches(set);
    const writers = startWriters((key) => client.set(key, "1"), 8);
    let stopped = false;
    try {
      await until(() => writers.acknowledged.length > 500, "writers under way");
      process.kill(set.primary.pid, "SIGSTOP");
      stopped = true;
      const switchedAt = await watch.switched;
      await until(() => writers.acknowledged.some((at) => at > switchedAt), "a write acknowledged after the switch", { withinMs: 5_000 });
      await writers.stop(); // bounded by the test's timeout: a call left hanging on the stopped primary would fail it
      const resumedAt = writers.acknowledged.filter((at) => at > switchedAt).reduce((a, b) => Math.min(a, b), Infinity);
      t.diagnostic(`writes resumed ${Math.round(resumedAt - switchedAt)} ms after +switch-master; ${writers.failures.length} failed`);
      assert.ok(resumedAt - switchedAt <= 1_000, `writes resumed ${Math.round(resumedAt - switchedAt)} ms after +switch-master`);
      for (const failure of writers.failures) assert.ok(mayHaveRun(failure), `only writes that may have run fail: ${String(failure)}`);
    } finally {
      if (stopped) process.kill(set.primary.pid, "SIGCONT");
      await writers.stop();
      await watch.close();
    }
  });
});
