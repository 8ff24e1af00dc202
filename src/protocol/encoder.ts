/**
 * Command encoder: argument lists → RESP arrays of bulk strings, written into a reusable slab.
 *
 * Layout of the slab (the invariant everything below keeps):
 * ```
 *   0            #start            #pos              slab.length
 *   | handed out  | encoded, not yet | free             |
 *   | never again | taken            |                  |
 *   | written     |                  |                  |
 * ```
 * Bytes before `#start` belong to chunks already queued or returned by `take()`: a socket may still
 * be writing them, so they are never written again. `take()` moves `#start` up to `#pos`; when the
 * free part is too small, a fresh slab replaces the old one (which lives on only in its chunks).
 *
 * Nothing is allocated per argument on the hot path: short ASCII strings are copied byte by byte,
 * other strings go through Node's UTF-8 writer in one pass, numbers are written digit by digit,
 * small Buffers are copied. Buffers of at least `largeArgumentBytes` are not copied at all but
 * queued as chunks of their own (so the caller must not modify such a Buffer until it has been
 * written); strings that long are queued as strings, for the socket to encode as it writes.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { RedisArgument } from "./values.js";

/** Options of a {@link CommandEncoder}. */
export interface CommandEncoderOptions {
  /**
   * Size of the largest slab the encoder writes into, in bytes. Slabs start at 1 KiB (or this,
   * if smaller) and double as they fill, up to this size.
   * @defaultValue 65536
   */
  slabBytes?: number;
  /**
   * Buffer arguments at least this long are queued as chunks of their own instead of being copied;
   * strings this long (in UTF-8 bytes) are queued as strings.
   * @defaultValue 16384
   */
  largeArgumentBytes?: number;
}

const DEFAULT_SLAB_BYTES = 64 * 1024;
/** The first slab's size; see `#slabBytes`. */
const FIRST_SLAB_BYTES = 1024;
/** Stands for "no slab yet": full from the start, so the first command allocates one. */
const NO_SLAB = Buffer.alloc(0);
const DEFAULT_LARGE_ARGUMENT_BYTES = 16 * 1024;
/**
 * Strings shorter than this are copied by a JS loop when ASCII: benchmarked, the loop beats the
 * fixed cost of a native call up to about 25 characters.
 */
const SHORT_STRING_CHARS = 24;
/** Room for a header: `*` or `$`, up to 16 digits, CRLF. */
const HEADER_ROOM = 20;

const CR = 13;
const LF = 10;
const ASTERISK = 42;
const DOLLAR = 36;

/** Node's own UTF-8 writer, which `Buffer#write` calls after validating its arguments. */
interface UTF8Writer {
  utf8Write(string: string, offset: number, length: number): number;
}
// Every Node Buffer has it (checked once here all the same). Going to it directly skips argument
// validation that costs more than writing a 100-byte string.
const hasUTF8Write = typeof (Buffer.prototype as Partial<UTF8Writer>).utf8Write === "function";

/** `buf.write(s, offset, length, "utf8")` for a range known to be valid, by the shortest path. */
function writeUTF8(buf: Buffer, s: string, offset: number, length: number): number {
  return hasUTF8Write ? (buf as unknown as UTF8Writer).utf8Write(s, offset, length) : buf.write(s, offset, length, "utf8");
}

/** The number of decimal digits of a non-negative safe integer. */
function decimalDigits(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  let digits = 5;
  for (let limit = 100000; n >= limit && digits < 16; limit *= 10) digits++;
  return digits;
}

/** Writes the digits of the non-negative safe integer `n` into `buf` at `at`; returns the end. */
function writeDigits(buf: Buffer, at: number, n: number): number {
  const end = at + decimalDigits(n);
  let i = end;
  let rest = n;
  do {
    const quotient = Math.floor(rest / 10);
    buf[--i] = 48 + (rest - quotient * 10);
    rest = quotient;
  } while (rest > 0);
  return end;
}

/** The decimal text Redis expects for a number that is not a safe integer. */
function numberText(n: number, index: number): string {
  if (Number.isNaN(n)) throw new InvalidArgumentError(`command argument ${index} is NaN`);
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  return String(n);
}

/**
 * One piece of encoded output: bytes, or a long string argument's text, which the socket encodes
 * as UTF-8 when it writes it (`socket.write(chunk)` does the right thing with either).
 */
export type EncodedChunk = Buffer | string;

/**
 * Encodes commands into RESP for one connection's writes.
 *
 * @example
 * ```ts
 * const encoder = new CommandEncoder();
 * encoder.encode(["SET", "key", "value"]);
 * encoder.encode(["INCRBY", "counter", 5]);
 * for (const chunk of encoder.take()) socket.write(chunk); // corked, for one writev
 * ```
 */
export class CommandEncoder {
  /** The largest slab to allocate (the option). */
  readonly #maxSlabBytes: number;
  /**
   * The size of the next slab. Slabs start small and double each time one fills up, to
   * `#maxSlabBytes`: a connection that only ever carries a few commands (a dedicated BLPOP) keeps
   * a small slab, a busy shared one grows to full size. No slab until the first command.
   */
  #slabBytes: number;
  readonly #largeBytes: number;
  #slab: Buffer;
  /** The first slab byte not yet part of a queued chunk. */
  #start = 0;
  /** The next slab byte to write. */
  #pos = 0;
  /** Chunks encoded since the last take(), in order, except the slab's `[#start, #pos)`. */
  #chunks: EncodedChunk[] = [];
  /** Total bytes in `#chunks`. */
  #queuedBytes = 0;

  /** @throws {InvalidArgumentError} when a size is not a positive integer. */
  constructor(options: CommandEncoderOptions = {}) {
    const { slabBytes = DEFAULT_SLAB_BYTES, largeArgumentBytes = DEFAULT_LARGE_ARGUMENT_BYTES } = options;
    if (!Number.isSafeInteger(slabBytes) || slabBytes < 64) {
      throw new InvalidArgumentError("slabBytes must be an integer of at least 64 (bytes)");
    }
    if (!Number.isSafeInteger(largeArgumentBytes) || largeArgumentBytes < 1) {
      throw new InvalidArgumentError("largeArgumentBytes must be a positive integer (bytes)");
    }
    this.#maxSlabBytes = slabBytes;
    this.#slabBytes = Math.min(slabBytes, FIRST_SLAB_BYTES);
    this.#largeBytes = largeArgumentBytes;
    this.#slab = NO_SLAB;
  }

  /** Bytes encoded since the last {@link CommandEncoder.take}. */
  get pendingBytes(): number {
    return this.#queuedBytes + this.#pos - this.#start;
  }

  /**
   * Appends one command: a RESP array of bulk strings. Strings are sent as UTF-8, numbers in
   * decimal (`Infinity` as `inf`), bigints by `toString()`, Buffers as they are.
   *
   * @throws {InvalidArgumentError} for an empty command, a NaN, or an argument of another type;
   *   nothing of the command is kept then.
   */
  encode(argv: readonly RedisArgument[]): void {
    const count = argv.length;
    if (count === 0) throw new InvalidArgumentError("a command needs at least one argument");
    // Snapshot, so that a bad argument leaves no half-encoded command behind.
    const slab = this.#slab;
    const start = this.#start;
    const pos = this.#pos;
    const chunkCount = this.#chunks.length;
    const queuedBytes = this.#queuedBytes;
    try {
      this.#header(ASTERISK, count);
      for (let i = 0; i < count; i++) {
        const arg = argv[i];
        if (typeof arg === "string") this.#string(arg);
        else if (typeof arg === "number") this.#number(arg, i);
        else if (arg instanceof Uint8Array) this.#buffer(arg);
        else if (typeof arg === "bigint") this.#string(arg.toString());
        else throw new InvalidArgumentError(`command argument ${i} has unsupported type ${typeof arg}`);
      }
    } catch (error) {
      this.#slab = slab;
      this.#start = start;
      this.#pos = pos;
      this.#chunks.length = chunkCount;
      this.#queuedBytes = queuedBytes;
      throw error;
    }
  }

  /**
   * Returns the chunks encoded since the last call, in order: views of the slab, large Buffer
   * arguments, and large string arguments as they are. The encoder never writes to them again.
   */
  take(): EncodedChunk[] {
    if (this.#pos > this.#start) this.#queueSlab();
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#queuedBytes = 0;
    return chunks;
  }

  /** Makes sure `bytes` can be written at `#pos`, moving to a fresh slab if needed. */
  #reserve(bytes: number): void {
    if (this.#pos + bytes <= this.#slab.length) return;
    if (this.#pos > this.#start) this.#queueSlab();
    if (this.#slab !== NO_SLAB) this.#slabBytes = Math.min(this.#slabBytes * 2, this.#maxSlabBytes);
    this.#slab = Buffer.allocUnsafe(Math.max(this.#slabBytes, bytes));
    this.#start = 0;
    this.#pos = 0;
  }

  /** Queues the slab's unqueued bytes `[#start, #pos)` as a chunk. */
  #queueSlab(): void {
    this.#chunks.push(this.#slab.subarray(this.#start, this.#pos));
    this.#queuedBytes += this.#pos - this.#start;
    this.#start = this.#pos;
  }

  /** Queues `chunk` itself (`bytes` long once encoded), after whatever the slab holds. */
  #queueChunk(chunk: EncodedChunk, bytes: number): void {
    if (this.#pos > this.#start) this.#queueSlab();
    this.#chunks.push(chunk);
    this.#queuedBytes += bytes;
  }

  /** Writes `<prefix><n>\r\n`. */
  #header(prefix: number, n: number): void {
    this.#reserve(HEADER_ROOM);
    const slab = this.#slab;
    slab[this.#pos] = prefix;
    const end = writeDigits(slab, this.#pos + 1, n);
    slab[end] = CR;
    slab[end + 1] = LF;
    this.#pos = end + 2;
  }

  #crlf(): void {
    this.#reserve(2);
    this.#slab[this.#pos] = CR;
    this.#slab[this.#pos + 1] = LF;
    this.#pos += 2;
  }

  #string(s: string): void {
    const length = s.length;
    if (length < SHORT_STRING_CHARS) {
      // Optimistic ASCII path: the payload goes after a header sized for `length` bytes; the first
      // non-ASCII character abandons it (nothing at or after #pos is owned yet) for the UTF-8 path.
      this.#reserve(length + 8);
      const slab = this.#slab;
      const at = this.#pos;
      let p = at + (length < 10 ? 4 : 5);
      let i = 0;
      for (; i < length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        slab[p++] = c;
      }
      if (i === length) {
        slab[at] = DOLLAR;
        const headerEnd = writeDigits(slab, at + 1, length);
        slab[headerEnd] = CR;
        slab[headerEnd + 1] = LF;
        slab[p] = CR;
        slab[p + 1] = LF;
        this.#pos = p + 2;
        return;
      }
    }
    if (length * 3 < this.#largeBytes) {
      // At most 3 UTF-8 bytes per UTF-16 unit, so it fits the slab. Write the payload after a
      // header sized for `length` bytes, then fix the header (moving the payload in the rare case
      // that non-ASCII text adds a digit to its length): one pass over the string instead of two.
      this.#reserve(HEADER_ROOM + length * 3 + 2);
      const slab = this.#slab;
      const at = this.#pos;
      const guess = at + 3 + decimalDigits(length);
      const bytes = writeUTF8(slab, s, guess, length * 3);
      const payload = at + 3 + decimalDigits(bytes);
      if (payload !== guess) slab.copyWithin(payload, guess, guess + bytes);
      slab[at] = DOLLAR;
      const headerEnd = writeDigits(slab, at + 1, bytes);
      slab[headerEnd] = CR;
      slab[headerEnd + 1] = LF;
      slab[payload + bytes] = CR;
      slab[payload + bytes + 1] = LF;
      this.#pos = payload + bytes + 2;
      return;
    }
    const bytes = Buffer.byteLength(s, "utf8");
    this.#header(DOLLAR, bytes);
    if (bytes >= this.#largeBytes) {
      // Queued as the string itself: the socket encodes it in native memory as it writes, where a
      // Buffer made here would count as V8 external memory, and a megabyte of it per command
      // brings a full garbage collection every few dozen commands (measured on `mixed`).
      this.#queueChunk(s, bytes);
    } else {
      this.#reserve(bytes);
      this.#pos += writeUTF8(this.#slab, s, this.#pos, bytes);
    }
    this.#crlf();
  }

  #number(n: number, index: number): void {
    if (!Number.isSafeInteger(n)) {
      this.#string(numberText(n, index));
      return;
    }
    // `$<digits>\r\n<number>\r\n` fits in 2 * HEADER_ROOM bytes.
    this.#reserve(2 * HEADER_ROOM);
    const slab = this.#slab;
    const negative = n < 0;
    const magnitude = negative ? -n : n;
    const length = decimalDigits(magnitude) + (negative ? 1 : 0);
    slab[this.#pos] = DOLLAR;
    let p = writeDigits(slab, this.#pos + 1, length);
    slab[p] = CR;
    slab[p + 1] = LF;
    p += 2;
    if (negative) slab[p++] = 45;
    p = writeDigits(slab, p, magnitude);
    slab[p] = CR;
    slab[p + 1] = LF;
    this.#pos = p + 2;
  }

  #buffer(arg: Uint8Array): void {
    const length = arg.length;
    this.#header(DOLLAR, length);
    if (length >= this.#largeBytes) {
      this.#queueChunk(Buffer.isBuffer(arg) ? arg : Buffer.from(arg.buffer, arg.byteOffset, length), length);
      this.#crlf();
      return;
    }
    this.#reserve(length + 2);
    this.#slab.set(arg, this.#pos);
    this.#pos += length;
    this.#slab[this.#pos] = CR;
    this.#slab[this.#pos + 1] = LF;
    this.#pos += 2;
  }
}

let shared: CommandEncoder | undefined;

/**
 * Checks that {@link CommandEncoder.encode} would accept `argv`, without encoding it: for work
 * that must refuse a bad argument when it is queued rather than when it is written (a batch whose
 * other commands would run without it).
 * @throws {InvalidArgumentError} as {@link CommandEncoder.encode} does.
 */
export function assertEncodable(argv: readonly RedisArgument[]): void {
  if (argv.length === 0) throw new InvalidArgumentError("a command needs at least one argument");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (typeof arg === "string" || arg instanceof Uint8Array || typeof arg === "bigint") continue;
    if (typeof arg === "number") {
      if (Number.isNaN(arg)) throw new InvalidArgumentError(`command argument ${i} is NaN`);
      continue;
    }
    throw new InvalidArgumentError(`command argument ${i} has unsupported type ${typeof arg}`);
  }
}

/**
 * Encodes one command into a Buffer of its own: a convenience for tests, handshakes and tools,
 * not for the hot path (it copies).
 *
 * @throws {InvalidArgumentError} as {@link CommandEncoder.encode} does.
 */
export function encodeCommand(argv: readonly RedisArgument[]): Buffer {
  shared ??= new CommandEncoder();
  shared.encode(argv);
  return joinChunks(shared.take());
}

/** The bytes of encoded chunks, joined into one Buffer (strings encoded as UTF-8). */
export function joinChunks(chunks: readonly EncodedChunk[]): Buffer {
  return Buffer.concat(chunks.map((chunk) => (typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)));
}
