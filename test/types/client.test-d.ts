/**
 * Type tests for the client surface: the decoding mode in the type, views, pools of any
 * connection class, options. Checked by `npm run test:types`; nothing here runs.
 */
import type { Socket } from "node:net";
import { expectTypeOf } from "expect-type";
import {
  BaseConnection,
  ConnectionPool,
  Redis,
  TCPLocation,
  type BaseConnectionOptions,
  type CommandClient,
  type PoolStats,
  type RESPValue,
} from "../../src/index.js";

declare const client: Redis;
declare const bufferClient: Redis<Buffer>;

// Strings by default, Buffers when the type says so.
expectTypeOf(client.get("k")).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(bufferClient.get("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(new Redis()).toEqualTypeOf<Redis<string>>();
expectTypeOf(new Redis<Buffer>({ decodeResponses: false })).toEqualTypeOf<Redis<Buffer>>();
const inferred: Redis<Buffer> = new Redis({ decodeResponses: false });
expectTypeOf(inferred.blpop(["q"], 1)).toEqualTypeOf<Promise<[Buffer, Buffer] | null>>();
// @ts-expect-error decodeResponses: false must come with Redis<Buffer>
void new Redis({ decodeResponses: false }).get("k");
// @ts-expect-error Redis<Buffer> cannot decode responses
new Redis<Buffer>({ decodeResponses: true });

// Views share the client and keep or change the string type.
expectTypeOf(client.withOptions({ timeout: 5 })).toEqualTypeOf<CommandClient<string>>();
expectTypeOf(client.decoding(false).get("k")).toEqualTypeOf<Promise<Buffer | null>>();
expectTypeOf(bufferClient.decoding(true).get("k")).toEqualTypeOf<Promise<string | null>>();
expectTypeOf(client.withOptions({ signal: AbortSignal.timeout(5) }).incr("n")).toEqualTypeOf<Promise<number>>();
expectTypeOf(client.sendCommand(["PING"])).toEqualTypeOf<Promise<RESPValue>>();

// Lifecycle.
expectTypeOf(client.connect()).toEqualTypeOf<Promise<Redis<string>>>();
expectTypeOf(client.close()).toEqualTypeOf<Promise<void>>();
expectTypeOf(client[Symbol.asyncDispose]()).toEqualTypeOf<Promise<void>>();
expectTypeOf(Redis.fromUrl("redis://localhost")).toEqualTypeOf<Redis<string>>();

// Pools: a custom connection class's own options are required and passed through.
interface TaggedOptions extends BaseConnectionOptions {
  tag: string;
}
class TaggedConnection extends BaseConnection {
  constructor(readonly options: TaggedOptions) {
    super(options);
  }
  protected override openStream(): Promise<Socket> {
    throw new Error(this.options.tag);
  }
}
const tagged = new ConnectionPool({ connectionClass: TaggedConnection, tag: "x", maxConnections: 2 });
// @ts-expect-error the connection class needs its tag
new ConnectionPool({ connectionClass: TaggedConnection, maxConnections: 2 });
// Any pool can back any client.
new Redis({ connectionPool: tagged });
new Redis({ connectionPool: new ConnectionPool({ location: new TCPLocation("localhost", 6379) }) });
// @ts-expect-error connection options belong to the shared pool
void new Redis({ connectionPool: tagged, host: "elsewhere" }).get("k");
expectTypeOf(tagged.stats).toEqualTypeOf<PoolStats>();
expectTypeOf(tagged.connect()).toEqualTypeOf<Promise<ConnectionPool<TaggedOptions>>>();
