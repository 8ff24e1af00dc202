/**
 * The set-up most integration files share: one standalone server for the file, and a "side"
 * connection for looking at it (CLIENT LIST, CLIENT KILL, CONFIG SET) from beside the client
 * under test. Both are stopped in `after`, even when tests fail.
 */
import { after, before } from "node:test";
import type { TCPConnection } from "../../src/connection/tcp-connection.js";
import { openSideConnection } from "./run-request.js";
import { startStandalone, type RedisServer, type StandaloneOptions } from "./servers.js";

/** The file's server and side connection, set once `before` has run. */
export interface StandaloneFixture {
  readonly server: RedisServer;
  readonly side: TCPConnection;
  /** Replaces the side connection (after the server closed it, for instance). */
  reopenSide(): Promise<TCPConnection>;
}

/** Starts a server and its side connection before the file's tests, and stops both after them. */
export function standaloneWithSide(options: StandaloneOptions = {}): StandaloneFixture {
  let server: RedisServer | undefined;
  let side: TCPConnection | undefined;
  const fixture: StandaloneFixture = {
    get server() {
      if (server === undefined) throw new Error("the server starts in before()");
      return server;
    },
    get side() {
      if (side === undefined) throw new Error("the side connection opens in before()");
      return side;
    },
    async reopenSide() {
      side?.destroy();
      side = await openSideConnection(fixture.server);
      return side;
    },
  };
  before(async () => {
    server = await startStandalone(options);
    side = await openSideConnection(server);
  });
  after(async () => {
    await side?.close();
    await server?.stop();
  });
  return fixture;
}
