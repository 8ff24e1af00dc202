/**
 * Sends one command on a bare connection and resolves with its raw reply: the smallest way to
 * exercise `BaseConnection` without a pool or client.
 */
import type { BaseConnection } from "../../src/connection/base-connection.js";
import { TCPLocation } from "../../src/connection/location.js";
import { TCPConnection } from "../../src/connection/tcp-connection.js";
import { Request } from "../../src/connection/request.js";
import type { RedisArgument, RESPValue } from "../../src/protocol/values.js";

export function runRequest(
  connection: BaseConnection,
  argv: readonly RedisArgument[],
  decodeStrings = true,
): Promise<RESPValue> {
  return new Promise((resolve) => {
    connection.send(new Request(argv, decodeStrings, undefined, resolve as (value: unknown) => void));
  });
}

/**
 * A bare connection named "side", for looking at a server from beside the client under test
 * (CLIENT LIST, INFO commandstats, CLIENT KILL) without going through that client.
 */
export async function openSideConnection(server: { host: string; port: number }): Promise<TCPConnection> {
  const side = new TCPConnection({ location: new TCPLocation(server.host, server.port), clientName: "side" });
  await side.connect();
  return side;
}

/** The ids of the server's connections named `name` (CLIENT SETNAME), read through `side`. */
export async function clientIdsNamed(side: BaseConnection, name: string): Promise<string[]> {
  const list = String(await runRequest(side, ["CLIENT", "LIST"]));
  return list
    .split("\n")
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => /id=(\d+)/.exec(line)?.[1])
    .filter((id): id is string => id !== undefined);
}
