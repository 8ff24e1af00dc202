/**
 * With maxConnections 10, the same ten BLPOPs all start at once: about 3 s.
 * Run: node --import tsx examples/enough-connections.ts
 */
import { main as connectionLimits } from "./connection-limits.js";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

export function main(location: ExampleLocation): Promise<string> {
  return connectionLimits(location, 10);
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
