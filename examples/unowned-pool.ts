/**
 * The seed's anti-pattern: workers share a pool that no parent entered. In coredis for Python
 * nothing then manages the pool's lifetime. Here it is still safe: each client takes a reference
 * on the pool, the last one to close it closes its connections, and a later worker reopens it.
 * Prefer parent-owned-pool.ts all the same: it keeps connections open between workers.
 * Run: node --import tsx examples/unowned-pool.ts
 */
import { ConnectionPool, Redis, TCPLocation } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

async function worker(pool: ConnectionPool): Promise<number> {
  // The pool might not have been entered; this client may be the first to connect it.
  await using client = new Redis({ connectionPool: pool });
  let pings = 0;
  for (;;) {
    await client.ping();
    pings++;
    if (Math.random() < 0.1) return pings;
  }
}

export async function main({ host, port }: ExampleLocation): Promise<string> {
  const pool = new ConnectionPool({ location: new TCPLocation(host, port) });
  const pings = await Promise.all(Array.from({ length: 1024 }, () => worker(pool)));
  const { open, references } = pool.stats;
  return `1024 workers sent ${pings.reduce((a, b) => a + b, 0)} PINGs; afterwards: ${open} open connections, ${references} references`;
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
