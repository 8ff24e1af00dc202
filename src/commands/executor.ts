/**
 * The one seam between the generated command methods and whatever sends commands (a client, a
 * pipeline). Generated methods build an argv and call `executeCommand`; they know nothing of
 * connections or pools.
 *
 * @module
 */
export type { ReplyContext, ReplyTransform } from "../protocol/values.js";

/**
 * A "return kind": how a method's reply type `T` is wrapped by the object the method is called on.
 * `Promise<T>` on a client; later, the pipeline itself with `T` appended to its result tuple.
 * Read `Apply<K, T>` as "K of T" (the `this['value']` higher-kinded type encoding).
 */
export interface ReturnKind {
  readonly value: unknown;
  readonly result: unknown;
}

/** The return kind of clients: every method returns a promise of its reply. */
export interface PromiseKind extends ReturnKind {
  readonly result: Promise<this["value"]>;
}

/** `K` applied to `T`. */
export type Apply<K extends ReturnKind, T> = (K & { readonly value: T })["result"];

/** The string type of a client: `string` when it decodes responses, `Buffer` when it does not. */
export type StringType = string | Buffer;
