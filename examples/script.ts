/**
 * A Lua script as a typed object: EVALSHA, loaded once when Redis does not have it; and the same
 * script queued on a pipeline. Run: node --import tsx examples/script.ts
 */
import { Redis } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

export async function main({ host, port }: ExampleLocation): Promise<string> {
  await using client = new Redis({ host, port });
  await client.del(["example:script:n"]);
  const incrBy = client.script<number>("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  const first = await incrBy.call(["example:script:n"], [5]);
  const [, second] = await client.pipeline().get("example:script:n").runScript(incrBy, ["example:script:n"], [2]).exec();
  return `sha ${incrBy.sha.slice(0, 8)}…: ${first}, then ${second} from a pipeline`;
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
