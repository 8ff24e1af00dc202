/**
 * Pubsub as a cache-invalidation feed, across a lost connection, and MONITOR.
 *
 * A reader keeps a local cache and drops entries as invalidation messages arrive. When its
 * connection is lost (here: killed on purpose), the instance reconnects and resubscribes by
 * itself, and the reader gets a `resubscribed` item: messages may have been missed meanwhile, so
 * the cache is cleared. Then MONITOR shows a command another client runs.
 * Run: node --import tsx examples/pubsub.ts
 */
import { Redis } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

export async function main({ host, port }: ExampleLocation): Promise<string> {
  const name = `example-pubsub-${process.pid}`;
  await using subscriber = new Redis({ host, port, clientName: name });
  await using publisher = new Redis({ host, port });

  const cache = new Map([["user:1", "alice"], ["user:2", "bob"], ["user:3", "carol"]]);
  const log: string[] = [];
  await using ps = await subscriber.pubsub({ channels: ["example:invalidate"], patterns: ["example:audit:*"] }).connect();

  let seen = 0;
  let wake = (): void => undefined;
  const reader = (async () => {
    for await (const item of ps) {
      switch (item.type) {
        case "message": // a channel we subscribed to: item.pattern is undefined
          cache.delete(item.data);
          log.push(`invalidated ${item.data}`);
          break;
        case "pmessage": // a channel matching a pattern
          log.push(`${item.channel} (${item.pattern}): ${item.data}`);
          break;
        case "resubscribed": // a new connection, subscribed again: messages may have been missed
        case "overflow": // this reader fell behind: the oldest messages were dropped
          cache.clear();
          log.push(`${item.type}: cache cleared`);
          break;
      }
      seen++;
      wake();
      if (cache.size === 0 && item.type === "message") break; // ends the loop and closes `ps`
    }
  })();
  /** Resolves once the reader has handled `count` items in all. */
  const handled = (count: number): Promise<void> =>
    new Promise((resolve) => {
      wake = () => seen >= count && resolve();
      wake();
    });

  await publisher.publish("example:invalidate", "user:1");
  await publisher.publish("example:audit:login", "user:2 signed in");
  await handled(2);

  // Lose the connection: kill the subscribed one (and only it) from another client.
  const mine = (await publisher.clientList()).find((c) => c["name"] === name && c["sub"] !== "0");
  await publisher.clientKill({ id: Number(mine?.["id"]) });
  await handled(3); // the `resubscribed` item
  cache.set("user:3", "carol"); // warm the cache again
  await publisher.publish("example:invalidate", "user:3");
  await reader;

  // MONITOR: every command the server runs, from any client, on a connection of its own.
  await using monitor = await subscriber.monitor().connect();
  await publisher.set("example:monitored", "value");
  for await (const command of monitor) {
    if (command.args[0]?.toUpperCase() !== "SET") continue;
    log.push(`monitor: db ${command.db}, ${command.client}: ${command.args.join(" ")}`);
    break; // closes the MONITOR connection
  }
  return log.join("; ");
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
