/**
 * `PoolLifetime`: who keeps a pool open, shared by the standalone and the cluster pool.
 *
 * The code that calls `connect()` owns the pool (the seed's parent), and its last `close()` ends
 * it whoever still borrows it; clients `borrow()` and `giveBack()`, and without an owner the last
 * borrower's give-back ends it. A token from before a shutdown gives back nothing, so a client
 * that outlived its pool's owner cannot close the pool's next life.
 *
 * @module
 */
import { ClientClosedError } from "../errors.js";

/** What a pool does at the edges of its life. */
export interface LifetimeHooks {
  /** Runs after a reference is taken: opens the pool's first connection (a failure undoes the reference). */
  open(): Promise<void>;
  /** Ends the pool's life: fail waiters, close connections. */
  shutDown(): Promise<void>;
}

/** The references that keep one pool open; see the module's description. */
export class PoolLifetime {
  #owners = 0;
  #borrowers = 0;
  /** Bumped at each shutdown; borrowers' tokens from before it are void. */
  #epoch = 0;
  /** Whether the last shutdown came from the owner while clients still borrowed the pool. */
  #closedUnderBorrowers = false;
  #closing: Promise<void> | undefined;

  constructor(readonly hooks: LifetimeHooks) {}

  /** Whether anybody holds a reference: the pool lends connections only then. */
  get isOpen(): boolean {
    return this.#owners + this.#borrowers > 0;
  }

  /** References held, the owners' and the borrowers'. */
  get references(): number {
    return this.#owners + this.#borrowers;
  }

  /** Whether an owner holds the pool. */
  get owned(): boolean {
    return this.#owners > 0;
  }

  /**
   * Takes an owner's or a borrower's reference and runs `open` (`opens: false`: the reference
   * alone).
   * @returns the reference's token, for {@link PoolLifetime.giveBack}.
   */
  async take(owner: boolean, opens = true): Promise<number> {
    if (this.#closing !== undefined) await this.#closing;
    if (owner) this.#owners++;
    else this.#borrowers++;
    this.#closedUnderBorrowers = false;
    const token = this.#epoch;
    if (!opens) return token;
    try {
      await this.hooks.open();
    } catch (error) {
      if (owner) await this.close();
      else await this.giveBack(token);
      throw error;
    }
    return token;
  }

  /** Ends an owner's reference; the last one shuts the pool down whoever else uses it. */
  async close(): Promise<void> {
    if (this.#owners === 0) return this.#closing;
    this.#owners--;
    if (this.#owners > 0) return;
    this.#closedUnderBorrowers = this.#borrowers > 0;
    await this.#shutDownNow();
  }

  /** Gives back a borrower's reference; the last one shuts down a pool that has no owner. */
  async giveBack(token: number): Promise<void> {
    if (token !== this.#epoch || this.#borrowers === 0) return this.#closing;
    this.#borrowers--;
    if (this.#borrowers > 0 || this.#owners > 0) return;
    await this.#shutDownNow();
  }

  /** The error for a request made while no reference is held. */
  closedError(): ClientClosedError {
    return new ClientClosedError(
      this.#closedUnderBorrowers
        ? "the connection pool was closed by its owner"
        : "the connection pool is closed; call connect() before using it",
    );
  }

  async #shutDownNow(): Promise<void> {
    this.#owners = 0;
    this.#borrowers = 0;
    this.#epoch++;
    this.#closing = this.hooks.shutDown();
    try {
      await this.#closing;
    } finally {
      this.#closing = undefined;
    }
  }
}
