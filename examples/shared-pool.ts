/**
 * Sharing a pool: two clients on one pool multiplex over the same connection, so CLIENT ID
 * answers the same for both. Run: node --import tsx examples/shared-pool.ts
 */
import { ConnectionPool, Redis, TCPLocation } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

export async function main({ host, port }: ExampleLocation): Promise<string> {
  const pool = new ConnectionPool({ location: new TCPLocation(host, port), maxConnections: 8 });
  await using _ = await pool.connect(); // the parent owns the pool's lifetime
  await using client1 = new Redis({ connectionPool: pool });
  await using client2 = new Redis({ connectionPool: pool });
  const [id1, id2] = await Promise.all([client1.clientId(), client2.clientId()]);
  if (id1 !== id2) throw new Error(`expected one connection, got client ids ${id1} and ${id2}`);
  return `client1.clientId() === client2.clientId() === ${id1}`;
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
