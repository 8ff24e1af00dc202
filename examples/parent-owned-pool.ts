/**
 * The right way to share a pool between concurrent tasks: the parent connects it (takes a
 * reference) before starting 1024 workers, so its lifetime is the parent's, not any worker's.
 * The seed's workers ping forever; these stop after a few pings each.
 * Run: node --import tsx examples/parent-owned-pool.ts
 */
import { ConnectionPool, Redis, TCPLocation } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

async function worker(pool: ConnectionPool): Promise<number> {
  await using client = new Redis({ connectionPool: pool });
  let pings = 0;
  while (pings < 50) {
    await client.ping();
    pings++;
  }
  return pings;
}

export async function main({ host, port }: ExampleLocation): Promise<string> {
  const pool = new ConnectionPool({ location: new TCPLocation(host, port) });
  // Entering the pool here means its lifetime is now managed here.
  await using _ = await pool.connect();
  const pings = await Promise.all(Array.from({ length: 1024 }, () => worker(pool)));
  const total = pings.reduce((a, b) => a + b, 0);
  return `1024 workers sent ${total} PINGs over ${pool.stats.created} connection(s)`;
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
