/**
 * Micro-benchmarks of the protocol layer: decoder throughput and encoder cost per command.
 *
 * Run: `node --import tsx bench/micro/protocol.ts` (add `--quick` for a shorter run).
 *
 * node-redis's own RESP3 decoder and encoder (from the `redis` dev dependency, which ioredis 6
 * also uses) run on the same input as a reference point. Figures are from one process on one
 * machine, timed in CPU time (best of three rounds): compare rows with each other, not with another
 * machine's.
 *
 * @module
 */
import { createRequire } from "node:module";
import { RESPDecoder } from "../../src/protocol/decoder.js";
import { CommandEncoder } from "../../src/protocol/encoder.js";

const quick = process.argv.includes("--quick");
const SECONDS = quick ? 0.3 : 1.5;
const SOCKET_CHUNK = 64 * 1024;

/** The slice of node-redis's decoder API used here. */
interface NodeRedisDecoder {
  write(chunk: Buffer): void;
}
interface NodeRedisDecoderClass {
  new (options: {
    onReply(reply: unknown): void;
    onErrorReply(error: unknown): void;
    onPush(push: unknown): void;
    getTypeMapping(): Record<number, unknown>;
  }): NodeRedisDecoder;
}

const require = createRequire(import.meta.url);
function loadNodeRedis(): { Decoder: NodeRedisDecoderClass; encode: (args: (string | Buffer)[]) => (string | Buffer)[] } | undefined {
  try {
    const decoderModule = require("@redis/client/dist/lib/RESP/decoder.js") as { Decoder: NodeRedisDecoderClass };
    const encoderModule = require("@redis/client/dist/lib/RESP/encoder.js") as {
      default: (args: (string | Buffer)[]) => (string | Buffer)[];
    };
    return { Decoder: decoderModule.Decoder, encode: encoderModule.default };
  } catch {
    return undefined;
  }
}
const nodeRedis = loadNodeRedis();

/** Cuts `stream` into socket-sized chunks, each a Buffer of its own as a socket delivers them. */
function chunked(stream: Buffer, size = SOCKET_CHUNK): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += size) chunks.push(Buffer.from(stream.subarray(i, i + size)));
  return chunks;
}

/** About 1 MiB of small replies of the kinds a cache-like workload sees. */
function smallRepliesStream(): { stream: Buffer; frames: number } {
  const parts: string[] = [];
  let frames = 0;
  let bytes = 0;
  for (let i = 0; bytes < 1024 * 1024; i++) {
    for (let j = 0; j < 64; j++, i++) {
      switch (i % 6) {
        case 0:
          parts.push("+OK\r\n");
          break;
        case 1:
          parts.push(`:${i * 7919}\r\n`);
          break;
        case 2: {
          const value = `value:${i}`;
          parts.push(`$${value.length}\r\n${value}\r\n`);
          break;
        }
        case 3:
          parts.push(`*3\r\n$3\r\nfoo\r\n$5\r\nbar:${i % 10}\r\n$-1\r\n`);
          break;
        case 4:
          parts.push(`%2\r\n$4\r\nname\r\n$5\r\nalice\r\n$3\r\nage\r\n:${i % 100}\r\n`);
          break;
        case 5: {
          const value = `user:${i}:profile`;
          parts.push(`$${Buffer.byteLength(value)}\r\n${value}\r\n`);
          break;
        }
      }
      frames++;
      bytes += (parts[parts.length - 1] as string).length;
    }
  }
  return { stream: Buffer.from(parts.join(""), "latin1"), frames };
}

/** `frames` bulk strings of `bytes` ASCII letters each. */
function bulksStream(bytes: number, frames: number): { stream: Buffer; frames: number } {
  const body = Buffer.alloc(bytes, "abcdefghijklmnopqrstuvwxyz");
  const frame = Buffer.concat([Buffer.from(`$${body.length}\r\n`), body, Buffer.from("\r\n")]);
  return { stream: Buffer.concat(Array.from({ length: frames }, () => frame)), frames };
}

/** CPU time of this process in milliseconds: steadier than wall time on a shared machine. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs `pass` (one pass over the input) in three rounds of about SECONDS / 3 each; returns the
 * best round's passes per CPU second.
 */
function measure(pass: () => void): number {
  for (let i = 0; i < 5; i++) pass(); // warm up
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let passes = 0;
    const wallDeadline = performance.now() + (SECONDS * 1000) / 3;
    const start = cpuMs();
    do {
      pass();
      passes++;
    } while (performance.now() < wallDeadline);
    best = Math.max(best, (passes * 1000) / (cpuMs() - start));
  }
  return best;
}

interface Row {
  readonly name: string;
  readonly decoder: string;
  readonly mbPerSecond: number;
  readonly framesPerSecond: number;
}

function decodeRow(name: string, input: { stream: Buffer; frames: number }, strings: boolean): Row[] {
  const chunks = chunked(input.stream);
  let count = 0;
  const ours = new RESPDecoder({
    decodeStrings: () => strings,
    onReply: () => {
      count++;
    },
    onPush: () => {},
  });
  const rows: Row[] = [];
  const oursRate = measure(() => {
    for (const chunk of chunks) ours.feed(chunk);
  });
  if (count % input.frames !== 0) throw new Error(`decoded ${count} frames, not a multiple of ${input.frames}`);
  rows.push({
    name,
    decoder: "coredis",
    mbPerSecond: (oursRate * input.stream.length) / 1e6,
    framesPerSecond: oursRate * input.frames,
  });
  if (nodeRedis) {
    // node-redis maps blob and simple strings to Buffer with 36/43 → Buffer in its type mapping.
    const mapping: Record<number, unknown> = strings ? {} : { 36: Buffer, 43: Buffer };
    const theirs = new nodeRedis.Decoder({
      onReply: () => {},
      onErrorReply: () => {},
      onPush: () => {},
      getTypeMapping: () => mapping,
    });
    const rate = measure(() => {
      for (const chunk of chunks) theirs.write(chunk);
    });
    rows.push({
      name,
      decoder: "node-redis",
      mbPerSecond: (rate * input.stream.length) / 1e6,
      framesPerSecond: rate * input.frames,
    });
  }
  return rows;
}

/** Nanoseconds per encoded command, with a take() every `batch` commands (one socket write). */
function encodeNs(argv: readonly (string | Buffer)[], batch: number): { ours: number; theirs: number | undefined } {
  const encoder = new CommandEncoder();
  const rounds = 2000;
  const oursRate = measure(() => {
    for (let i = 0; i < rounds; i++) {
      encoder.encode(argv);
      if (i % batch === batch - 1) encoder.take();
    }
    encoder.take();
  });
  let theirs: number | undefined;
  if (nodeRedis) {
    const encode = nodeRedis.encode;
    const args = [...argv];
    let sink = 0;
    const rate = measure(() => {
      for (let i = 0; i < rounds; i++) sink += encode(args).length;
    });
    if (sink < 0) throw new Error("unreachable");
    theirs = 1e9 / (rate * rounds);
  }
  return { ours: 1e9 / (oursRate * rounds), theirs };
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

const small = smallRepliesStream();
const large = bulksStream(100 * 1024, 20);
const huge = bulksStream(1024 * 1024, 4);
const decodeRows = [
  ...decodeRow("small replies, strings", small, true),
  ...decodeRow("small replies, Buffers", small, false),
  ...decodeRow("100 KiB bulks, strings", large, true),
  ...decodeRow("100 KiB bulks, Buffers", large, false),
  ...decodeRow("1 MiB bulks, strings", huge, true),
];

process.stdout.write(
  `Node ${process.version}; small-reply stream ${(small.stream.length / 1024).toFixed(0)} KiB / ${small.frames} frames; ` +
    `bulk streams ${large.frames} × 100 KiB and ${huge.frames} × 1 MiB; fed in ${SOCKET_CHUNK / 1024} KiB chunks\n\n`,
);
process.stdout.write(`${pad("decode", 26)}${pad("decoder", 12)}${pad("MB/s", 10, true)}${pad("frames/s", 14, true)}\n`);
for (const row of decodeRows) {
  process.stdout.write(
    `${pad(row.name, 26)}${pad(row.decoder, 12)}${pad(row.mbPerSecond.toFixed(0), 10, true)}` +
      `${pad(Math.round(row.framesPerSecond).toLocaleString("en-US"), 14, true)}\n`,
  );
}

const value100 = "v".repeat(100);
const encodeCases: [string, (string | Buffer)[]][] = [
  ["SET key value", ["SET", "key", "value"]],
  ["SET key:123456 <100 B string>", ["SET", "key:123456", value100]],
  ["SET key:123456 <100 B Buffer>", ["SET", "key:123456", Buffer.from(value100)]],
  ["SET key:123456 <1 MiB string>", ["SET", "key:123456", "m".repeat(1024 * 1024)]],
];
process.stdout.write(`\n${pad("encode", 32)}${pad("batch", 7, true)}${pad("coredis ns", 13, true)}${pad("node-redis ns", 15, true)}\n`);
for (const [name, argv] of encodeCases) {
  for (const batch of [1, 64]) {
    const { ours, theirs } = encodeNs(argv, batch);
    process.stdout.write(
      `${pad(name, 32)}${pad(String(batch), 7, true)}${pad(ours.toFixed(0), 13, true)}` +
        `${pad(theirs === undefined ? "-" : theirs.toFixed(0), 15, true)}\n`,
    );
  }
}
process.stdout.write(
  "\nnode-redis's encoder returns strings and Buffers for the socket to encode; ours returns bytes ready to write.\n",
);
