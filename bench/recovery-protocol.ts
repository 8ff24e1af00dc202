/**
 * What `cluster-recovery.ts` (which owns the cluster and kills its primary) and
 * `recovery-worker.ts` (the client under test) agree on: the bounds, the pacing, and the messages
 * they exchange as JSON lines. Times are epoch milliseconds (`performance.timeOrigin +
 * performance.now()`), comparable between the two processes.
 *
 * @module
 */

/** The longest wait for the promotion, and for the writers' recovery, after the kill. */
export const RECOVERY_BOUND_MS = 30_000;
/** A writer's pause after a failed call, so a client that fails fast does not spin. */
export const PAUSE_AFTER_FAILURE_MS = 10;
/** Writers, one key each, all on the primary to be killed. */
export const RECOVERY_WRITERS = 8;

/** The epoch time in milliseconds, sub-millisecond. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** What the worker reports once its writers have stopped. */
export interface RecoveryReport {
  /** Completion of the first successful write issued after the kill, if any. */
  readonly firstOkAt?: number;
  /** When the last writer had its first successful write issued after the kill, if all did. */
  readonly allOkAt?: number;
  readonly writers: number;
  /** Writers that had a write issued after the kill succeed. */
  readonly recoveredWriters: number;
  /** Calls that failed after the kill and before the first success after it (all of them, without one). */
  readonly failedBeforeFirstOk: number;
  /** Calls that failed after the kill, until the writers stopped. */
  readonly failedAfterKill: number;
  /** Calls still pending when the writers were stopped and drained. */
  readonly hungCalls: number;
  /** The distinct error messages after the kill, in order of appearance, at most five. */
  readonly errors: readonly string[];
}

/** Worker → parent, on stdout: ready for the kill, the report, or why it failed. */
export interface WorkerMessage {
  readonly ready?: true;
  readonly result?: RecoveryReport;
  readonly error?: string;
}

/** Parent → worker, on stdin: when the SIGKILL was sent. */
export interface KillMessage {
  readonly killedAt: number;
}
