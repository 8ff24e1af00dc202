/**
 * `ConnectionBudget`: one limit on the connections of several pools — a cluster's node pools
 * when `maxConnections` counts the whole cluster (the default) rather than each node.
 *
 * The budget keeps no count of its own (which could drift from the pools'): it asks its members
 * how many connections they hold. A pool that would open a connection asks first; when the
 * budget is spent and it has a waiter, the budget asks another member to close one connection
 * nobody uses (an idle one); a member whose connection falls idle while another has waiters
 * closes it; and when any member's connection closes, the others try their waiters again. So
 * connections follow demand between nodes, and nobody waits on an idle socket held by another
 * node.
 *
 * @module
 */

/** What the budget needs of a pool that shares it. */
export interface BudgetMember {
  /** Connections the pool holds against its limits (open, connecting, retiring). */
  readonly counted: number;
  /** Requests waiting in the pool for a connection. */
  readonly waiting: number;
  /** Closes one connection nobody uses, if the pool has one; `true` when it did. */
  shedIdle(): boolean;
  /** Tries the pool's waiters again: a connection of another member closed. */
  retryWaiters(): void;
}

/** A connection limit shared by several pools; see the module's description. */
export class ConnectionBudget {
  readonly #members = new Set<BudgetMember>();

  /** @param limit - most connections all members together may hold. */
  constructor(readonly limit: number) {}

  /** Counts `member`'s connections from now on. */
  join(member: BudgetMember): void {
    this.#members.add(member);
  }

  /** Stops counting `member` (its pool was closed and dropped). */
  leave(member: BudgetMember): void {
    if (this.#members.delete(member)) this.freed(member);
  }

  /** Connections all members hold. */
  get used(): number {
    let used = 0;
    for (const member of this.#members) used += member.counted;
    return used;
  }

  /** Whether one more connection may be opened. */
  get mayOpen(): boolean {
    return this.used < this.limit;
  }

  /** `requester` waits for a connection the budget cannot give: another member closes an unused one, if any has one. */
  reclaim(requester: BudgetMember): void {
    for (const member of this.#members) {
      if (member !== requester && member.shedIdle()) return;
    }
  }

  /**
   * Whether another member than `member` has requests waiting while the budget is spent: then a
   * connection `member` no longer uses should be closed for them rather than kept idle.
   */
  wantedElsewhere(member: BudgetMember): boolean {
    if (this.mayOpen) return false;
    for (const other of this.#members) if (other !== member && other.waiting > 0) return true;
    return false;
  }

  /** A connection of `from` closed: the other members' waiters may be served now. */
  freed(from: BudgetMember): void {
    for (const member of this.#members) if (member !== from) member.retryWaiters();
  }
}
