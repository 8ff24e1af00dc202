/**
 * Waits until the server reports at least `count` blocked clients (INFO clients, blocked_clients):
 * the server's own signal that a blocking command is now waiting, so a test can then feed it.
 * Each check is a round trip; there is no timer.
 */
import type { CommandClient } from "../../src/index.js";

export async function untilBlocked(client: CommandClient, count = 1): Promise<void> {
  for (let checks = 0; checks < 10_000; checks++) {
    const info = await client.info(["clients"]);
    if (Number(info["clients"]?.["blocked_clients"] ?? 0) >= count) return;
  }
  throw new Error(`the server never reported ${count} blocked client(s)`);
}
