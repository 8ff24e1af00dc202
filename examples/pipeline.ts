/**
 * A pipeline: commands queued locally, sent together on one connection, replies as a typed tuple;
 * then the same as one MULTI … EXEC transaction. Run: node --import tsx examples/pipeline.ts
 */
import { PipelineError, Redis, ResponseError } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

export async function main({ host, port }: ExampleLocation): Promise<string> {
  await using client = new Redis({ host, port });
  await client.del(["example:pipeline:a", "example:pipeline:n"]);
  // ["OK", number, string | null]: each method appends its reply type.
  const [ok, n, a] = await client.pipeline().set("example:pipeline:a", "1").incr("example:pipeline:n").get("example:pipeline:a").exec();
  const [n2, n3] = await client.pipeline({ transaction: true }).incr("example:pipeline:n").incr("example:pipeline:n").exec();
  // A reply error stays in its place.
  let inPlace = "";
  try {
    await client.pipeline().get("example:pipeline:a").hget("example:pipeline:a", "field").exec();
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    inPlace = error.results.map((result) => (result instanceof ResponseError ? result.prefix : String(result))).join(", ");
  }
  return `${ok} ${n} ${a}; transaction: ${n2} ${n3}; in place: ${inPlace}`;
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
