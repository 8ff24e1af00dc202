/**
 * An optimistic transaction: WATCH the balance, read it, queue the update on `tx.multi()`; a
 * concurrent change of the balance makes EXEC fail and the callback run again.
 * Run: node --import tsx examples/transaction.ts
 */
import { Redis } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

export async function main({ host, port }: ExampleLocation): Promise<string> {
  await using client = new Redis({ host, port });
  await using rival = new Redis({ host, port });
  await client.set("example:balance", "100");
  let attempts = 0;
  const [, balance] = await client.transaction(
    async (tx) => {
      attempts++;
      const current = Number(await tx.get("example:balance"));
      // On the first attempt another client changes the balance between the read and EXEC.
      if (attempts === 1) await rival.incrby("example:balance", 5);
      return tx.multi().set("example:balance", String(current - 10)).get("example:balance");
    },
    { watches: ["example:balance"], retries: 3 },
  );
  return `balance ${balance} after ${attempts} attempts (the first met a concurrent change)`;
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
