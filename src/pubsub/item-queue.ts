/**
 * `ItemQueue`: the bounded buffer between a push listener (the producer, called from the socket's
 * data handler) and an async iterator (the consumer), shared by pubsub and MONITOR.
 *
 * - An item pushed while a reader waits goes straight to that reader: no buffering.
 * - Otherwise it is buffered, up to `maxItems`; past that the **oldest** item is dropped, and the
 *   number dropped is remembered. The next read first returns `onDropped(count)` (when given),
 *   an item that marks the gap at the point where it is (the items before it are gone).
 * - `end(error?)` stops it: readers get what is still buffered (unless discarded), then `done`
 *   (or the error, once).
 *
 * Per item on the hot path: one Fifo slot (no allocation) and, at read time, the iterator result.
 *
 * @module
 */
import type { RedisError } from "../errors.js";
import { Fifo } from "../internal/fifo.js";
import { rejection } from "../connection/request.js";

/** The result every read after the end gets. */
const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** A waiting reader: the `resolve` of its promise (an error is handed over as a rejected promise). */
type Reader<T> = (result: IteratorResult<T, undefined> | Promise<never>) => void;

let capturedReader: (value: never) => void = () => undefined;
/** A module-level executor: no closure is made per wait. */
function captureReader(resolve: (value: never) => void): void {
  capturedReader = resolve;
}

/** A bounded FIFO of items with async readers; see the module's description. */
export class ItemQueue<T> {
  readonly #items: Fifo<T>;
  readonly #readers = new Fifo<Reader<T>>(4);
  readonly #maxItems: number;
  readonly #onDropped: ((dropped: number) => T) | undefined;
  /** Dropped since the last gap marker was read. */
  #unreported = 0;
  #droppedTotal = 0;
  #ended = false;
  #error: RedisError | undefined;

  /**
   * @param maxItems - the most items buffered; more drop the oldest.
   * @param onDropped - makes the item that reports a gap of `dropped` items, read before the
   *   items after the gap. Without it, drops are only counted ({@link ItemQueue.dropped}).
   */
  constructor(maxItems: number, onDropped?: (dropped: number) => T) {
    this.#maxItems = maxItems;
    this.#onDropped = onDropped;
    this.#items = new Fifo<T>(Math.min(maxItems, 1024));
  }

  /**
   * An iterator over the queue for a `for await` loop: `next()` reads; `return()` (a `break` out
   * of the loop) calls `stop`, the owner's close, and ends the loop.
   */
  iterator<V extends T = T>(stop: () => Promise<void>): AsyncIterableIterator<V> {
    const iterator: AsyncIterableIterator<V> = {
      // The owner's items are all of its own type `V`.
      next: () => this.next() as Promise<IteratorResult<V, undefined>>,
      return: async () => {
        await stop();
        return DONE;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Items buffered now. */
  get length(): number {
    return this.#items.length;
  }

  /** Items dropped since the queue was made. */
  get dropped(): number {
    return this.#droppedTotal;
  }

  /** Whether `end()` was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Hands `item` to a waiting reader, or buffers it (dropping the oldest when full). */
  push(item: T): void {
    if (this.#ended) return;
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      reader({ done: false, value: item });
      return;
    }
    if (this.#items.length >= this.#maxItems) {
      this.#items.shift();
      this.noteDropped(1);
    }
    this.#items.push(item);
  }

  /** Counts items dropped before they reached the queue (they are reported like its own drops). */
  noteDropped(count: number): void {
    this.#unreported += count;
    this.#droppedTotal += count;
  }

  /** The next item: at once when one is buffered, else once one is pushed or the queue ends. */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#unreported > 0 && this.#onDropped !== undefined) {
      const dropped = this.#unreported;
      this.#unreported = 0;
      return Promise.resolve({ done: false, value: this.#onDropped(dropped) });
    }
    if (this.#items.length > 0) return Promise.resolve({ done: false, value: this.#items.shift() as T });
    if (this.#ended) return this.#endResult();
    const promise = new Promise<IteratorResult<T, undefined>>(captureReader);
    this.#readers.push(capturedReader as Reader<T>);
    return promise;
  }

  /**
   * Ends the queue: nothing more is taken, and once the buffered items are read (`discard`: they
   * are dropped at once) every reader, now and later, gets `done`; with `error`, the first reader
   * to ask after the last item (a waiting one, or the next) gets the error instead.
   */
  end(error?: RedisError, discard = true): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (discard) {
      while (this.#items.length > 0) this.#items.shift();
      this.#unreported = 0;
    }
    for (let reader = this.#readers.shift(); reader !== undefined; reader = this.#readers.shift()) {
      const failure = this.#error;
      this.#error = undefined;
      reader(failure === undefined ? DONE : rejection(failure));
    }
  }

  #endResult(): Promise<IteratorResult<T, undefined>> {
    const failure = this.#error;
    if (failure === undefined) return Promise.resolve(DONE);
    this.#error = undefined;
    return Promise.reject(failure);
  }
}
