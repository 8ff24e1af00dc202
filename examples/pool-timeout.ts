/**
 * The pool timeout: with maxConnections 8 and poolTimeout 1000 ms, two of ten BLPOPs fail with a
 * TimeoutError after about 1 s, before they ever reach Redis; the other eight return after 3 s.
 * Run: node --import tsx examples/pool-timeout.ts
 */
import { Redis, TimeoutError } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

export async function main({ host, port }: ExampleLocation): Promise<string> {
  await using client = new Redis({ host, port, maxConnections: 8, poolTimeout: 1000 });
  const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => client.blpop(["fubar"], 3)));
  const timeouts = outcomes.filter((o) => o.status === "rejected" && o.reason instanceof TimeoutError);
  return `${timeouts.length} TimeoutErrors (phase "pool"), ${outcomes.length - timeouts.length} BLPOPs answered`;
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
