/**
 * The ceiling of the cluster `pipeline100` workload on this machine: `node --import tsx bench/cluster-raw.ts`.
 *
 * The same batches of 100 SETs (100-byte values, keys `bench:p:0…99`) as `pipeline100`, but
 * pre-encoded once per primary and written on one bare socket each, every batch awaited by
 * counting reply lines: no client library at all. No library can go faster here, so it bounds
 * what "2× the best other library" can mean on a machine where the cluster's nodes share the
 * cores with the client. Prints ops/s (an op is one SET) and CPU µs per op, the median of 5
 * one-second windows after a one-second warm-up, on a harness cluster of 3 primaries + 3
 * replicas it starts and stops.
 *
 * @module
 */
import net from "node:net";
import { keySlot } from "../src/cluster/slot.js";
import { SlotMap } from "../src/cluster/slot-map.js";
import { onNode } from "../test/harness/cluster-ops.js";
import { startCluster } from "../test/harness/servers.js";
import { median } from "./stats.js";
import { keys } from "./workloads.js";

const VALUE = "x".repeat(100);

/** One primary's share of a batch: its socket, its pre-encoded SETs, and how many replies they get. */
interface Share {
  readonly socket: net.Socket;
  readonly bytes: Buffer;
  readonly replies: number;
}

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once("error", reject);
  });
}

/** Writes a share and resolves once its replies (one line each: `+OK`) have all come. */
function send(share: Share): Promise<void> {
  return new Promise((resolve) => {
    let lines = 0;
    const onData = (chunk: Buffer): void => {
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) lines++;
      if (lines < share.replies) return;
      share.socket.off("data", onData);
      resolve();
    };
    share.socket.on("data", onData);
    share.socket.write(share.bytes);
  });
}

const cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
try {
  const [first] = cluster.nodes;
  if (first === undefined) throw new Error("no node");
  const map = SlotMap.fromShards(await onNode(first, "CLUSTER", "SHARDS"));
  const byPrimary = new Map<string, string[]>();
  for (const key of keys("p", 100)) {
    const primary = map.shardFor(keySlot(key))?.primary;
    if (primary === undefined) throw new Error(`no primary for ${key}`);
    const address = `${primary.host}:${primary.port}`;
    byPrimary.set(address, [...(byPrimary.get(address) ?? []), key]);
  }
  const shares: Share[] = await Promise.all(
    [...byPrimary].map(async ([address, owned]) => {
      const colon = address.lastIndexOf(":");
      const socket = await connect(address.slice(0, colon), Number(address.slice(colon + 1)));
      const bytes = Buffer.from(owned.map((key) => `*3\r\n$3\r\nSET\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n$${VALUE.length}\r\n${VALUE}\r\n`).join(""));
      return { socket, bytes, replies: owned.length };
    }),
  );
  const window = async (ms: number): Promise<{ opsPerSec: number; cpuUsPerOp: number }> => {
    let ops = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    while (performance.now() - started < ms) {
      await Promise.all(shares.map(send));
      ops += 100;
    }
    const used = process.cpuUsage(cpu);
    return { opsPerSec: ops / ((performance.now() - started) / 1000), cpuUsPerOp: (used.user + used.system) / ops };
  };
  await window(1_000);
  const windows = [];
  for (let i = 0; i < 5; i++) windows.push(await window(1_000));
  console.log(
    `raw sockets, pipeline100 on ${shares.length} primaries: ${Math.round(median(windows.map((w) => w.opsPerSec)))} ops/s, ` +
      `${median(windows.map((w) => w.cpuUsPerOp)).toFixed(2)} CPU µs/op (median of ${windows.length} one-second windows)`,
  );
  for (const share of shares) share.socket.destroy();
} finally {
  await cluster.stop();
}
