/**
 * One test body, run under RESP2 and RESP3 against one real server per test file.
 *
 * ```ts
 * describeEachProtocol("strings", (ctx) => {
 *   it("GET/SET", async () => {
 *     const { client } = ctx();
 *     assert.equal(await client.set("k", "v"), "OK");
 *   });
 * });
 * ```
 * `ctx()` is read inside a test (the server and clients exist only once `before` has run).
 * Commands newer than the server: `if (ctx().skipUnless(t, "7.2.0")) return;`.
 */
import { after, before, describe, type TestContext } from "node:test";
import { Redis, type CommandClient } from "../../src/index.js";
import { startStandalone, type RedisServer, type StandaloneOptions } from "./servers.js";

/** What a test body sees. */
export interface ProtocolTestContext {
  readonly server: RedisServer;
  readonly protocolVersion: 2 | 3;
  /** A client speaking `protocolVersion`, decoding strings. */
  readonly client: Redis;
  /** The same client's Buffer view. */
  readonly buffers: CommandClient<Buffer>;
  /** The server's version, e.g. "7.0.15". */
  readonly serverVersion: string;
  /** A key prefix unique to this protocol's run, so both runs can share one server. */
  readonly prefix: string;
  /** Skips the test (and returns true) when the server is older than `version`. */
  skipUnless(t: TestContext, version: string): boolean;
}

/** Whether dotted version `a` is at least `b`. */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

let shared: { server: RedisServer; users: number } | undefined;

/**
 * Declares `title [RESP2]` and `title [RESP3]` suites running `body`. One server serves every
 * suite of the file; it is started by the first suite and stopped after the last.
 */
export function describeEachProtocol(
  title: string,
  body: (ctx: () => ProtocolTestContext) => void,
  serverOptions: StandaloneOptions = {},
): void {
  for (const protocolVersion of [2, 3] as const) {
    describe(`${title} [RESP${protocolVersion}]`, () => {
      let context: ProtocolTestContext | undefined;
      before(async () => {
        shared ??= { server: await startStandalone(serverOptions), users: 0 };
        shared.users++;
        const server = shared.server;
        const client = new Redis({ port: server.port, protocolVersion });
        const info = await client.info(["server"]);
        const serverVersion = info["server"]?.["redis_version"] ?? "0";
        context = {
          server,
          protocolVersion,
          client,
          buffers: client.decoding(false),
          serverVersion,
          prefix: `resp${protocolVersion}:`,
          skipUnless(t, version) {
            if (versionAtLeast(serverVersion, version)) return false;
            t.skip(`needs Redis ${version}; the server is ${serverVersion}`);
            return true;
          },
        };
      });
      after(async () => {
        await context?.client.close();
        if (shared !== undefined && --shared.users === 0) {
          const { server } = shared;
          shared = undefined;
          await server.stop();
        }
      });
      body(() => {
        if (context === undefined) throw new Error("the test context exists only inside tests");
        return context;
      });
    });
  }
}
