/**
 * Helpers for the command tests of the generic, stream, scripting, server, connection, pubsub
 * and cluster groups: running one read under RESP2 and RESP3 side by side, and records compared
 * with plain object literals.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "../../../src/index.js";
import type { RedisServer } from "../../harness/servers.js";

/**
 * Runs `read` on a fresh RESP2 client and a fresh RESP3 client of `server` (one after the other)
 * and asserts both replies are deeply equal; returns the RESP3 one.
 */
export async function sameUnderBothProtocols<T>(
  server: Pick<RedisServer, "host" | "port">,
  read: (client: Redis) => Promise<T>,
): Promise<T> {
  const resp2 = new Redis({ host: server.host, port: server.port, protocolVersion: 2 });
  const resp3 = new Redis({ host: server.host, port: server.port, protocolVersion: 3 });
  try {
    const two = await read(resp2);
    const three = await read(resp3);
    assert.deepStrictEqual(two, three, "RESP2 and RESP3 replies differ");
    return three;
  } finally {
    await Promise.all([resp2.close(), resp3.close()]);
  }
}

/**
 * A deep copy with every null-prototype record turned into a plain object, so that it can be
 * compared with an object literal by `assert.deepStrictEqual`.
 */
export function plain<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => plain(v)) as T;
  if (value !== null && typeof value === "object" && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out as T;
  }
  return value;
}
