/**
 * Incremental RESP2/RESP3 decoder: socket chunks in, replies out through a {@link ReplySink}.
 *
 * How it works (the postgres.js frame loop, made iterative):
 * - Tokens are parsed in place from the chunk being fed. Only a token that straddles two chunks is
 *   copied: an unfinished line (`+OK`, `:12`, `$5` …) is kept and joined with the start of the
 *   next chunk once its CRLF arrives; the body of a bulk string is collected piece by piece as its
 *   bytes arrive and joined once, when complete.
 * - Aggregates live on an explicit stack (parallel arrays, no object per level), so nesting depth
 *   is bounded by {@link DecoderOptions.maxDepth}, never by the JS call stack.
 * - Nothing is allocated from a declared length: arrays grow by `push` as elements arrive and bulk
 *   bodies are joined only from bytes received, so a hostile `$2147483647` or `*2147483647` costs
 *   nothing until the bytes exist, and {@link DecoderOptions.maxReplyBytes} bounds what they may be.
 *
 * Decoding decisions are those of `values.ts`. In addition:
 * - Integers (`:`) decode to `number`; beyond ±2^53 they are rounded, as in ioredis and node-redis.
 * - `-1` lengths are RESP2's null on every length-prefixed type except push (`>`) and attribute
 *   (`|`) frames, where they are a protocol error.
 * - A push frame (`>`) nested inside another aggregate is decoded as an ordinary array.
 * - Strings are decoded as UTF-8.
 * - In Buffer mode, a string that arrived within one chunk is a zero-copy view of that chunk (one
 *   that straddled chunks is a Buffer of its own). This is what ioredis and node-redis do, and it
 *   decodes small replies about 1.6 times faster than copying them. So: the decoder never writes to
 *   a chunk, and the caller must not reuse or modify a chunk after feeding it (Node's `net.Socket`
 *   allocates a fresh Buffer per read and never does). The price is retention: a small value kept
 *   for long keeps its whole chunk (up to 64 KiB) alive; copy it (`Buffer.from(value)`) to avoid
 *   that.
 *
 * @module
 */
import { isAscii } from "node:buffer";
import { InvalidArgumentError, ProtocolError, errorFromReply } from "../errors.js";
import type { PushMessage, RESPValue } from "./values.js";

/** Receives what {@link RESPDecoder} decodes. Called synchronously from `feed`; must not throw. */
export interface ReplySink {
  /**
   * Asked once at the start of each top-level frame: decode its bulk and simple strings as
   * `string` (true) or `Buffer` (false). `isPush` is true for `>` frames. A top-level attribute
   * counts as a frame of its own here: the value after it is asked about again.
   */
  decodeStrings(isPush: boolean): boolean;
  /** Each complete top-level frame other than a push. */
  onReply(value: RESPValue): void;
  /** Each complete top-level push (`>`) frame. */
  onPush(value: PushMessage): void;
  /**
   * Each complete attribute (`|`) map, called before the value it decorates. Attributes never
   * become replies; without this callback they are dropped.
   */
  onAttribute?(value: Map<RESPValue, RESPValue>): void;
}

/** Limits of a {@link RESPDecoder}. */
export interface DecoderOptions {
  /**
   * The largest declared bulk length, and the largest total size of one top-level reply, in bytes.
   * @defaultValue 536870912 (512 MiB, Redis's own `proto-max-bulk-len`)
   */
  maxReplyBytes?: number;
  /**
   * The deepest aggregate nesting accepted; deeper input is a {@link ProtocolError}.
   * @defaultValue 10000
   */
  maxDepth?: number;
}

const DEFAULT_MAX_REPLY_BYTES = 512 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 10_000;
/** Bytes of a line scanned in JS before handing the CR search to `Buffer#indexOf`. */
const INLINE_SCAN_BYTES = 64;

const CR = 13;
const LF = 10;
const MINUS = 45;
const COLON = 58;

// Type bytes, named as in the RESP3 specification.
const SIMPLE_STRING = 43; // +
const SIMPLE_ERROR = 45; // -
const NUMBER = 58; // :
const BLOB_STRING = 36; // $
const ARRAY = 42; // *
const NULL = 95; // _
const BOOLEAN = 35; // #
const DOUBLE = 44; // ,
const BIG_NUMBER = 40; // (
const VERBATIM_STRING = 61; // =
const BLOB_ERROR = 33; // !
const MAP = 37; // %
const SET = 126; // ~
const ATTRIBUTE = 124; // |
const PUSH = 62; // >

/** Node's own slicers, which `Buffer#toString` calls after checking its arguments. */
interface Slicers {
  utf8Slice(start: number, end: number): string;
  asciiSlice(start: number, end: number): string;
}
// Every Node Buffer has them (checked once here all the same); going to them directly skips
// argument checks that, for a short string, cost about as much as decoding it (benchmarked: about
// +10% on the small-reply mix of bench/micro/protocol.ts).
const hasSlicers =
  typeof (Buffer.prototype as Partial<Slicers>).utf8Slice === "function" &&
  typeof (Buffer.prototype as Partial<Slicers>).asciiSlice === "function";

/**
 * Bodies from this size on are checked for pure ASCII first (simdutf: ~90 GB/s, negligible) and,
 * when they are, sliced as ASCII. The result is the same string; the ASCII path is up to 5x faster
 * for values of a megabyte or more (measured on Node 20: 1 MiB in 143 µs against 705 µs), where
 * Node makes external strings and its UTF-8 path does not. Below this size the check costs more
 * than it saves.
 */
const ASCII_CHECK_BYTES = 64 * 1024;

/** `buf.toString("utf8", start, end)` for offsets known to be in range, by the shortest path. */
function utf8(buf: Buffer, start: number, end: number): string {
  if (!hasSlicers) return buf.toString("utf8", start, end);
  const slicers = buf as unknown as Slicers;
  if (end - start >= ASCII_CHECK_BYTES && isAscii(buf.subarray(start, end))) return slicers.asciiSlice(start, end);
  return slicers.utf8Slice(start, end);
}

/** Bodies up to this size are joined in the shared scratch buffer; larger ones get their own. */
const SCRATCH_MAX_BYTES = 4 * 1024 * 1024;
let scratch: Buffer = Buffer.alloc(0);

/**
 * Joins a bulk body's pieces. With `transient`, the result is only read before the next call
 * (it is decoded to a string at once), so it may be the scratch buffer that every decoder shares:
 * decoding is synchronous, and nothing else writes the scratch in between.
 */
function joinPieces(pieces: readonly Buffer[], length: number, transient: boolean): Buffer {
  if (!transient || length > SCRATCH_MAX_BYTES) return Buffer.concat(pieces, length);
  if (scratch.length < length) {
    let size = 64 * 1024;
    while (size < length) size *= 2;
    scratch = Buffer.allocUnsafeSlow(size);
  }
  let at = 0;
  for (const piece of pieces) {
    scratch.set(piece, at);
    at += piece.length;
  }
  return scratch;
}

/** Whether `s` is a non-empty run of characters a RESP3 double may contain (sign, digits, `.eE`). */
function isDoubleText(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 101 || c === 69)) return false;
  }
  return true;
}

/**
 * Incremental RESP2/RESP3 decoder for one byte stream (one connection).
 *
 * Indexed byte reads below are always guarded by an explicit `< end` check; `as number` only
 * removes the `undefined` that `noUncheckedIndexedAccess` adds to them.
 *
 * @example
 * ```ts
 * const decoder = new RESPDecoder({
 *   decodeStrings: () => true,
 *   onReply: (value) => replies.push(value),
 *   onPush: (message) => pushes.push(message),
 * });
 * socket.on("data", (chunk: Buffer) => decoder.feed(chunk));
 * ```
 */
export class RESPDecoder {
  readonly #sink: ReplySink;
  readonly #maxReplyBytes: number;
  readonly #maxDepth: number;

  // The aggregate stack. Level `i < #depth` is an open aggregate of type `#kinds[i]` still
  // expecting `#remaining[i]` elements (maps and attributes count keys and values, 2 per entry;
  // an odd count left after taking an element means that element was a key, kept in `#keys[i]`).
  // Exactly one of `#lists[i]` / `#maps[i]` is set; levels `>= #depth` hold nulls.
  #depth = 0;
  readonly #kinds: number[] = [];
  readonly #remaining: number[] = [];
  readonly #lists: (RESPValue[] | null)[] = [];
  readonly #maps: (Map<RESPValue, RESPValue> | null)[] = [];
  readonly #keys: RESPValue[] = [];

  // The current top-level frame. `#inFrame` is true from its first byte to its delivery;
  // `#frameStart` is the absolute stream offset of that first byte.
  #inFrame = false;
  #strings = true;
  #frameStart = 0;

  // Absolute stream offsets: `#fed` counts every byte fed since the last reset; `#base` is the
  // offset of byte 0 of the buffer being parsed (used for limits and error messages).
  #fed = 0;
  #base = 0;

  // An unfinished line token carried over from earlier chunks: its pieces, their total size and
  // the absolute offset of its type byte. `#line` is null when no line is pending.
  #line: Buffer[] | null = null;
  #lineBytes = 0;
  #lineStart = 0;

  // An unfinished bulk body (`$`, `=`, `!`): `#bulkType` is 0 when none. `#bulkLeft` body bytes
  // and then `#crlfLeft` terminator bytes are still expected; `#bulkPieces` holds the body so far.
  #bulkType = 0;
  #bulkLength = 0;
  #bulkLeft = 0;
  #crlfLeft = 0;
  #bulkPieces: Buffer[] = [];

  // Second result of #readInteger: the offset after the number's CRLF, or -1 if incomplete.
  #next = 0;
  #failure: ProtocolError | null = null;

  /**
   * @param sink - receives replies, pushes and attributes as frames complete.
   * @throws {InvalidArgumentError} when a limit is not a positive integer.
   */
  constructor(sink: ReplySink, options: DecoderOptions = {}) {
    const { maxReplyBytes = DEFAULT_MAX_REPLY_BYTES, maxDepth = DEFAULT_MAX_DEPTH } = options;
    if (!Number.isSafeInteger(maxReplyBytes) || maxReplyBytes < 1) {
      throw new InvalidArgumentError("maxReplyBytes must be a positive integer (bytes)");
    }
    if (!Number.isSafeInteger(maxDepth) || maxDepth < 1) {
      throw new InvalidArgumentError("maxDepth must be a positive integer");
    }
    this.#sink = sink;
    this.#maxReplyBytes = maxReplyBytes;
    this.#maxDepth = maxDepth;
  }

  /** Whether bytes of an unfinished frame are held (a stream that ends now ends mid-reply). */
  get hasPartialFrame(): boolean {
    return this.#inFrame;
  }

  /** Bytes received so far of the unfinished top-level frame; 0 between frames. */
  get partialBytes(): number {
    return this.#inFrame ? this.#fed - this.#frameStart : 0;
  }

  /**
   * Decodes every frame that `chunk` completes, calling the sink synchronously, and keeps any
   * unfinished frame for the next call.
   *
   * @throws {ProtocolError} on malformed input or a broken limit, and on every call after one;
   *   the stream cannot be trusted any more (see {@link RESPDecoder.reset}). If the sink throws,
   *   its error propagates and the decoder is unusable too.
   */
  feed(chunk: Buffer): void {
    if (this.#failure !== null) throw this.#failure;
    if (chunk.length === 0) return;
    const chunkBase = this.#fed;
    this.#fed += chunk.length;
    try {
      let off = 0;
      if (this.#line !== null) {
        off = this.#finishLine(chunk);
        if (off < 0) return;
      }
      this.#base = chunkBase;
      if (this.#bulkType !== 0) {
        off = this.#continueBulk(chunk, off);
        if (off < 0) return;
      }
      this.#parse(chunk, off);
    } catch (error) {
      this.#failure =
        error instanceof ProtocolError
          ? error
          : new ProtocolError("RESP decoder stopped: a reply handler threw", { cause: error });
      throw error;
    }
  }

  /** Forgets any unfinished frame and any earlier failure, ready for a new byte stream. */
  reset(): void {
    this.#depth = 0;
    this.#kinds.length = 0;
    this.#remaining.length = 0;
    this.#lists.length = 0;
    this.#maps.length = 0;
    this.#keys.length = 0;
    this.#inFrame = false;
    this.#fed = 0;
    this.#base = 0;
    this.#line = null;
    this.#lineBytes = 0;
    this.#bulkType = 0;
    this.#bulkPieces = [];
    this.#failure = null;
  }

  /**
   * Parses tokens from `buf[off..]` until the buffer ends. Invariant on entry: no line or bulk
   * body is pending, and `off` is at a token boundary.
   */
  #parse(buf: Buffer, start: number): void {
    const end = buf.length;
    let off = start;
    while (off < end) {
      const type = buf[off] as number;
      if (!this.#inFrame) this.#beginFrame(type, off);
      let value: RESPValue;
      switch (type) {
        case SIMPLE_STRING: {
          const cr = this.#lineEnd(buf, off + 1, end);
          if (cr < 0) {
            this.#stashLine(buf, off);
            return;
          }
          // Simple strings are status words (OK, PONG, QUEUED, a TYPE name): never binary data, so
          // they are strings in either mode, and a reply typed "OK" is "OK" for Redis<Buffer> too.
          // "+OK" answers most writes: skip the string decoder for it.
          if (cr === off + 3 && buf[off + 1] === 79 && buf[off + 2] === 75) value = "OK";
          else value = utf8(buf, off + 1, cr);
          off = cr + 2;
          break;
        }
        case NUMBER: {
          value = this.#readInteger(buf, off + 1, end);
          if (this.#next < 0) {
            this.#stashLine(buf, off);
            return;
          }
          off = this.#next;
          break;
        }
        case BLOB_STRING:
        case VERBATIM_STRING:
        case BLOB_ERROR: {
          const length = this.#readInteger(buf, off + 1, end);
          const body = this.#next;
          if (body < 0) {
            this.#stashLine(buf, off);
            return;
          }
          if (length < 0) {
            if (length !== -1) throw this.#error(`negative length for type ${this.#typeName(type)}`, off);
            value = null;
            off = body;
            break;
          }
          this.#checkBulkLength(length, body);
          if (body + length + 2 <= end) {
            if (buf[body + length] !== CR || buf[body + length + 1] !== LF) {
              throw this.#error("expected CRLF after bulk string", body + length);
            }
            if (type !== BLOB_STRING) value = this.#bulkValue(type, buf, body, body + length);
            else value = this.#strings ? utf8(buf, body, body + length) : buf.subarray(body, body + length);
            off = body + length + 2;
            break;
          }
          // The body straddles chunks: collect it as it arrives.
          this.#bulkType = type;
          this.#bulkLength = length;
          this.#bulkLeft = length;
          this.#crlfLeft = 2;
          off = this.#continueBulk(buf, body);
          if (off < 0) return;
          continue;
        }
        case ARRAY:
        case MAP:
        case SET:
        case PUSH:
        case ATTRIBUTE: {
          const count = this.#readInteger(buf, off + 1, end);
          if (this.#next < 0) {
            this.#stashLine(buf, off);
            return;
          }
          if (count > 0) {
            if (count > this.#maxReplyBytes) throw this.#error("aggregate length exceeds maxReplyBytes", off);
            this.#open(type, count, off);
            off = this.#next;
            continue;
          }
          if (count === -1 && type !== PUSH && type !== ATTRIBUTE) {
            off = this.#next;
            value = null;
            break;
          }
          if (count !== 0) throw this.#error(`negative length for type ${this.#typeName(type)}`, off);
          off = this.#next;
          // An empty aggregate is complete at once.
          if (type === MAP) value = new Map();
          else if (type === ATTRIBUTE) {
            this.#attributeDone(new Map());
            continue;
          } else if (type === PUSH && this.#depth === 0) {
            this.#inFrame = false;
            this.#sink.onPush([]);
            continue;
          } else value = [];
          break;
        }
        case NULL: {
          // Check the bytes at hand before waiting for more, so a joined line is always complete.
          if (off + 1 < end && buf[off + 1] !== CR) throw this.#error("expected CRLF after null", off + 1);
          if (off + 2 < end && buf[off + 2] !== LF) throw this.#error("expected CRLF after null", off + 1);
          if (off + 3 > end) {
            this.#stashLine(buf, off);
            return;
          }
          value = null;
          off += 3;
          break;
        }
        case BOOLEAN: {
          const b = buf[off + 1];
          if (off + 1 < end && b !== 116 && b !== 102) throw this.#error("bad boolean (expected t or f)", off + 1);
          if (off + 2 < end && buf[off + 2] !== CR) throw this.#error("expected CRLF after boolean", off + 2);
          if (off + 3 < end && buf[off + 3] !== LF) throw this.#error("expected CRLF after boolean", off + 2);
          if (off + 4 > end) {
            this.#stashLine(buf, off);
            return;
          }
          value = b === 116;
          off += 4;
          break;
        }
        case SIMPLE_ERROR: {
          const cr = this.#lineEnd(buf, off + 1, end);
          if (cr < 0) {
            this.#stashLine(buf, off);
            return;
          }
          value = errorFromReply(utf8(buf, off + 1, cr));
          off = cr + 2;
          break;
        }
        case DOUBLE: {
          const cr = this.#lineEnd(buf, off + 1, end);
          if (cr < 0) {
            this.#stashLine(buf, off);
            return;
          }
          value = this.#parseDouble(buf, off + 1, cr);
          off = cr + 2;
          break;
        }
        case BIG_NUMBER: {
          const cr = this.#lineEnd(buf, off + 1, end);
          if (cr < 0) {
            this.#stashLine(buf, off);
            return;
          }
          value = this.#parseBigNumber(buf, off + 1, cr);
          off = cr + 2;
          break;
        }
        default:
          throw this.#error(`unknown RESP type byte 0x${type.toString(16).padStart(2, "0")}`, off);
      }
      this.#emit(value);
    }
    // The buffer ended on a token boundary, possibly inside a frame.
    if (this.#inFrame) this.#checkFrameSize(this.#base + end);
  }

  /** Starts a top-level frame at `buf[off]`: fixes its string mode and where it began. */
  #beginFrame(type: number, off: number): void {
    this.#inFrame = true;
    this.#frameStart = this.#base + off;
    this.#strings = this.#sink.decodeStrings(type === PUSH);
  }

  /** Pushes an aggregate of `count` (> 0) elements onto the stack. */
  #open(type: number, count: number, off: number): void {
    const depth = this.#depth;
    if (depth >= this.#maxDepth) throw this.#error(`nesting deeper than maxDepth (${this.#maxDepth})`, off);
    const isMap = type === MAP || type === ATTRIBUTE;
    this.#kinds[depth] = type;
    this.#remaining[depth] = isMap ? count * 2 : count;
    this.#lists[depth] = isMap ? null : [];
    this.#maps[depth] = isMap ? new Map() : null;
    this.#keys[depth] = null;
    this.#depth = depth + 1;
  }

  /**
   * Hands a complete value to its parent aggregate, closing every aggregate it completes, or to
   * the sink when it is a whole top-level frame. Iterative: closing 100 000 levels is a loop.
   */
  #emit(completed: RESPValue): void {
    let value = completed;
    for (;;) {
      const depth = this.#depth;
      if (depth === 0) {
        this.#inFrame = false;
        this.#sink.onReply(value);
        return;
      }
      const top = depth - 1;
      const left = (this.#remaining[top] as number) - 1;
      this.#remaining[top] = left;
      const map = this.#maps[top];
      const list = this.#lists[top];
      if (map) {
        if ((left & 1) === 1) this.#keys[top] = value;
        else map.set(this.#keys[top] as RESPValue, value);
      } else if (list) {
        list.push(value);
      }
      if (left !== 0) return;
      // This aggregate is complete: pop it, releasing the stack's references to it.
      const kind = this.#kinds[top];
      this.#depth = top;
      this.#lists[top] = null;
      this.#maps[top] = null;
      this.#keys[top] = null;
      if (map) {
        if (kind === ATTRIBUTE) {
          this.#attributeDone(map);
          return;
        }
        value = map;
      } else if (list) {
        if (kind === PUSH && top === 0) {
          this.#inFrame = false;
          this.#sink.onPush(list);
          return;
        }
        value = list;
      }
    }
  }

  /** An attribute map is complete: it decorates the next value and is not an element itself. */
  #attributeDone(attributes: Map<RESPValue, RESPValue>): void {
    // At top level, the decorated value starts a frame of its own (its string mode is asked anew).
    if (this.#depth === 0) this.#inFrame = false;
    this.#sink.onAttribute?.(attributes);
  }

  /**
   * Parses `[-]digits CRLF` at `buf[start..]`. Returns the number and sets `#next` to the offset
   * after the CRLF, or to -1 when the line is not complete in `buf`.
   */
  #readInteger(buf: Buffer, start: number, end: number): number {
    let i = start;
    const negative = i < end && buf[i] === MINUS;
    if (negative) i++;
    const digitsStart = i;
    let n = 0;
    for (; i < end; i++) {
      const c = buf[i] as number;
      if (c === CR) break;
      const digit = c - 48;
      if (digit < 0 || digit > 9) throw this.#error("bad integer", i);
      n = n * 10 + digit;
    }
    if (i + 1 >= end) {
      this.#next = -1;
      return 0;
    }
    if (buf[i + 1] !== LF) throw this.#error("expected CRLF after integer", i);
    const digits = i - digitsStart;
    if (digits === 0 || digits > 19) throw this.#error("bad integer", digitsStart);
    // Up to 15 digits the running sum is exact; longer ones are rounded once, correctly.
    if (digits > 15) n = Number(buf.toString("latin1", digitsStart, i));
    this.#next = i + 2;
    return negative ? -n : n;
  }

  /**
   * Finds the CR of the line starting at `buf[start]`. Returns its offset once the LF after it is
   * in `buf` too, or -1 when the line is not complete in `buf`.
   *
   * A line may hold neither CR nor LF but as its terminator (RESP's rule for simple strings and
   * errors; the other line types take only their own characters: digits, signs, `inf` …), and a
   * bare one is a {@link ProtocolError}. A bare CR shows as a CR not followed by LF; a bare LF is
   * looked for as the line is scanned: the inline loop tests each byte against CR anyway, and
   * `c <= CR` is that same one comparison for ordinary text (every byte above CR), so only control
   * bytes take the extra branch. A long line's rest is searched by `indexOf` for its CR, then for
   * an LF, which in well-formed input stops at the terminator's LF.
   */
  #lineEnd(buf: Buffer, start: number, end: number): number {
    let i = start;
    const inlineEnd = Math.min(end, start + INLINE_SCAN_BYTES);
    for (; i < inlineEnd; i++) {
      const c = buf[i] as number;
      if (c <= CR) {
        if (c === CR) break;
        if (c === LF) throw this.#error("bare LF in a line", i);
      }
    }
    if (i === inlineEnd && i < end) {
      const cr = buf.indexOf(CR, i);
      if (cr < 0) return -1;
      const lf = buf.indexOf(LF, i);
      if (lf >= 0 && lf < cr) throw this.#error("bare LF in a line", lf);
      i = cr;
    }
    if (i + 1 >= end) return -1;
    if (buf[i + 1] !== LF) throw this.#error("expected CRLF", i);
    return i;
  }

  /** Keeps the unfinished line token `buf[start..]` for the next chunk. */
  #stashLine(buf: Buffer, start: number): void {
    this.#line = [buf.subarray(start)];
    this.#lineBytes = buf.length - start;
    this.#lineStart = this.#base + start;
    this.#checkFrameSize(this.#base + buf.length);
  }

  /**
   * Completes the pending line with the start of `chunk` and parses it as one buffer. Returns the
   * offset in `chunk` after the line, or -1 when `chunk` does not complete it either.
   */
  #finishLine(chunk: Buffer): number {
    const pieces = this.#line as Buffer[];
    const last = pieces[pieces.length - 1] as Buffer;
    let stop: number;
    if (last[last.length - 1] === CR) {
      stop = 1; // the line's LF (or garbage, which the parse reports) is chunk[0]
    } else {
      const cr = chunk.indexOf(CR);
      if (cr < 0 || cr === chunk.length - 1) {
        pieces.push(chunk);
        this.#lineBytes += chunk.length;
        this.#checkFrameSize(this.#lineStart + this.#lineBytes);
        return -1;
      }
      stop = cr + 2;
    }
    pieces.push(chunk.subarray(0, stop));
    const line = Buffer.concat(pieces, this.#lineBytes + stop);
    this.#line = null;
    this.#lineBytes = 0;
    // Parse the joined line as if it were a chunk of its own, starting where the token began.
    this.#base = this.#lineStart;
    this.#parse(line, 0);
    // Every token kind checks the bytes it has before stashing, so a line that ends at its CRLF
    // (or one byte after a CR) is always parsed or rejected whole.
    if (this.#line !== null) throw new ProtocolError("RESP decoder error: a joined line was still incomplete");
    return stop;
  }

  /**
   * Feeds `buf[off..]` to the pending bulk body. Returns the offset after the body's CRLF once the
   * value is complete (and emitted), or -1 when `buf` ends first.
   */
  #continueBulk(buf: Buffer, off: number): number {
    const end = buf.length;
    let i = off;
    if (this.#bulkLeft > 0) {
      const take = Math.min(this.#bulkLeft, end - i);
      if (take > 0) this.#bulkPieces.push(buf.subarray(i, i + take));
      this.#bulkLeft -= take;
      i += take;
    }
    while (this.#bulkLeft === 0 && this.#crlfLeft > 0 && i < end) {
      const expected = this.#crlfLeft === 2 ? CR : LF;
      if (buf[i] !== expected) throw this.#error("expected CRLF after bulk string", i);
      this.#crlfLeft--;
      i++;
    }
    if (this.#bulkLeft > 0 || this.#crlfLeft > 0) {
      this.#checkFrameSize(this.#base + end);
      return -1;
    }
    const pieces = this.#bulkPieces;
    const type = this.#bulkType;
    this.#bulkPieces = [];
    this.#bulkType = 0;
    const length = this.#bulkLength;
    // A body decoded to a string is copied out of the joined bytes at once, so it is joined in a
    // reused scratch buffer: a fresh megabyte Buffer per value counts as V8 external memory and
    // brings frequent full collections.
    const body =
      pieces.length === 1 ? (pieces[0] as Buffer) : joinPieces(pieces, length, this.#strings || type === BLOB_ERROR);
    this.#emit(this.#bulkValue(type, body, 0, length));
    return i;
  }

  /** Builds the value of a bulk-like token whose body is `buf[start, end)`. */
  #bulkValue(type: number, buf: Buffer, start: number, end: number): RESPValue {
    if (type === BLOB_ERROR) return errorFromReply(utf8(buf, start, end));
    let from = start;
    if (type === VERBATIM_STRING) {
      // `=<len>\r\nfmt:<text>`: a three-letter format and a colon precede the text.
      if (end - start < 4 || buf[start + 3] !== COLON) throw this.#error("bad verbatim string", start);
      from = start + 4;
    }
    if (this.#strings) return utf8(buf, from, end);
    return buf.subarray(from, end);
  }

  /** Rejects a declared bulk length that the limits forbid, before any of its bytes is held. */
  #checkBulkLength(length: number, body: number): void {
    if (length > this.#maxReplyBytes) throw this.#error("bulk length exceeds maxReplyBytes", body);
    this.#checkFrameSize(this.#base + body + length + 2);
  }

  /** Throws when the current frame would extend to absolute offset `endAbs`, beyond the limit. */
  #checkFrameSize(endAbs: number): void {
    if (endAbs - this.#frameStart > this.#maxReplyBytes) {
      throw new ProtocolError(
        `RESP reply starting at byte offset ${this.#frameStart} exceeds maxReplyBytes (${this.#maxReplyBytes})`,
      );
    }
  }

  /** Parses a RESP3 double: decimal or exponent notation, `inf`, `-inf`, `nan`. */
  #parseDouble(buf: Buffer, start: number, end: number): number {
    const text = buf.toString("latin1", start, end);
    switch (text.length <= 4 ? text.toLowerCase() : text) {
      case "inf":
      case "+inf":
        return Infinity;
      case "-inf":
        return -Infinity;
      case "nan":
      case "-nan":
        return NaN;
    }
    const value = isDoubleText(text) ? Number(text) : NaN;
    if (Number.isNaN(value)) throw this.#error("bad double", start);
    return value;
  }

  /** Parses a RESP3 big number: `[-]digits`. */
  #parseBigNumber(buf: Buffer, start: number, end: number): bigint {
    let i = start;
    if (i < end && buf[i] === MINUS) i++;
    if (i === end) throw this.#error("bad big number", start);
    for (; i < end; i++) {
      const c = buf[i] as number;
      if (c < 48 || c > 57) throw this.#error("bad big number", i);
    }
    return BigInt(buf.toString("latin1", start, end));
  }

  /** A ProtocolError naming what was wrong and where; never the payload. */
  #error(what: string, offset: number): ProtocolError {
    return new ProtocolError(`RESP protocol error: ${what} at byte offset ${this.#base + offset}`);
  }

  #typeName(type: number): string {
    return `'${String.fromCharCode(type)}'`;
  }
}
