/**
 * What pubsub and MONITOR put on a leased connection, and take off again before giving it back:
 * a push listener, a push mode, the decoding of pushes, and a close listener (so that a lost
 * connection is seen the moment it closes, not at the next keep-alive; the pool's observer is
 * told first, so its slot is free before the owner asks for another).
 *
 * @module
 */
import type { BaseConnection, PushListener, PushMode } from "../connection/base-connection.js";
import { Request, requestOn } from "../connection/request.js";
import type { RedisError } from "../errors.js";
import type { Lease } from "../pool/target.js";
import type { RedisArgument, RESPValue } from "../protocol/values.js";

/** How to set a connection up for its owner. */
export interface AttachOptions {
  readonly pushMode: PushMode;
  readonly decodeStrings: boolean;
  readonly onPush: PushListener;
  /** The connection closed while attached (not through {@link Attachment.detach}). */
  readonly onClose: (error: RedisError | undefined) => void;
}

/** A leased connection set up for pubsub or MONITOR; see the module's description. */
export class Attachment {
  readonly connection: BaseConnection;
  #detached = false;
  readonly #previousDecodeStrings: boolean;
  readonly #removeListener: () => void;
  readonly #removeCloseListener: () => void;

  constructor(
    readonly lease: Lease,
    options: AttachOptions,
  ) {
    const connection = lease.connection;
    this.connection = connection;
    this.#previousDecodeStrings = connection.pushDecodeStrings;
    this.#removeCloseListener = connection.addCloseListener((error) => {
      if (this.#detached) return;
      this.#detached = true;
      options.onClose(error);
    });
    connection.pushDecodeStrings = options.decodeStrings;
    connection.pushMode = options.pushMode;
    this.#removeListener = connection.addPushListener(options.onPush);
  }

  /** Whether {@link Attachment.detach} ran or the connection closed. */
  get isDetached(): boolean {
    return this.#detached;
  }

  /** Sends a command Redis answers; resolves with its reply (rejects with its error). */
  call(argv: readonly RedisArgument[]): Promise<RESPValue> {
    return requestOn<RESPValue>(this.connection, argv, this.connection.pushDecodeStrings);
  }

  /**
   * Sends a command Redis answers only to refuse it (the subscribe family: its confirmations are
   * pushes). Resolves once a later request's reply shows it was accepted (send a PING after it);
   * rejects with the refusal (NOPERM), which leaves the connection in step.
   */
  sendUnanswered(argv: readonly RedisArgument[]): Promise<void> {
    const outcome = new Promise<void>((resolve) => {
      const request = new Request(argv, true, undefined, resolve as (value: unknown) => void);
      request.expectNoReply();
      this.connection.send(request);
    });
    // Its failure is also the barrier's to report: never an unhandled rejection of its own.
    outcome.catch(ignoreOutcome);
    return outcome;
  }

  /** Takes everything off the connection and gives it back to the pool. */
  release(): void {
    this.#undo();
    if (this.connection.isClosed) this.lease.destroy();
    else this.lease.release();
  }

  /** Takes everything off the connection and closes it. */
  destroy(error?: RedisError): void {
    this.#undo();
    this.lease.destroy(error);
  }

  #undo(): void {
    if (this.#detached) return;
    this.#detached = true;
    const connection = this.connection;
    this.#removeListener();
    this.#removeCloseListener();
    connection.pushMode = "none";
    connection.pushDecodeStrings = this.#previousDecodeStrings;
  }
}

function ignoreOutcome(): void {}
