/**
 * Type tests for `Sentinel`: its clients are `Redis` clients of the instance's string type, its
 * options take the sentinels' own connection options apart, and a client's host is the
 * sentinels' to give. Checked by `npm run test:types`; nothing here runs.
 */
import { expectTypeOf } from "expect-type";
import { Redis, Sentinel, SentinelConnectionPool, type TCPLocation } from "../../src/index.js";

const sentinel = new Sentinel({ sentinels: [{ host: "10.0.0.1", port: 26379 }, "10.0.0.2:26379"], sentinelOptions: { password: "s", timeout: 500 } });
const buffers = new Sentinel<Buffer>({ sentinels: ["10.0.0.1:26379"], decodeResponses: false });

expectTypeOf(sentinel.primaryFor("mymaster")).toEqualTypeOf<Redis<string>>();
expectTypeOf(sentinel.replicaFor("mymaster").get("k")).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(buffers.primaryFor("mymaster").get("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(sentinel.discoverPrimary("mymaster")).toEqualTypeOf<Promise<TCPLocation>>();
expectTypeOf(sentinel.discoverReplicas("mymaster")).toEqualTypeOf<Promise<TCPLocation[]>>();
expectTypeOf(new SentinelConnectionPool({ service: "mymaster", directory: sentinel, failoverTimeout: 1_000 }).location).toEqualTypeOf<TCPLocation | undefined>();

// The data servers' address comes from the sentinels.
// @ts-expect-error host is not a Sentinel option
new Sentinel({ sentinels: ["10.0.0.1:26379"], host: "10.0.0.9" });
// @ts-expect-error sentinels are required
new Sentinel({});
