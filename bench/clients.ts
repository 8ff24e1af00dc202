/**
 * The clients the benchmark compares, each behind the same small {@link BenchClient} interface, and
 * a raw socket for the floor and ceiling figures.
 *
 * Every library is imported lazily inside its adapter, so a worker process loads only the client
 * it measures (its peak RSS then holds no other library).
 *
 * All four libraries speak RESP3 here: it is the default of coredis, ioredis 6, node-redis 6 and
 * valkey-glide 2, and none of them is overridden.
 *
 * @module
 */
import net from "node:net";
import path from "node:path";

/** What a workload does with a client. Values are strings; replies are not inspected. */
export interface BenchClient {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  incr(key: string): Promise<unknown>;
  lpush(key: string, value: string): Promise<unknown>;
  /** BLPOP on one key; resolves null on timeout. */
  blpop(key: string, timeoutSeconds: number): Promise<unknown>;
  /** SETs every key to `value` as one batch (the library's pipeline where it has one). */
  setBatch(keys: readonly string[], value: string): Promise<unknown>;
  /** MULTI, INCR of every key, EXEC: one transaction, in the library's transaction API. */
  incrTransaction(keys: readonly string[]): Promise<unknown>;
  /**
   * Subscribes to `channels` on a connection of the library's subscriber API (a second client
   * where the library needs one) and calls `onMessage` for every message; resolves once Redis has
   * confirmed every subscription.
   */
  subscribe(channels: readonly string[], onMessage: (channel: string, data: string) => void): Promise<Subscription>;
  /** Connections this client holds open now. */
  connections(): number;
  close(): Promise<void>;
}

/** A subscriber made by {@link BenchClient.subscribe}. */
export interface Subscription {
  /** Connections the subscriber holds open now, beyond its client's own {@link BenchClient.connections}. */
  connections(): number;
  /** Unsubscribes and closes the subscriber's connection. */
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly host: string;
  readonly port: number;
  /** The connection limit of a pooled client (coredis's `maxConnections`); others ignore it. */
  readonly maxConnections?: number;
}

export interface ClientAdapter {
  readonly name: string;
  /** The npm package measured ("coredis" is this repository). */
  readonly packageName: string;
  /** One line for RESULTS.md: protocol, how batches and blocking callers are served. */
  readonly notes: string;
  /**
   * Whether one client enforces a connection limit for blocking callers. When false, the blocking
   * workload opens a dedicated client per blocking caller, as those libraries' users must.
   */
  readonly pooled: boolean;
  open(options: OpenOptions): Promise<BenchClient>;
}

/**
 * coredis from a given build: this repository's, or (`coredis-baseline`) an earlier build's
 * `dist/esm` named by `COREDIS_BASELINE`, for before/after comparisons in one run.
 */
function coredisAdapter(name: string, load: () => Promise<typeof import("coredis")>): ClientAdapter {
  return {
    ...coredisBase,
    name,
    async open({ host, port, maxConnections }) {
      const { Redis } = await load();
      const client = new Redis(maxConnections === undefined ? { host, port } : { host, port, maxConnections });
      await client.connect();
      return {
        get: (key) => client.get(key),
        set: (key, value) => client.set(key, value),
        incr: (key) => client.incr(key),
        lpush: (key, value) => client.lpush(key, [value]),
        blpop: (key, timeout) => client.blpop([key], timeout),
        setBatch: (keys, value) => {
          const pipeline = client.pipeline();
          for (const key of keys) pipeline.set(key, value);
          return pipeline.exec();
        },
        incrTransaction: (keys) => {
          const transaction = client.pipeline({ transaction: true });
          for (const key of keys) transaction.incr(key);
          return transaction.exec();
        },
        subscribe: async (channels, onMessage) => {
          const pubsub = client.pubsub();
          await pubsub.subscribe(...channels);
          const reading = (async () => {
            for await (const message of pubsub) {
              if (message.type === "message") onMessage(message.channel, message.data);
            }
          })();
          // Its connection is leased from the client's pool: the pool's count has it already.
          return {
            connections: () => 0,
            close: async () => {
              await pubsub.close();
              await reading;
            },
          };
        },
        connections: () => client.connectionPool.stats.open,
        close: () => client.close(),
      };
    },
  };
}

const coredisBase: Omit<ClientAdapter, "name" | "open"> = {
  packageName: "coredis",
  notes:
    "RESP3 (default). `pipeline`: client.pipeline() (a connection leased per batch, the batch in one write). " +
    "`transaction`: client.pipeline({ transaction: true }), likewise leased (maxConnections 64, the default). " +
    "`pubsub`: client.pubsub(), subscribe(...channels), messages read with for await. " +
    "`large`, `mixed`: values of 64 KiB and more go on the pool's bulk lane, " +
    "a second shared connection. `blocking`: one client, maxConnections 8.",
  pooled: true,
};

const coredis = coredisAdapter("coredis", () => import("coredis"));
const baselineDist = process.env["COREDIS_BASELINE"];
const coredisBaseline =
  baselineDist === undefined
    ? undefined
    : coredisAdapter("coredis-baseline", () => import(path.resolve(baselineDist, "index.js")) as Promise<typeof import("coredis")>);

function ioredisAdapter(name: string, enableAutoPipelining: boolean): ClientAdapter {
  return {
    name,
    packageName: "ioredis",
    notes:
      `RESP3 (ioredis 6 default), one connection${enableAutoPipelining ? ", enableAutoPipelining: true" : ""}. ` +
      "`pipeline`: client.pipeline(). `transaction`: client.multi()…exec(). " +
      "`pubsub`: a second client, subscribe(...channels), on(\"message\"). `blocking`: a dedicated client per blocking caller.",
    pooled: false,
    async open({ host, port }) {
      const { Redis } = await import("ioredis");
      const client = new Redis({ host, port, lazyConnect: true, enableAutoPipelining });
      await client.connect();
      return {
        get: (key) => client.get(key),
        set: (key, value) => client.set(key, value),
        incr: (key) => client.incr(key),
        lpush: (key, value) => client.lpush(key, value),
        blpop: (key, timeout) => client.blpop(key, timeout),
        setBatch: (keys, value) => {
          const pipeline = client.pipeline();
          for (const key of keys) pipeline.set(key, value);
          return pipeline.exec();
        },
        incrTransaction: (keys) => {
          const multi = client.multi();
          for (const key of keys) multi.incr(key);
          return multi.exec();
        },
        subscribe: async (channels, onMessage) => {
          const subscriber = new Redis({ host, port, lazyConnect: true, enableAutoPipelining });
          await subscriber.connect();
          subscriber.on("message", (channel: string, message: string) => onMessage(channel, message));
          await subscriber.subscribe(...channels);
          return {
            connections: () => 1,
            close: async () => {
              await subscriber.quit();
            },
          };
        },
        connections: () => 1,
        close: async () => {
          await client.quit();
        },
      };
    },
  };
}

const nodeRedis: ClientAdapter = {
  name: "node-redis",
  packageName: "redis",
  notes:
    "RESP3 (node-redis 6 default), one connection; writes of one tick go out together. " +
    "`pipeline`: multi().execAsPipeline(). `transaction`: multi()…exec(). " +
    "`pubsub`: client.duplicate(), subscribe(channels, listener). `blocking`: a dedicated client per blocking caller.",
  pooled: false,
  async open({ host, port }) {
    const { createClient } = await import("redis");
    const client = createClient({ socket: { host, port } });
    client.on("error", (error: unknown) => {
      console.error("node-redis:", error);
    });
    await client.connect();
    return {
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value),
      incr: (key) => client.incr(key),
      lpush: (key, value) => client.lPush(key, value),
      blpop: (key, timeout) => client.blPop(key, timeout),
      setBatch: (keys, value) => {
        const multi = client.multi();
        for (const key of keys) multi.set(key, value);
        return multi.execAsPipeline();
      },
      incrTransaction: (keys) => {
        const multi = client.multi();
        for (const key of keys) multi.incr(key);
        return multi.exec();
      },
      subscribe: async (channels, onMessage) => {
        const subscriber = client.duplicate();
        subscriber.on("error", (error: unknown) => {
          console.error("node-redis subscriber:", error);
        });
        await subscriber.connect();
        await subscriber.subscribe([...channels], (message, channel) => onMessage(channel, message));
        return { connections: () => 1, close: () => subscriber.close() };
      },
      connections: () => 1,
      close: () => client.close(),
    };
  },
};

/** glide's defaults, 1 000 requests in flight and a 250 ms timeout, fail or nearly fail the 1 000-caller workloads. */
export const GLIDE_REQUEST_TIMEOUT_MS = 30_000;
export const GLIDE_INFLIGHT_LIMIT = 100_000;

const glide: ClientAdapter = {
  name: "valkey-glide",
  packageName: "@valkey/valkey-glide",
  notes:
    "RESP3 (default), one multiplexed connection driven by glide's Rust core (its threads' CPU is counted). " +
    `inflightRequestsLimit ${GLIDE_INFLIGHT_LIMIT} (the default 1 000 rejects commands in \`mixed\`, 1 008 callers) and ` +
    `requestTimeout ${GLIDE_REQUEST_TIMEOUT_MS} ms (the default 250 ms is near \`mixed\`'s p99 on this machine). ` +
    "`pipeline`: a non-atomic Batch. `transaction`: an atomic Batch (new Batch(true)). " +
    "`pubsub`: a second client with pubsubSubscriptions and a callback (glide subscribes at connect; " +
    "confirmed by polling getSubscriptions()). " +
    "`blocking`: a dedicated client per blocking caller.",
  pooled: false,
  async open({ host, port }) {
    const { Batch, GlideClient, GlideClientConfiguration } = await import("@valkey/valkey-glide");
    const client = await GlideClient.createClient({
      addresses: [{ host, port }],
      requestTimeout: GLIDE_REQUEST_TIMEOUT_MS,
      inflightRequestsLimit: GLIDE_INFLIGHT_LIMIT,
    });
    return {
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value),
      incr: (key) => client.incr(key),
      lpush: (key, value) => client.lpush(key, [value]),
      blpop: (key, timeout) => client.blpop([key], timeout),
      setBatch: (keys, value) => {
        const batch = new Batch(false);
        for (const key of keys) batch.set(key, value);
        return client.exec(batch, true);
      },
      incrTransaction: (keys) => {
        const batch = new Batch(true);
        for (const key of keys) batch.incr(key);
        return client.exec(batch, true);
      },
      subscribe: async (channels, onMessage) => {
        const exact = GlideClientConfiguration.PubSubChannelModes.Exact;
        const subscriber = await GlideClient.createClient({
          addresses: [{ host, port }],
          requestTimeout: GLIDE_REQUEST_TIMEOUT_MS,
          inflightRequestsLimit: GLIDE_INFLIGHT_LIMIT,
          pubsubSubscriptions: {
            channelsAndPatterns: { [exact]: new Set(channels) },
            callback: (message) => onMessage(String(message.channel), String(message.message)),
          },
        });
        // glide subscribes in the background once connected: wait until Redis has them all.
        for (let attempt = 0; ; attempt++) {
          const state = await subscriber.getSubscriptions();
          if ((state.actualSubscriptions[exact]?.size ?? 0) >= channels.length) break;
          if (attempt >= 500) throw new Error("valkey-glide: subscriptions not confirmed after 5 s");
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return {
          connections: () => 1,
          close: async () => {
            subscriber.close();
          },
        };
      },
      connections: () => 1,
      close: async () => {
        client.close();
      },
    };
  },
};

/** Every client library, by name. `raw` (below) is not among them: it runs only its own workloads. */
export const ADAPTERS: ReadonlyMap<string, ClientAdapter> = new Map(
  [coredis, coredisBaseline, ioredisAdapter("ioredis", false), ioredisAdapter("ioredis-auto", true), nodeRedis, glide]
    .filter((adapter): adapter is ClientAdapter => adapter !== undefined)
    .map((adapter) => [adapter.name, adapter]),
);

/** The name of the {@link STUB_ADAPTER}. */
export const STUB = "stub";

/**
 * No client at all: every command returns a promise that a fake "server" settles, with the
 * others of its turn, on the next turn of the event loop. No socket, no encoding, no parsing. It
 * measures what the workload's callers cost by themselves (their loops, awaits and timing), so
 * the scaling benchmark can show how much of a slowdown with many callers is theirs. Not one of
 * {@link ADAPTERS}: `npm run bench` does not run it.
 */
export const STUB_ADAPTER: ClientAdapter = {
  name: STUB,
  packageName: "(none)",
  notes: "no client: promises settled in batches on the next turn of the event loop, no I/O",
  pooled: false,
  open() {
    let batch: ((value: unknown) => void)[] = [];
    let scheduled = false;
    const answer = (): void => {
      scheduled = false;
      const settling = batch;
      batch = [];
      for (const resolve of settling) resolve("OK");
    };
    const command = (): Promise<unknown> =>
      new Promise((resolve) => {
        batch.push(resolve);
        if (!scheduled) {
          scheduled = true;
          setImmediate(answer);
        }
      });
    return Promise.resolve({
      get: command,
      set: command,
      incr: command,
      lpush: command,
      blpop: command,
      setBatch: (keys) => Promise.all(keys.map(command)),
      incrTransaction: command,
      subscribe: () => Promise.resolve({ connections: () => 0, close: () => Promise.resolve() }),
      connections: () => 0,
      close: () => Promise.resolve(),
    });
  },
};

/** The name of the raw-socket floor/ceiling "client". */
export const RAW = "raw";

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(...args: readonly string[]): Buffer {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return Buffer.from(text);
}

/**
 * A bare `net.Socket` that writes pre-encoded commands and waits for a given number of line
 * feeds in the replies: no parsing, so only for replies whose line count is known and whose
 * values hold no line feed.
 */
export class RawConnection {
  readonly #socket: net.Socket;
  #awaited = 0;
  #resolve: (() => void) | undefined;
  #failure: Error | undefined;
  #onUnawaited: ((lines: number) => void) | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      let at = chunk.indexOf(10);
      while (at !== -1) {
        this.#awaited--;
        at = chunk.indexOf(10, at + 1);
      }
      if (this.#awaited < 0 && this.#onUnawaited !== undefined) {
        const lines = -this.#awaited;
        this.#awaited = 0;
        this.#onUnawaited(lines);
      }
      if (this.#awaited <= 0 && this.#resolve !== undefined) {
        const resolve = this.#resolve;
        this.#resolve = undefined;
        resolve();
      }
    });
    socket.on("error", (error) => {
      this.#failure = error;
    });
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => {
        socket.off("error", reject);
        resolve(new RawConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Writes `command` and resolves once `lines` more line feeds have arrived. */
  request(command: Buffer, lines: number): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    this.#awaited += lines;
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#socket.write(command);
    });
  }

  /**
   * Calls `listener` with the count of line feeds that arrive beyond those awaited (pushes, such
   * as pubsub messages), chunk by chunk.
   */
  onUnawaitedLines(listener: (lines: number) => void): void {
    this.#onUnawaited = listener;
  }

  /**
   * Writes `command` without waiting for its replies (their `lines` line feeds are still counted),
   * for pipelining: a {@link RawConnection.request} after it resolves once every reply is in.
   */
  send(command: Buffer, lines: number): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#awaited += lines;
    this.#socket.write(command);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.end(resolve));
  }
}
