/**
 * Connection limits: with maxConnections 8, ten concurrent 3-second BLPOPs take about 6 s —
 * two of them wait for a connection. Run: node --import tsx examples/connection-limits.ts
 */
import { Redis } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

export async function main({ host, port }: ExampleLocation, maxConnections = 8): Promise<string> {
  await using client = new Redis({ host, port, maxConnections });
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: 10 }, () => client.blpop(["fubar"], 3)));
  const seconds = (performance.now() - started) / 1000;
  return `${results.length} BLPOPs with maxConnections ${maxConnections}: ${seconds.toFixed(1)} s`;
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
