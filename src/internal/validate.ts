/**
 * Option validation helpers: one place that checks values and names the option in its error, so
 * no constructor copies checks by hand.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/** Checks that `value`, when given, is an integer within `[min, max]`. */
export function assertInteger(name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

/** Checks that `value`, when given, is a duration in milliseconds: finite and not negative. */
export function assertDuration(name: string, value: number | undefined): void {
  if (value === undefined) return;
  // Past 2^31 - 1 ms (about 24.8 days) Node's timers fire at once: a huge timeout would act as none.
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new InvalidArgumentError(
      `${name} must be a duration in milliseconds (a number from 0 to ${MAX_TIMER_MS}), got ${String(value)}`,
    );
  }
}

/** The longest delay Node's timers honour. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks that `value`, when given, is one of `allowed`. */
export function assertOneOf<T>(name: string, value: T | undefined, allowed: readonly T[]): void {
  if (value === undefined || allowed.includes(value)) return;
  throw new InvalidArgumentError(`${name} must be one of ${allowed.map(String).join(", ")}, got ${String(value)}`);
}
