/**
 * The benchmark's workloads. Each one opens its clients, seeds its keys, and then runs caller loops
 * until told to stop; the worker decides when the measured window opens and closes.
 *
 * An "op" is one command (a SET and the GET after it are two), except in `pipeline`, where a batch
 * of 100 SETs counts 100 ops and its latency is the batch's; in `transaction`, where one op is one
 * MULTI … EXEC transaction; and in `pubsub`, where one op is one message received by the subscriber.
 *
 * @module
 */
import type { BenchClient, ClientAdapter } from "./clients.js";
import { encodeCommand, RawConnection } from "./clients.js";
import type { Meter } from "./stats.js";

/** What the caller loops share with the worker. */
export interface Control {
  /** Loops exit once this turns false (after finishing the command in hand). */
  running: boolean;
  /** The workload's headline operations. */
  readonly main: Meter;
  /** A second class of operations measured alongside (the 1 MiB transfers of `mixed`). */
  readonly side: Meter;
}

/** A workload ready to run: its clients are open and its keys seeded. */
export interface Prepared {
  /** Starts every caller loop; resolves once all have exited. */
  run(control: Control): Promise<void>;
  /** Connections open across the workload's clients. */
  connections(): number;
  close(): Promise<void>;
}

export interface Workload {
  readonly name: string;
  readonly description: string;
  /** How the side meter is labelled in the results, when the workload uses it. */
  readonly side?: string;
  prepare(adapter: ClientAdapter, host: string, port: number): Promise<Prepared>;
}

const SMALL = "x".repeat(100);
const KIB_100 = "y".repeat(100 * 1024);
const MIB_1 = "z".repeat(1024 * 1024);
/** Distinct small keys the concurrent callers spread over. */
const KEYSPACE = 1000;
const BATCH = 100;
/** BLPOP timeout; a pop that times out fails the run. */
const BLPOP_TIMEOUT_S = 5;
export const BLOCKING_CALLERS = 8;
/** `transaction`: callers, INCRs per transaction, and the keys they spread over. */
const TX_CALLERS = 100;
const TX_INCRS = 10;
const TX_KEYSPACE = 100;
/**
 * `pubsub`: channels; PUBLISHes per write (5 rounds over the channels: few writes, so the
 * publisher's share of the process's CPU stays small); messages published but not yet received
 * at most (the publisher's backpressure).
 */
const PUBSUB_CHANNELS = 100;
const PUBSUB_BATCH = 500;
const PUBSUB_WINDOW = 3000;
/** Batches of PUBLISHes whose write time is kept: more than the window holds. */
const PUBSUB_STAMPS = 64;
/** A subscriber that receives nothing for this long while messages are due fails the run. */
const PUBSUB_STALL_MS = 5000;

/** The key names a workload uses: `bench:${prefix}:0` … (no hash tag: on a cluster they spread over the slots). */
export function keys(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench:${prefix}:${i}`);
}

/** Runs `count` copies of a loop and waits for them all. */
function loops(count: number, body: (index: number) => Promise<void>): Promise<void> {
  return Promise.all(Array.from({ length: count }, (_, i) => body(i))).then(() => undefined);
}

/** A prepared run over one client of the adapter's. */
async function withClient(
  adapter: ClientAdapter,
  host: string,
  port: number,
  setup: (client: BenchClient) => Promise<(control: Control) => Promise<void>>,
): Promise<Prepared> {
  const client = await adapter.open({ host, port });
  const run = await setup(client);
  return { run, connections: () => client.connections(), close: () => client.close() };
}

/** `callers` loops of SET then GET on `value`, caller i on key i mod the key count, recorded by `meter`. */
function setGetLoops(
  client: BenchClient,
  callers: number,
  keyNames: readonly string[],
  value: string,
  meter: "main" | "side" = "main",
): (control: Control) => Promise<void> {
  return (control) =>
    loops(callers, async (i) => {
      const key = keyNames[i % keyNames.length]!;
      const m = control[meter];
      while (control.running) {
        let started = performance.now();
        await client.set(key, value);
        m.record(started);
        started = performance.now();
        await client.get(key);
        m.record(started);
      }
    });
}

/** `callers` loops, each timing `command(caller)` until stopped; one call counts `ops` ops. */
function timedLoops(callers: number, command: (caller: number) => Promise<unknown>, ops = 1): (control: Control) => Promise<void> {
  return (control) =>
    loops(callers, async (i) => {
      while (control.running) {
        const started = performance.now();
        await command(i);
        control.main.record(started, ops);
      }
    });
}

function concurrent(callers: number): Workload {
  return {
    name: `concurrent${callers}`,
    description: `${callers} callers, each looping SET then GET of a 100-byte value (${Math.min(callers, KEYSPACE)} keys).`,
    prepare: (adapter, host, port) =>
      withClient(adapter, host, port, async (client) => setGetLoops(client, callers, keys("k", Math.min(callers, KEYSPACE)), SMALL)),
  };
}

const serial: Workload = {
  name: "serial",
  description: "One caller: awaited SET then GET of a 100-byte value. Raw floor: the same two commands pre-encoded on a bare socket.",
  prepare: (adapter, host, port) => withClient(adapter, host, port, async (client) => setGetLoops(client, 1, ["bench:serial"], SMALL)),
};

const pipeline: Workload = {
  name: "pipeline",
  description:
    "One caller: batches of 100 SETs (100-byte values), each batch awaited; 100 ops per batch, latency per batch. " +
    "Raw ceiling: the 100 SETs pre-encoded and written in one write.",
  prepare: (adapter, host, port) =>
    withClient(adapter, host, port, async (client) => {
      const batchKeys = keys("p", BATCH);
      return timedLoops(1, () => client.setBatch(batchKeys, SMALL), BATCH);
    }),
};

const large: Workload = {
  name: "large",
  description: "16 callers, each looping SET then GET of a 100 KiB value on its own key.",
  prepare: (adapter, host, port) => withClient(adapter, host, port, async (client) => setGetLoops(client, 16, keys("large", 16), KIB_100)),
};

const fanin: Workload = {
  name: "fanin",
  description: "50 callers looping INCR on one key.",
  prepare: (adapter, host, port) =>
    withClient(adapter, host, port, async (client) => timedLoops(50, () => client.incr("bench:counter"))),
};

const mixed: Workload = {
  name: "mixed",
  description:
    "1 000 callers looping GET of 100-byte values while 8 callers loop SET then GET of 1 MiB values, on one client. " +
    "Latency and ops/s are the small GETs' (head-of-line blocking shows in p99); CPU per op counts all CPU over the small GETs.",
  side: "1 MiB SET/GET",
  prepare: (adapter, host, port) =>
    withClient(adapter, host, port, async (client) => {
      const smallKeys = keys("k", KEYSPACE);
      await Promise.all(smallKeys.map((key) => client.set(key, SMALL)));
      const bigTransfers = setGetLoops(client, 8, keys("big", 8), MIB_1, "side");
      const smallGets = timedLoops(1000, (caller) => client.get(smallKeys[caller % KEYSPACE]!));
      return (control) => Promise.all([bigTransfers(control), smallGets(control)]).then(() => undefined);
    }),
};

const blocking: Workload = {
  name: "blocking",
  description:
    `${BLOCKING_CALLERS} pairs: a caller BLPOPs its own list while a producer LPUSHes one element to it; ` +
    "one op is one hand-off, timed from the BLPOP's issue to its reply. BLPOPs go through a client limited to " +
    `${BLOCKING_CALLERS} connections (coredis: maxConnections ${BLOCKING_CALLERS}; single-connection libraries: ` +
    `${BLOCKING_CALLERS} dedicated clients); LPUSHes through one more client of the same library.`,
  async prepare(adapter, host, port) {
    const consumers: BenchClient[] = adapter.pooled
      ? [await adapter.open({ host, port, maxConnections: BLOCKING_CALLERS })]
      : await Promise.all(Array.from({ length: BLOCKING_CALLERS }, () => adapter.open({ host, port })));
    const producer = await adapter.open({ host, port });
    const all = [...consumers, producer];
    const listKeys = keys("list", BLOCKING_CALLERS);
    return {
      run: (control) =>
        loops(BLOCKING_CALLERS, async (i) => {
          const consumer = consumers[i % consumers.length]!;
          const key = listKeys[i]!;
          while (control.running) {
            const started = performance.now();
            const popped = consumer.blpop(key, BLPOP_TIMEOUT_S);
            await producer.lpush(key, SMALL);
            if ((await popped) === null) throw new Error(`BLPOP ${key} timed out after ${BLPOP_TIMEOUT_S} s`);
            control.main.record(started);
          }
        }),
      connections: () => all.reduce((sum, client) => sum + client.connections(), 0),
      close: () => Promise.all(all.map((client) => client.close())).then(() => undefined),
    };
  },
};

const transaction: Workload = {
  name: "transaction",
  description:
    `${TX_CALLERS} callers, each looping one transaction: MULTI, ${TX_INCRS} INCRs, EXEC, through the library's ` +
    `transaction API. Caller i INCRs the ${TX_INCRS} consecutive keys from ${TX_INCRS}·i mod ${TX_KEYSPACE} ` +
    `(${TX_KEYSPACE} keys; each key is in ${(TX_CALLERS * TX_INCRS) / TX_KEYSPACE} callers' transactions). ` +
    `One op is one transaction (${TX_INCRS + 2} commands); latency per transaction.`,
  prepare: (adapter, host, port) =>
    withClient(adapter, host, port, async (client) => {
      const allKeys = keys("tx", TX_KEYSPACE);
      const perCaller = Array.from({ length: TX_CALLERS }, (_, caller) =>
        Array.from({ length: TX_INCRS }, (_, j) => allKeys[(caller * TX_INCRS + j) % TX_KEYSPACE]!),
      );
      return timedLoops(TX_CALLERS, (caller) => client.incrTransaction(perCaller[caller]!));
    }),
};

/** A subscriber under test: it calls `received(n)` as its messages arrive (n at a time). */
type OpenSubscriber = (
  channels: readonly string[],
  received: (count: number) => void,
) => Promise<{ connections(): number; close(): Promise<void> }>;

/**
 * The `pubsub` run around a subscriber: a raw-socket publisher writes batches of PUBLISHes
 * (round-robin over the channels), pipelined, keeping at most {@link PUBSUB_WINDOW} messages published but
 * not yet received, so the subscriber sets the pace and nothing piles up in memory. A message's
 * latency runs from the write of its batch to its receipt: messages of the one publisher arrive in
 * the order published, so the n-th message received came from batch ⌊n / {@link PUBSUB_BATCH}⌋.
 */
async function pubsubRun(host: string, port: number, openSubscriber: OpenSubscriber): Promise<Prepared> {
  const channels = keys("ch", PUBSUB_CHANNELS);
  const batch = Buffer.concat(
    Array.from({ length: PUBSUB_BATCH }, (_, i) => encodeCommand("PUBLISH", channels[i % PUBSUB_CHANNELS]!, SMALL)),
  );
  const stamps = new Float64Array(PUBSUB_STAMPS);
  const publisher = await RawConnection.open(host, port);
  let published = 0;
  let received = 0;
  let control: Control | undefined;
  let finished: ((error?: unknown) => void) | undefined;

  const pump = (): void => {
    if (control === undefined) return;
    try {
      while (control.running && published - received <= PUBSUB_WINDOW - PUBSUB_BATCH) {
        stamps[(published / PUBSUB_BATCH) % PUBSUB_STAMPS] = performance.now();
        publisher.send(batch, PUBSUB_BATCH); // each reply is one line, ":1"
        published += PUBSUB_BATCH;
      }
    } catch (error) {
      finished?.(error);
    }
  };
  const onReceived = (count: number): void => {
    const before = received;
    received += count;
    if (control === undefined) return;
    control.main.record(stamps[Math.floor(before / PUBSUB_BATCH) % PUBSUB_STAMPS]!, count);
    if (Math.floor(received / PUBSUB_BATCH) !== Math.floor(before / PUBSUB_BATCH)) pump();
    if (!control.running && received >= published) finished?.();
  };

  let subscriber: Awaited<ReturnType<OpenSubscriber>>;
  try {
    subscriber = await openSubscriber(channels, onReceived);
  } catch (error) {
    await publisher.close();
    throw error;
  }
  return {
    run: (runControl) =>
      new Promise<void>((resolve, reject) => {
        control = runControl;
        let seen = received;
        let quietSince = performance.now();
        const watchdog = setInterval(() => {
          if (!runControl.running && received >= published) finished?.();
          else if (received !== seen) {
            seen = received;
            quietSince = performance.now();
          } else if (performance.now() - quietSince > PUBSUB_STALL_MS) {
            finished?.(new Error(`subscriber stalled: ${published - received} of ${published} messages published were not received`));
          }
        }, 100);
        finished = (error) => {
          clearInterval(watchdog);
          finished = undefined;
          if (error === undefined) resolve();
          else reject(error instanceof Error ? error : new Error(String(error)));
        };
        pump();
      }),
    connections: () => subscriber.connections(),
    close: async () => {
      await subscriber.close();
      await publisher.close();
    },
  };
}

const pubsub: Workload = {
  name: "pubsub",
  description:
    `One subscriber on ${PUBSUB_CHANNELS} channels (the library's subscriber API) and one publisher on a raw socket, ` +
    `the same for every client: PUBLISHes of 100-byte messages round-robin over the channels, pre-encoded, ` +
    `written ${PUBSUB_BATCH} to a write without waiting for replies, at most ${PUBSUB_WINDOW} messages published ` +
    "and not yet received (so the subscriber sets the pace). One op is one message received; latency is from the " +
    `write of its batch to its receipt (mostly the window's queue: ~${PUBSUB_WINDOW} messages / the rate). ` +
    "CPU per op is the whole process's, the publisher's included (the raw ceiling row, publisher and bare-socket " +
    "subscriber together, bounds that share). " +
    "Raw ceiling: the subscriber is a bare socket too, counting messages by their line feeds.",
  prepare: async (adapter, host, port) => {
    const client = await adapter.open({ host, port });
    try {
      return await pubsubRun(host, port, async (channels, received) => {
        const subscription = await client.subscribe(channels, () => received(1));
        return {
          connections: () => client.connections() + subscription.connections(),
          close: async () => {
            await subscription.close();
            await client.close();
          },
        };
      });
    } catch (error) {
      await client.close();
      throw error;
    }
  },
};

/** The workloads in the order they run. */
export const WORKLOADS: readonly Workload[] = [
  serial,
  concurrent(100),
  concurrent(1000),
  pipeline,
  transaction,
  large,
  fanin,
  mixed,
  blocking,
  pubsub,
];

/** A workload by name; `concurrentN` works for any N (the scaling benchmark uses it). */
export function workloadNamed(name: string): Workload | undefined {
  const known = WORKLOADS.find((workload) => workload.name === name);
  if (known !== undefined) return known;
  const callers = /^concurrent([1-9]\d*)$/.exec(name)?.[1];
  return callers === undefined ? undefined : concurrent(Number(callers));
}

/** Line feeds of one RESP2 message push: *3, $7, message, $len, channel, $len, data. */
const RAW_MESSAGE_LINES = 7;
/** Line feeds of one RESP2 subscribe confirmation: *3, $9, subscribe, $len, channel, :count. */
const RAW_SUBSCRIBED_LINES = 6;

/** The raw-socket floor (`serial`) and ceilings (`pipeline`, `pubsub`); other workloads have no raw form. */
export const RAW_WORKLOADS: ReadonlyMap<string, (host: string, port: number) => Promise<Prepared>> = new Map([
  [
    "serial",
    async (host: string, port: number): Promise<Prepared> => {
      const connection = await RawConnection.open(host, port);
      const set = encodeCommand("SET", "bench:serial", SMALL);
      const get = encodeCommand("GET", "bench:serial");
      return {
        run: async (control) => {
          while (control.running) {
            let started = performance.now();
            await connection.request(set, 1); // +OK
            control.main.record(started);
            started = performance.now();
            await connection.request(get, 2); // $100, then the value
            control.main.record(started);
          }
        },
        connections: () => 1,
        close: () => connection.close(),
      };
    },
  ],
  [
    "pipeline",
    async (host: string, port: number): Promise<Prepared> => {
      const connection = await RawConnection.open(host, port);
      const batch = Buffer.concat(keys("p", BATCH).map((key) => encodeCommand("SET", key, SMALL)));
      return {
        run: async (control) => {
          while (control.running) {
            const started = performance.now();
            await connection.request(batch, BATCH);
            control.main.record(started, BATCH);
          }
        },
        connections: () => 1,
        close: () => connection.close(),
      };
    },
  ],
  [
    "pubsub",
    (host: string, port: number): Promise<Prepared> =>
      pubsubRun(host, port, async (channels, received) => {
        const connection = await RawConnection.open(host, port);
        await connection.request(encodeCommand("SUBSCRIBE", ...channels), RAW_SUBSCRIBED_LINES * channels.length);
        let lines = 0;
        connection.onUnawaitedLines((count) => {
          const before = Math.floor(lines / RAW_MESSAGE_LINES);
          lines += count;
          const messages = Math.floor(lines / RAW_MESSAGE_LINES) - before;
          if (messages > 0) received(messages);
        });
        return { connections: () => 1, close: () => connection.close() };
      }),
  ],
]);
