/**
 * Sentinel: a client of the primary and one of a replica, by the sentinels' word; with a
 * throwaway sentinel set (what `npm run examples` starts when REDIS_SENTINEL_PORT is not set),
 * writers keep going through a SENTINEL FAILOVER and every acknowledged write is on the new
 * primary.
 * Run: REDIS_SENTINEL_PORT=26379 [REDIS_SENTINEL_NAME=mymaster] node --import tsx examples/sentinel.ts
 */
import { Sentinel } from "coredis";
import { isMain } from "./location.js";

/** Where the sentinels are, and (a throwaway set only) how to fail its primary over. */
export interface SentinelExampleSetup {
  readonly sentinels: readonly { host: string; port: number }[];
  readonly name: string;
  readonly failover?: () => Promise<void>;
}

export async function main({ sentinels, name, failover }: SentinelExampleSetup): Promise<string> {
  await using sentinel = new Sentinel({ sentinels });
  await using primary = sentinel.primaryFor(name); // writes; follows failovers
  await using replica = sentinel.replicaFor(name); // reads from a replica
  await primary.set("example:sentinel", "hello");
  const [role] = (await replica.sendCommand(["ROLE"])) as [string];
  const before = (await sentinel.discoverPrimary(name)).toString();
  if (failover === undefined) return `primary ${before}; the replica client reads from a ${role}`;

  // Eight writers through a failover: nothing they were told was written is lost.
  const written: string[] = [];
  let stop = false;
  const writers = Array.from({ length: 8 }, async (_, writer) => {
    for (let i = 0; !stop; i++) {
      await primary.set(`example:sentinel:${writer}:${i}`, "1");
      written.push(`example:sentinel:${writer}:${i}`);
    }
  });
  await failover();
  stop = true;
  await Promise.all(writers);
  const after = (await sentinel.discoverPrimary(name)).toString();
  const present = await primary.exists(written as [string, ...string[]]);
  await primary.del(written as [string, ...string[]]);
  return `primary ${before} → ${after}; ${written.length} writes through the failover, ${present} of them on the new primary; reads from a ${role}`;
}

if (isMain(import.meta.url)) {
  const port = process.env["REDIS_SENTINEL_PORT"];
  if (port === undefined) throw new Error("set REDIS_SENTINEL_PORT (npm run examples starts a throwaway sentinel set instead)");
  console.log(await main({ sentinels: [{ host: process.env["REDIS_SENTINEL_HOST"] ?? "127.0.0.1", port: Number(port) }], name: process.env["REDIS_SENTINEL_NAME"] ?? "mymaster" }));
}
