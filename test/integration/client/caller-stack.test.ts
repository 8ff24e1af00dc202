/** `captureCallerStack`: an error from a multiplexed reply shows the frame of the code that called. */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { Redis, ResponseError } from "../../../src/index.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";

let server: RedisServer;
before(async () => {
  server = await startStandalone();
});
after(async () => {
  await server?.stop();
});

async function incrementNotANumber(client: Redis): Promise<unknown> {
  await client.set("stack:text", "not a number");
  return client.incr("stack:text").catch((error: unknown) => error);
}

it("with captureCallerStack, a reply error's stack names the calling function", async () => {
  await using client = new Redis({ port: server.port, captureCallerStack: true });
  const error = await incrementNotANumber(client);
  assert.ok(error instanceof ResponseError);
  assert.match(error.stack ?? "", /^ResponseError: ERR value is not an integer/);
  assert.match(error.stack ?? "", /incrementNotANumber/);
  assert.match(error.stack ?? "", /caller-stack\.test\.ts/);
});

it("without it (the default), the stack is the decoder's: the cost is opt-in", async () => {
  await using client = new Redis({ port: server.port });
  const error = await incrementNotANumber(client);
  assert.ok(error instanceof ResponseError);
  assert.doesNotMatch(error.stack ?? "", /incrementNotANumber/);
});
