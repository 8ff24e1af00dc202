/**
 * Sends one command on a bare connection and resolves with its raw reply: the smallest way to
 * exercise `BaseConnection` without a pool or client.
 */
import type { BaseConnection } from "../../src/connection/base-connection.js";
import { Request } from "../../src/connection/request.js";
import type { RedisArgument, RESPValue } from "../../src/protocol/values.js";

export function runRequest(
  connection: BaseConnection,
  argv: readonly RedisArgument[],
  decodeStrings = true,
): Promise<RESPValue> {
  return new Promise((resolve, reject) => {
    connection.send(new Request(argv, decodeStrings, undefined, resolve as (value: unknown) => void, reject));
  });
}
