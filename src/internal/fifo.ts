/**
 * A first-in, first-out queue over a growable ring buffer: `push` and `shift` are O(1) and never
 * call `Array.prototype.shift`. Used for requests awaiting replies and for pool waiters.
 *
 * ```
 *   capacity = 8, head = 5, length = 5
 *
 *   index:   0    1    2    3    4    5    6    7
 *          [ d ][ e ][   ][   ][   ][ a ][ b ][ c ]
 *                    ^ tail            ^ head
 *   shift() returns a, head → 6.  push(f) writes index 2.
 *   When length reaches capacity, the ring is copied in order into one twice as large.
 * ```
 * The capacity is always a power of two, so wrapping is a bit mask rather than a modulo.
 * Shifted slots are cleared so the queue never keeps a settled request alive.
 */
export class Fifo<T> {
  #items: (T | undefined)[];
  #head = 0;
  #length = 0;
  #mask: number;

  /** @param initialCapacity - rounded up to a power of two; the ring grows as needed. */
  constructor(initialCapacity = 16) {
    let capacity = 4;
    while (capacity < initialCapacity) capacity *= 2;
    this.#items = new Array<T | undefined>(capacity);
    this.#mask = capacity - 1;
  }

  /** How many items are queued. */
  get length(): number {
    return this.#length;
  }

  /** Appends an item at the tail. */
  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Removes and returns the item at the head, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  /** The item at the head, without removing it. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Calls `visit` for every item, head first, without removing any. */
  forEach(visit: (item: T) => void): void {
    for (let i = 0; i < this.#length; i++) visit(this.#items[(this.#head + i) & this.#mask] as T);
  }

  /** Removes and returns every item, head first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  #grow(): void {
    const old = this.#items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & this.#mask];
    this.#items = next;
    this.#head = 0;
    this.#mask = next.length - 1;
  }
}
