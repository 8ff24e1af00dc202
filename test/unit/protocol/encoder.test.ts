import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../src/errors.js";
import { RESPDecoder } from "../../../src/protocol/decoder.js";
import { CommandEncoder, encodeCommand, joinChunks } from "../../../src/protocol/encoder.js";
import type { RedisArgument, RESPValue } from "../../../src/protocol/values.js";

/**
 * Decodes `bytes` in Buffer mode, whole and cut at every boundary and bytewise (streams longer
 * than 2 KiB, or with `everyCut` false: in 7-byte chunks); asserts that all cuts agree.
 */
function decodeAll(bytes: Buffer, everyCut = true): RESPValue[] {
  const run = (chunks: Buffer[]): RESPValue[] => {
    const replies: RESPValue[] = [];
    const decoder = new RESPDecoder({ decodeStrings: () => false, onReply: (v) => replies.push(v), onPush: () => {} });
    for (const chunk of chunks) decoder.feed(Buffer.from(chunk));
    assert.equal(decoder.hasPartialFrame, false);
    return replies;
  };
  const whole = run([bytes]);
  if (!everyCut || bytes.length > 2048) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    assert.deepStrictEqual(run(chunks), whole);
  } else {
    for (let i = 1; i < bytes.length; i++) assert.deepStrictEqual(run([bytes.subarray(0, i), bytes.subarray(i)]), whole);
    assert.deepStrictEqual(run(Array.from(bytes, (b) => Buffer.from([b]))), whole);
  }
  return whole;
}

/** The bytes Redis should receive for one argument. */
function expectedBytes(arg: RedisArgument): Buffer {
  if (typeof arg === "string") return Buffer.from(arg, "utf8");
  if (typeof arg === "number") {
    return Buffer.from(arg === Infinity ? "inf" : arg === -Infinity ? "-inf" : String(arg), "latin1");
  }
  if (typeof arg === "bigint") return Buffer.from(arg.toString(), "latin1");
  return arg;
}

function encodeAll(encoder: CommandEncoder, commands: readonly (readonly RedisArgument[])[]): Buffer {
  for (const argv of commands) encoder.encode(argv);
  const pending = encoder.pendingBytes;
  const bytes = joinChunks(encoder.take());
  assert.equal(bytes.length, pending);
  assert.equal(encoder.pendingBytes, 0);
  return bytes;
}

describe("CommandEncoder", () => {
  it("encodes a command as a RESP array of bulk strings", () => {
    const encoder = new CommandEncoder();
    encoder.encode(["SET", "key", "value"]);
    assert.equal(encoder.pendingBytes, 33);
    assert.equal(joinChunks(encoder.take()).toString(), "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
    assert.deepStrictEqual(encoder.take(), []);
  });

  it("encodes numbers in decimal, bigints and Buffers", () => {
    const bytes = encodeCommand(["X", 0, -5, 42, 1.5, -0, 2 ** 53, -(2 ** 53), 1e21, Infinity, -Infinity, 123n, -9n, Buffer.from([0, 13, 10, 255])]);
    assert.deepStrictEqual(decodeAll(bytes), [
      ["X", "0", "-5", "42", "1.5", "0", "9007199254740992", "-9007199254740992", "1e+21", "inf", "-inf", "123", "-9"].map(
        (s) => Buffer.from(s),
      ).concat([Buffer.from([0, 13, 10, 255])]),
    ]);
  });

  it("encodes strings as UTF-8, short, long, ASCII or not", () => {
    // "é" × 5 and "日" × 4 have more length digits in bytes than in characters (payload moves).
    const args = ["", "a", "é", "é".repeat(5), "日".repeat(4), "✓ check", "x".repeat(23), "x".repeat(24), "日本語".repeat(30), "x".repeat(63), "x".repeat(64), "ü".repeat(200), "y".repeat(5000), "\u{1F600}"];
    const [decoded] = decodeAll(encodeCommand(args));
    assert.deepStrictEqual(decoded, args.map((s) => Buffer.from(s, "utf8")));
  });

  it("rejects NaN, other types and an empty command, keeping nothing of the command", () => {
    const encoder = new CommandEncoder({ slabBytes: 64 });
    encoder.encode(["PING"]);
    const before = encoder.pendingBytes;
    // Long enough to move to a new slab before the bad argument.
    assert.throws(() => encoder.encode(["SET", "k".repeat(100), NaN]), InvalidArgumentError);
    assert.throws(() => encoder.encode(["SET", "k".repeat(100), null as unknown as string]), /argument 2 has unsupported type object/);
    assert.throws(() => encoder.encode(["SET", Buffer.alloc(100), {} as unknown as string]), InvalidArgumentError);
    assert.throws(() => encoder.encode([]), InvalidArgumentError);
    assert.equal(encoder.pendingBytes, before);
    encoder.encode(["GET", "k"]);
    assert.deepStrictEqual(decodeAll(joinChunks(encoder.take())), [
      [Buffer.from("PING")],
      [Buffer.from("GET"), Buffer.from("k")],
    ]);
  });

  it("sends large Buffer arguments as chunks of their own, uncopied", () => {
    const encoder = new CommandEncoder();
    const big = Buffer.alloc(20_000, 1);
    encoder.encode(["SET", "k", big]);
    encoder.encode(["GET", "k"]);
    const chunks = encoder.take();
    assert.equal(chunks.length, 3);
    assert.equal(chunks[1], big);
    assert.deepStrictEqual(decodeAll(joinChunks(chunks)), [
      [Buffer.from("SET"), Buffer.from("k"), big],
      [Buffer.from("GET"), Buffer.from("k")],
    ]);
  });

  it("queues large strings as they are, for the socket to encode, with their UTF-8 length", () => {
    const encoder = new CommandEncoder();
    const big = "é".repeat(10_000); // 20 000 bytes in UTF-8
    encoder.encode(["SET", "k", big]);
    const chunks = encoder.take();
    assert.equal(chunks.length, 3);
    assert.equal(chunks[1], big);
    assert.equal(encoder.pendingBytes, 0);
    assert.deepStrictEqual(decodeAll(joinChunks(chunks)), [[Buffer.from("SET"), Buffer.from("k"), Buffer.from(big, "utf8")]]);
  });

  it("encodes large strings and Uint8Arrays", () => {
    const encoder = new CommandEncoder({ largeArgumentBytes: 100 });
    const text = "✓".repeat(50); // 150 bytes
    const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]).subarray(2, 10);
    const bigBytes = new Uint8Array(300).fill(9).subarray(50, 250);
    encoder.encode(["A", text, bytes as Buffer, bigBytes as Buffer]);
    assert.deepStrictEqual(decodeAll(joinChunks(encoder.take())), [
      [Buffer.from("A"), Buffer.from(text), Buffer.from(bytes), Buffer.from(bigBytes)],
    ]);
  });

  it("never writes again to bytes handed out by take()", () => {
    const encoder = new CommandEncoder({ slabBytes: 256 });
    const handedOut: { chunk: Buffer; copy: Buffer }[] = [];
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i <= round % 5; i++) encoder.encode(["SET", `key:${round}:${i}`, "v".repeat(round % 37), round]);
      for (const chunk of encoder.take()) {
        assert.ok(Buffer.isBuffer(chunk), "short arguments only: every chunk is bytes");
        handedOut.push({ chunk, copy: Buffer.from(chunk) });
      }
      for (const { chunk, copy } of handedOut) assert.deepStrictEqual(chunk, copy);
    }
    // And the stream they form is still a valid sequence of commands.
    const replies = decodeAll(Buffer.concat(handedOut.map((h) => h.chunk)));
    assert.equal(replies.length, [...Array(200).keys()].reduce((n, round) => n + (round % 5) + 1, 0));
  });

  it("keeps arguments in order across slab changes", () => {
    const encoder = new CommandEncoder({ slabBytes: 64, largeArgumentBytes: 40 });
    const argv = ["CMD", "a".repeat(30), Buffer.alloc(50, 2), "b".repeat(50), Buffer.alloc(10, 3), 123456789, "c"];
    encoder.encode(argv);
    encoder.encode(argv);
    const expected = argv.map(expectedBytes);
    assert.deepStrictEqual(decodeAll(joinChunks(encoder.take())), [expected, expected]);
  });

  it("rejects bad options", () => {
    assert.throws(() => new CommandEncoder({ slabBytes: 10 }), InvalidArgumentError);
    assert.throws(() => new CommandEncoder({ largeArgumentBytes: 0 }), InvalidArgumentError);
  });

  it("encodeCommand returns a Buffer of its own", () => {
    const a = encodeCommand(["PING"]);
    const b = encodeCommand(["ECHO", "x"]);
    assert.equal(a.toString(), "*1\r\n$4\r\nPING\r\n");
    assert.equal(b.toString(), "*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n");
  });
});

const arbArgument: fc.Arbitrary<RedisArgument> = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes)),
  fc.maxSafeInteger(),
  fc.double().filter((n) => !Number.isNaN(n)),
  fc.bigInt(),
);

describe("CommandEncoder round trips (fast-check)", () => {
  it("encode → decode gives back every argument's bytes, whatever the slab and large sizes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(arbArgument, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 64, max: 1024 }),
        fc.integer({ min: 1, max: 256 }),
        (commands, slabBytes, largeArgumentBytes) => {
          const encoder = new CommandEncoder({ slabBytes, largeArgumentBytes });
          const bytes = encodeAll(encoder, commands);
          assert.deepStrictEqual(
            decodeAll(bytes, false),
            commands.map((argv) => argv.map(expectedBytes)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
