/**
 * Type tests for pipelines and transactions: each queued command appends its reply type to the
 * pipeline's tuple, `exec()` resolves to that tuple (or, with `raiseOnError: false`, to a tuple
 * whose elements may be `ResponseError`s), the decoding mode flows into the tuple, and
 * `client.transaction()` is typed by the `tx.multi()` pipeline its callback returns. Checked by
 * `npm run test:types`; nothing here runs.
 */
import { expectTypeOf } from "expect-type";
import type {
  CommandClient,
  Pipeline,
  Redis,
  RESPValue,
  ResponseError,
  ScoredMember,
  SettledResults,
  Transaction,
} from "../../src/index.js";

declare const client: Redis;
declare const bufferClient: Redis<Buffer>;

// A pipeline starts empty, and each command appends its reply type (SET answers "OK" | null).
expectTypeOf(client.pipeline()).toEqualTypeOf<Pipeline<string, []>>();
expectTypeOf(client.pipeline({ transaction: true })).toEqualTypeOf<Pipeline<string, []>>();
expectTypeOf(client.pipeline().set("a", "1")).toEqualTypeOf<Pipeline<string, ["OK" | null]>>();
expectTypeOf(client.pipeline().set("a", "1").incr("n").get("a").exec()).toEqualTypeOf<
  Promise<["OK" | null, number, string | null]>
>();
expectTypeOf(client.pipeline({ transaction: true }).set("a", "1").incr("n").get("a").exec()).toEqualTypeOf<
  Promise<["OK" | null, number, string | null]>
>();
// An explicit raiseOnError: true is the default.
expectTypeOf(client.pipeline().incr("n").exec({ raiseOnError: true })).toEqualTypeOf<Promise<[number]>>();
expectTypeOf(client.pipeline().exec()).toEqualTypeOf<Promise<[]>>();

// Overloads of the surface carry through: SET with GET answers the old value.
expectTypeOf(client.pipeline().set("a", "1", { get: true }).exec()).toEqualTypeOf<Promise<[string | null]>>();
expectTypeOf(client.pipeline().zrange("z", 0, -1, { withscores: true }).zrange("z", 0, -1).exec()).toEqualTypeOf<
  Promise<[ScoredMember<string>[], string[]]>
>();

// raiseOnError: false: every element may be the error reply in its place.
expectTypeOf(client.pipeline().set("a", "1").incr("n").get("a").exec({ raiseOnError: false })).toEqualTypeOf<
  Promise<["OK" | null | ResponseError, number | ResponseError, string | null | ResponseError]>
>();
expectTypeOf<SettledResults<[number, string | null]>>().toEqualTypeOf<[number | ResponseError, string | null | ResponseError]>();
// A boolean that is not known statically gives either shape.
declare const raise: boolean;
expectTypeOf(client.pipeline().incr("n").exec({ raiseOnError: raise })).toEqualTypeOf<
  Promise<[number] | [number | ResponseError]>
>();

// sendCommand: untyped, a RESPValue in its place.
expectTypeOf(client.pipeline().get("a").sendCommand(["PING"]).exec()).toEqualTypeOf<Promise<[string | null, RESPValue]>>();

// The decoding mode is in the type: Buffers from a Buffer view or a Buffer client.
expectTypeOf(client.decoding(false).pipeline().get("k").exec()).toEqualTypeOf<Promise<[Buffer | null]>>();
expectTypeOf(bufferClient.pipeline().get("k").hgetall("h").exec()).toEqualTypeOf<
  Promise<[Buffer | null, Record<string, Buffer>]>
>();
expectTypeOf(bufferClient.decoding(true).pipeline().get("k").exec()).toEqualTypeOf<Promise<[string | null]>>();
// DUMP is binary by nature, whatever the decoding.
expectTypeOf(client.pipeline().dump("k").exec()).toEqualTypeOf<Promise<[Buffer | null]>>();
// Views keep pipelines: withOptions bounds the lease, the tuple is the same.
expectTypeOf(client.withOptions({ timeout: 10 }).pipeline().incr("n").exec()).toEqualTypeOf<Promise<[number]>>();

// A pipeline is not a promise, and has no client-only members.
expectTypeOf(client.pipeline().get("a")).not.toExtend<PromiseLike<unknown>>();
expectTypeOf(client.pipeline().length).toEqualTypeOf<number>();
expectTypeOf(client.pipeline().isTransaction).toEqualTypeOf<boolean>();
// @ts-expect-error a pipeline has no pipeline() of its own
void client.pipeline().pipeline();

// Transactions: typed by the tx.multi() pipeline the callback returns.
expectTypeOf(client.transaction(async (tx) => tx.multi().set("a", "1").incr("n"), { watches: ["a"] })).toEqualTypeOf<
  Promise<["OK" | null, number]>
>();
expectTypeOf(client.transaction((tx) => tx.multi().get("a"))).toEqualTypeOf<Promise<[string | null]>>();
expectTypeOf(
  client.transaction(async (tx) => {
    const current = await tx.get("balance");
    expectTypeOf(current).toEqualTypeOf<string | null>();
    return tx.multi().set("balance", String(Number(current) - 10)).get("balance");
  }),
).toEqualTypeOf<Promise<["OK" | null, string | null]>>();
// A callback that returns nothing: an untyped array (empty at run time when nothing was queued).
expectTypeOf(
  client.transaction(async (tx) => {
    tx.multi().incr("n");
  }),
).toEqualTypeOf<Promise<unknown[]>>();
// The transaction's commands run at once: they return promises, not pipelines.
expectTypeOf<Transaction["get"]>().returns.toEqualTypeOf<Promise<string | null>>();
expectTypeOf<Transaction<Buffer>["get"]>().returns.toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(bufferClient.transaction(async (tx) => tx.multi().get("k"))).toEqualTypeOf<Promise<[Buffer | null]>>();
expectTypeOf(client.decoding(false).transaction((tx) => tx.multi().get("k").incr("n"))).toEqualTypeOf<
  Promise<[Buffer | null, number]>
>();
// tx.multi() gives a transaction pipeline of the client's string type.
void client.transaction((tx) => {
  expectTypeOf(tx.multi()).toEqualTypeOf<Pipeline<string, []>>();
});

// A pipeline built in a loop: its type cannot count the commands, so the caller names the
// element type with the exported Pipeline type; each method still appends to it.
let looped: Pipeline<string, number[]> = client.pipeline();
for (let i = 0; i < 3; i++) looped = looped.incr("n");
expectTypeOf(looped.exec()).toEqualTypeOf<Promise<number[]>>();
expectTypeOf(looped.exec({ raiseOnError: false })).toEqualTypeOf<Promise<(number | ResponseError)[]>>();
// Without the annotation the loop's commands are invisible to the type: exec() claims [].
const unannotated = client.pipeline();
for (let i = 0; i < 3; i++) unannotated.incr("n");
expectTypeOf(unannotated.exec()).toEqualTypeOf<Promise<[]>>();

// A CommandClient view offers the same.
declare const view: CommandClient;
expectTypeOf(view.pipeline().incr("n").exec()).toEqualTypeOf<Promise<[number]>>();
