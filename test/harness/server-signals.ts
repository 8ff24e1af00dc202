/**
 * The server's own signals, read from a side connection: blocked clients (INFO clients) and who
 * is connected (CLIENT LIST). Tests wait on these rather than on time.
 */
import type { BaseConnection } from "../../src/connection/base-connection.js";
import { runRequest } from "./run-request.js";
import { parseInfo } from "./servers.js";
import { until } from "./wait.js";

/** Clients the server holds blocked now. */
export async function blockedClients(side: BaseConnection): Promise<number> {
  return Number(parseInfo(String(await runRequest(side, ["INFO", "clients"]))).get("blocked_clients") ?? 0);
}

/** Waits (5 s at most) until the server holds at least `count` blocked clients. */
export async function untilBlockedClients(side: BaseConnection, count: number): Promise<void> {
  await until(async () => (await blockedClients(side)) >= count, `${count} blocked client(s)`, { withinMs: 5_000, everyMs: 5 });
}

/** CLIENT LIST lines of every connection but the side connection (named "side"). */
export async function othersConnected(side: BaseConnection): Promise<string[]> {
  const list = String(await runRequest(side, ["CLIENT", "LIST"]));
  return list.split("\n").filter((line) => line.trim() !== "" && !line.includes(" name=side "));
}

/** Waits (5 s at most) until the server shows only the side connection: nothing of the tests' clients is left. */
export async function untilOnlySideConnected(side: BaseConnection): Promise<void> {
  await until(async () => (await othersConnected(side)).length === 0, "the server shows only the side connection", {
    withinMs: 5_000,
    everyMs: 20,
  });
}
