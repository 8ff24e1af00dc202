/**
 * Client-side caching: repeated reads served from memory, and another client's write seen by
 * the very next read. Run: node --import tsx examples/cache.ts
 */
import { Redis } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

export async function main({ host, port }: ExampleLocation): Promise<string> {
  await using client = new Redis({ host, port, cache: { maxKeys: 1000 } });
  await using other = new Redis({ host, port });
  await other.set("example:cache:greeting", "hello");
  for (let i = 0; i < 10; i++) await client.get("example:cache:greeting"); // 1 miss, then hits
  await other.set("example:cache:greeting", "bonjour"); // acknowledged: the cache must not hide it
  const after = await client.get("example:cache:greeting");
  const fresh = await client.withOptions({ cache: false }).get("example:cache:greeting"); // straight from Redis
  const { hits, misses, invalidations } = client.cache?.stats ?? { hits: 0, misses: 0, invalidations: 0 };
  await other.del(["example:cache:greeting"]);
  return `after another client's SET: ${after} (uncached: ${fresh}); ${hits} hits, ${misses} misses, ${invalidations} invalidations`;
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
