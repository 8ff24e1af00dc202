/**
 * `SentinelConnectionPool`: a {@link ConnectionPool} whose one server is the one Redis Sentinel
 * names for a service — its primary, or one of its replicas — and which follows failovers.
 *
 * How it follows the sentinels:
 * - **Where.** The pool's life begins by asking the sentinels where the server is (its
 *   {@link SentinelDirectory}); connections to a primary ask `ROLE` in their handshake, and a
 *   server that answers anything but `master` is refused (it was demoted): requests waiting for
 *   that connection are sent again, after the sentinels were asked anew.
 * - **Before a failover completes.** When a sentinel announces the replica it is about to promote
 *   (`+selected-slave`), a primary pool stops writing to the old primary at once ({@link
 *   ConnectionPool.hold}): from then on a write it acknowledged could be lost, since the old
 *   primary is later resynchronised from the new one. Requests wait for the new primary.
 * - **The switch.** On `+switch-master` the pool moves ({@link ConnectionPool.retarget}): shared
 *   connections to the old server are closed gracefully, leased ones (pubsub, pipelines, blocking
 *   calls) at once, and every waiting request goes to the new primary. An aborted failover
 *   (`-failover-abort-…`) resumes on the old one; a hold that outlasts `failoverTimeout` asks the
 *   sentinels and goes where they say.
 * - **Between announcements.** A request that fails without having run — the server unreachable,
 *   a connection refused for its role, a write refused as `READONLY` by a demoted primary — is
 *   sent again (the pool's {@link ConnectionPool.redirect}) after a pause of 10 ms doubling to
 *   100 ms, for up to `failoverTimeout` ms, while the sentinels are asked again (at most every
 *   250 ms). Writes that may have run are never re-sent: at most once, as everywhere.
 * - **Liveness.** A server that stops answering without closing (a paused process, DEBUG SLEEP)
 *   is caught by the connections' `streamTimeout`, which a sentinel pool sets to
 *   {@link DEFAULT_LIVENESS_TIMEOUT_MS} unless given: the stalled connection fails its requests
 *   and the sentinels are asked again.
 * - **Replicas.** A replica pool picks one of the replicas the sentinels report healthy (the
 *   primary when there is none), and moves when that one goes down (`+sdown`), is promoted, or
 *   after a switch.
 *
 * @module
 */
import type { RESPValue } from "../protocol/values.js";
import { ConnectionError, ReadOnlyError, TimeoutError, type RedisError } from "../errors.js";
import type { BaseConnection, HandshakeCheck } from "../connection/base-connection.js";
import type { TCPLocation } from "../connection/location.js";
import { assertDuration, assertOneOf } from "../internal/validate.js";
import { ConnectionPool } from "./connection-pool.js";
import type { ConnectionPoolOptions } from "./pool-options.js";
import type { Redirect, RouteHint } from "./target.js";

/** Which of a service's servers a pool serves. */
export type SentinelRole = "primary" | "replica";

/** What the sentinels announce about a service, as a pool needs it. */
export type SentinelEvent =
  /** `+switch-master`: the service's primary is now `to`. */
  | { readonly kind: "switch"; readonly to: TCPLocation }
  /** `+selected-slave`: a failover picked the replica it promotes; the primary is about to be demoted. */
  | { readonly kind: "promoting" }
  /** `-failover-abort-…`: the failover stopped; the old primary stays. */
  | { readonly kind: "aborted" }
  /** `+sdown` of a replica. */
  | { readonly kind: "replica-down"; readonly replica: TCPLocation }
  /** The watch was re-established: announcements may have been missed, ask again. */
  | { readonly kind: "resync" };

/** Receives a service's announcements; see {@link SentinelDirectory.watch}. */
export type SentinelEventListener = (event: SentinelEvent) => void;

/**
 * The sentinels, as a pool sees them: where a service's servers are, and what they announce.
 * `Sentinel` implements it.
 */
export interface SentinelDirectory {
  /**
   * Where the service's primary is by the sentinels' word, or (`replica`) one of its healthy
   * replicas other than `avoid` (the primary when none is left). Rejects with a `SentinelError`
   * naming each sentinel's own failure when none answers.
   */
  locate(service: string, role: SentinelRole, avoid?: TCPLocation): Promise<TCPLocation>;
  /** Starts passing the service's announcements to `listener`; returns the function that stops. */
  watch(service: string, listener: SentinelEventListener): () => void;
}

/** Settings of a sentinel pool, besides those of any {@link ConnectionPool}. Durations are milliseconds. */
export interface SentinelPoolSettings {
  /** The service (the sentinels' master name). */
  service: string;
  /** Which of its servers the pool serves. @defaultValue "primary" */
  role?: SentinelRole;
  /** Where to ask. */
  directory: SentinelDirectory;
  /**
   * How long a request that could not be sent waits for a new server (a failover in progress,
   * the primary unreachable), and how long a hold on a failover's announcement may last before
   * the sentinels are asked. Each call's own `timeout` still applies. @defaultValue 30 000
   */
  failoverTimeout?: number;
}

/** Options of a {@link SentinelConnectionPool}: the server's location comes from the sentinels. */
export type SentinelConnectionPoolOptions = SentinelPoolSettings &
  Omit<ConnectionPoolOptions, "location" | "host" | "port" | "unixSocketPath" | "connectionClass">;

/** The `streamTimeout` of a sentinel pool's connections unless given: a stalled primary is a failed one. */
export const DEFAULT_LIVENESS_TIMEOUT_MS = 5_000;
const DEFAULT_FAILOVER_TIMEOUT_MS = 30_000;
/** The sentinels are asked at most this often for one pool (after a failure, not on announcements). */
const RELOCATE_SPACING_MS = 250;
const REDIRECT_BASE_DELAY_MS = 10;
const REDIRECT_MAX_DELAY_MS = 100;

/** A connection to a primary must find one: `ROLE` answers `master`. */
const PRIMARY_ROLE_CHECK: HandshakeCheck = {
  command: ["ROLE"],
  verify(reply: RESPValue): string | undefined {
    const role = Array.isArray(reply) ? reply[0] : undefined;
    const name = role instanceof Uint8Array ? Buffer.from(role).toString() : typeof role === "string" ? role : "no role";
    return name === "master" ? undefined : `is not a primary (ROLE: ${name})`;
  },
};

/** A pool of the server the sentinels name for a service; see the module's description. */
export class SentinelConnectionPool extends ConnectionPool {
  /** The service (the sentinels' master name). */
  readonly service: string;
  /** Which of its servers the pool serves. */
  readonly role: SentinelRole;
  /** Milliseconds a request waits for a new server; see {@link SentinelPoolSettings.failoverTimeout}. */
  readonly failoverTimeoutMs: number;
  readonly #directory: SentinelDirectory;
  #location: TCPLocation | undefined;
  #unwatch: (() => void) | undefined;
  #locating: Promise<void> | undefined;
  #lastLocatedMs = -Infinity;
  #holdTimer: NodeJS.Timeout | undefined;
  #moves = 0;
  /**
   * The server a `+switch-master` moved the pool off, and until when: a sentinel asked soon after
   * may not have heard of the switch yet and still name it (the demoted primary goes on saying
   * `master` for seconds), and the pool must not go back there on such an answer.
   */
  #left: { location: TCPLocation; untilMs: number } | undefined;

  constructor(options: SentinelConnectionPoolOptions) {
    const { service, role, directory, failoverTimeout, ...poolOptions } = options;
    assertOneOf("role", role, ["primary", "replica"]);
    assertDuration("failoverTimeout", failoverTimeout);
    const resolvedRole = role ?? "primary";
    super({
      ...poolOptions,
      streamTimeout: poolOptions.streamTimeout ?? DEFAULT_LIVENESS_TIMEOUT_MS,
      handshakeChecks: [...(poolOptions.handshakeChecks ?? []), ...(resolvedRole === "primary" ? [PRIMARY_ROLE_CHECK] : [])],
    });
    this.service = service;
    this.role = resolvedRole;
    this.#directory = directory;
    this.failoverTimeoutMs = failoverTimeout ?? DEFAULT_FAILOVER_TIMEOUT_MS;
  }

  /** Where the pool's connections go now; `undefined` before its life began. */
  get location(): TCPLocation | undefined {
    return this.#location;
  }

  /** How many times the pool has moved to another server. */
  get moves(): number {
    return this.#moves;
  }

  /** A sentinel pool finds its server first, so an owner that opens it without connecting connects it. */
  override async open(): Promise<this> {
    return this.connect();
  }

  /** Asks the sentinels where the server is, and starts following their announcements. */
  protected override async prepare(): Promise<void> {
    this.#unwatch ??= this.#directory.watch(this.service, (event) => this.#onEvent(event));
    try {
      this.#moveTo(await this.#directory.locate(this.service, this.role), false);
    } catch (error) {
      this.#stopWatching();
      throw error;
    }
  }

  protected override onShutDown(): void {
    this.#stopWatching();
    this.#location = undefined;
  }

  /**
   * {@link RequestTarget}: a request that did not run because the server could not take it —
   * unreachable, refused for its role, a write refused by a demoted primary, a pool held for a
   * failover — is sent again after a pause, for up to `failoverTimeout` ms, while the sentinels
   * are asked again.
   */
  override redirect(error: RedisError, redirects: number, _route: RouteHint | undefined): Redirect | undefined {
    if (this.#location === undefined || !isFailoverSymptom(error)) return undefined;
    const delayMs = Math.min(REDIRECT_MAX_DELAY_MS, REDIRECT_BASE_DELAY_MS * 2 ** Math.min(redirects, 8));
    if (waitedMs(redirects) + delayMs > this.failoverTimeoutMs) return undefined;
    this.#relocateSoon();
    return { delayMs };
  }

  /** @internal The observer hook: a connection that failed (not one closed on purpose) sends the pool to the sentinels. */
  override onClose(connection: BaseConnection, error?: RedisError): void {
    super.onClose(connection);
    if (error !== undefined && this.#location !== undefined) this.#relocateSoon();
  }

  #onEvent(event: SentinelEvent): void {
    if (this.#location === undefined) return;
    switch (event.kind) {
      case "switch":
        if (this.role === "primary") {
          const from = this.#location;
          this.#left = sameLocation(from, event.to) ? this.#left : { location: from, untilMs: performance.now() + this.failoverTimeoutMs };
          this.#moveTo(event.to, true);
        } else {
          this.#relocate();
        }
        return;
      case "promoting":
        if (this.role !== "primary" || this.isHeld) return;
        this.hold();
        clearTimeout(this.#holdTimer);
        this.#holdTimer = setTimeout(() => this.#relocate(true), this.failoverTimeoutMs);
        this.#holdTimer.unref();
        return;
      case "aborted":
        if (this.role === "primary") this.#endHold();
        return;
      case "replica-down":
        if (this.role === "replica" && sameLocation(event.replica, this.#location)) this.#relocate(false, event.replica);
        return;
      case "resync":
        this.#relocate();
        return;
    }
  }

  /** Points the pool at `location` (a move closes leased connections to the old server at once). */
  #moveTo(location: TCPLocation, closeLeased: boolean): void {
    const current = this.#location;
    if (current !== undefined && sameLocation(current, location)) {
      this.#endHold();
      return;
    }
    if (current !== undefined) this.#moves++;
    this.#location = location;
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    // Ends a hold too, and only now: the calls it kept waiting must not open a connection to the old server first.
    this.retarget(location, { closeLeased });
  }

  #endHold(): void {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    this.resume();
  }

  /** Asks the sentinels again after a failure, at most every {@link RELOCATE_SPACING_MS}. */
  #relocateSoon(): void {
    if (this.#locating !== undefined || performance.now() - this.#lastLocatedMs < RELOCATE_SPACING_MS) return;
    this.#relocate();
  }

  /** Asks the sentinels where the server is, and moves there (`endHold`: also when it has not changed). */
  #relocate(endHold = false, avoid?: TCPLocation): void {
    if (this.#locating !== undefined) return;
    this.#lastLocatedMs = performance.now();
    this.#locating = this.#directory
      .locate(this.service, this.role, avoid)
      .then(
        (location) => {
          if (this.#location === undefined) return; // closed meanwhile
          const left = this.#left;
          if (left !== undefined && performance.now() < left.untilMs && sameLocation(location, left.location)) return; // not heard of the switch yet
          const moved = !sameLocation(location, this.#location);
          // A primary pool held for a failover moves only on the sentinels' word of a new primary.
          if (moved || endHold || !this.isHeld) this.#moveTo(location, true);
        },
        () => undefined, // no sentinel answered: requests keep waiting out their redirections
      )
      .finally(() => {
        this.#locating = undefined;
      });
  }

  #stopWatching(): void {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    this.#unwatch?.();
    this.#unwatch = undefined;
  }
}

/** Whether an error shows the server could not take a request that therefore did not run. */
function isFailoverSymptom(error: RedisError): boolean {
  if (error instanceof ConnectionError) return !error.written;
  if (error instanceof TimeoutError) return error.phase === "connect";
  // A demoted primary refuses writes: they did not run. So does a replica without its primary.
  return error instanceof ReadOnlyError || error.message.startsWith("MASTERDOWN");
}

/** Milliseconds of pauses before the redirection after `redirects` earlier ones. */
function waitedMs(redirects: number): number {
  let total = 0;
  for (let i = 0; i < redirects; i++) total += Math.min(REDIRECT_MAX_DELAY_MS, REDIRECT_BASE_DELAY_MS * 2 ** Math.min(i, 8));
  return total;
}

function sameLocation(a: TCPLocation, b: TCPLocation): boolean {
  return a.host === b.host && a.port === b.port;
}
