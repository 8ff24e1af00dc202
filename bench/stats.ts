/**
 * Shared statistics for the benchmarks: a fixed-size latency reservoir, a per-run meter, percentiles
 * and medians.
 *
 * Recording a latency allocates nothing: the reservoir is one preallocated `Float64Array`, and once
 * it is full it keeps a uniform sample of everything recorded (Vitter's algorithm R, with an
 * xorshift generator held in a number).
 *
 * @module
 */

/** Latency samples kept per meter: 2 MiB of doubles, the same for every client. */
export const RESERVOIR_CAPACITY = 1 << 18;

/** A uniform sample of at most `capacity` values, in a preallocated array. */
export class Reservoir {
  readonly #values: Float64Array;
  #seen = 0;
  #seed = 0x9e3779b9;

  constructor(capacity = RESERVOIR_CAPACITY) {
    this.#values = new Float64Array(capacity);
  }

  /** How many values were offered, kept or not. */
  get seen(): number {
    return this.#seen;
  }

  add(value: number): void {
    const capacity = this.#values.length;
    const seen = this.#seen++;
    if (seen < capacity) {
      this.#values[seen] = value;
      return;
    }
    // xorshift32; `>>> 0` keeps it an unsigned 32-bit integer.
    let x = this.#seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#seed = x >>> 0;
    const slot = Math.floor((this.#seed / 0x1_0000_0000) * (seen + 1));
    if (slot < capacity) this.#values[slot] = value;
  }

  /** The kept values, sorted ascending (a copy; call once, after the run). */
  sorted(): Float64Array {
    return this.#values.slice(0, Math.min(this.#seen, this.#values.length)).sort();
  }
}

/** The value at quantile `q` (0…1) of an ascending array, nearest-rank; NaN when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The median of some numbers, ignoring NaN; NaN when none are left. */
export function median(values: readonly number[]): number {
  const finite = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2;
}

/**
 * Counts operations and their latencies, but only while the measured window is open: loops call
 * {@link Meter.record} for every operation, and the warm-up's operations are dropped.
 */
export class Meter {
  readonly latencies = new Reservoir();
  ops = 0;
  measuring = false;

  /**
   * Records `ops` operations that started at `startedAt` (a `performance.now()` reading) and have
   * just finished; their latency is that of the whole group.
   */
  record(startedAt: number, ops = 1): void {
    if (!this.measuring) return;
    this.latencies.add(performance.now() - startedAt);
    this.ops += ops;
  }

  /** p50 and p99 latency in milliseconds. */
  percentiles(): { p50: number; p99: number } {
    const sorted = this.latencies.sorted();
    return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
  }
}

/** Formats a number for a table: a few significant digits, `–` for NaN/undefined. */
export function formatNumber(value: number | undefined, digits = 3): string {
  if (value === undefined || Number.isNaN(value)) return "–";
  if (Math.abs(value) >= 10 ** digits) return Math.round(value).toLocaleString("en-US");
  return Number(value.toPrecision(digits)).toString();
}
