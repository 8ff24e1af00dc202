/**
 * What a test hears from a sentinel set: when `+switch-master` was first announced by any of its
 * sentinels, heard through the library's own pubsub (one subscription per sentinel).
 */
import { Redis, type PubSub } from '../../src/index.js';
import type { SentinelSet } from './sentinel.js';

/** Announcements heard so far; {@link SwitchWatch.close} ends the subscriptions. */
export interface SwitchWatch {
  /** When the first `+switch-master` arrived (performance.now()), once it has. */
  readonly firstSwitchAt: number | undefined;
  /** Resolves at the first `+switch-master`. */
  readonly switched: Promise<number>;
  close(): Promise<void>;
}

/** Subscribes to `+switch-master` on every sentinel of the set; resolves once all are subscribed. */
export async function watchSwitches(set: SentinelSet): Promise<SwitchWatch> {
  const clients = set.sentinels.map((sentinel) => new Redis({ host: sentinel.host, port: sentinel.port }));
  const subscriptions: PubSub[] = clients.map((client) => client.pubsub({ channels: ['+switch-master'] }));
  let firstSwitchAt: number | undefined;
  let announce: (at: number) => void = () => undefined;
  const switched = new Promise<number>((resolve) => {
    announce = resolve;
  });
  await Promise.all(subscriptions.map((subscription) => subscription.connect()));
  for (const subscription of subscriptions) {
    void (async () => {
      try {
        for await (const item of subscription) {
          if (item.type !== 'message') continue;
          firstSwitchAt ??= performance.now();
          announce(firstSwitchAt);
        }
      } catch {
        // closed
      }
    })();
  }
  return {
    get firstSwitchAt() {
      return firstSwitchAt;
    },
    switched,
    async close() {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}
