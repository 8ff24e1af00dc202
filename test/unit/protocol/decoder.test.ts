import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  AskError,
  MovedError,
  ProtocolError,
  ResponseError,
  UnknownCommandError,
  WrongTypeError,
} from "../../../src/errors.js";
import { RESPDecoder, type DecoderOptions, type ReplySink } from "../../../src/protocol/decoder.js";
import type { PushMessage, RESPValue } from "../../../src/protocol/values.js";
import {
  arbFrame,
  encodeValue,
  expectedAttributes,
  expectedFrame,
  type TestValue,
} from "../../harness/resp-values.js";

/** Records every sink call in order. */
class Recorder implements ReplySink {
  readonly events: (["reply", RESPValue] | ["push", PushMessage] | ["attribute", Map<RESPValue, RESPValue>])[] = [];
  readonly asked: boolean[] = [];
  constructor(readonly strings: boolean) {}
  decodeStrings(isPush: boolean): boolean {
    this.asked.push(isPush);
    return this.strings;
  }
  onReply(value: RESPValue): void {
    this.events.push(["reply", value]);
  }
  onPush(value: PushMessage): void {
    this.events.push(["push", value]);
  }
  onAttribute(value: Map<RESPValue, RESPValue>): void {
    this.events.push(["attribute", value]);
  }
  get replies(): RESPValue[] {
    return this.events.filter((e) => e[0] === "reply").map((e) => e[1]);
  }
}

type Events = Recorder["events"];

/** Every way the tests cut a byte stream: whole, at each boundary in two, and byte by byte. */
function* splits(bytes: Buffer): Generator<Buffer[]> {
  yield [bytes];
  for (let i = 1; i < bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
  if (bytes.length > 2) yield Array.from(bytes, (b) => Buffer.from([b]));
}

/** Feeds `chunks` (each copied into a fresh Buffer, as a socket delivers them) to a new decoder. */
function decode(chunks: readonly Buffer[], strings: boolean, options?: DecoderOptions): Recorder {
  const recorder = new Recorder(strings);
  const decoder = new RESPDecoder(recorder, options);
  for (const chunk of chunks) decoder.feed(Buffer.from(chunk));
  assert.equal(decoder.hasPartialFrame, false, "a frame was left unfinished");
  return recorder;
}

/** Asserts that `bytes`, cut every way, decodes to `expected`. */
function assertDecodes(bytes: Buffer | string, expected: Events, strings = true, options?: DecoderOptions): void {
  const buf = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
  for (const chunks of splits(buf)) {
    assert.deepStrictEqual(decode(chunks, strings, options).events, expected, `cut into ${chunks.length}`);
  }
}

/** Asserts that `bytes`, cut every way, makes the decoder throw a ProtocolError, and then again. */
function assertMalformed(bytes: string, message?: RegExp, options?: DecoderOptions): void {
  const buf = Buffer.from(bytes, "latin1");
  for (const chunks of splits(buf)) {
    const decoder = new RESPDecoder(new Recorder(true), options);
    let thrown: unknown;
    for (const chunk of chunks) {
      try {
        decoder.feed(Buffer.from(chunk));
      } catch (error) {
        thrown = error;
        break;
      }
    }
    assert.ok(thrown instanceof ProtocolError, `no ProtocolError for ${JSON.stringify(bytes)} cut into ${chunks.length}`);
    if (message) assert.match(thrown.message, message);
    assert.throws(() => decoder.feed(Buffer.from("+OK\r\n")), ProtocolError, "decoder usable after an error");
  }
}

const reply = (value: RESPValue): Events[number] => ["reply", value];

describe("RESPDecoder scalars", () => {
  it("simple strings, as strings in string and Buffer mode alike", () => {
    assertDecodes("+OK\r\n", [reply("OK")]);
    assertDecodes("+hello world\r\n", [reply("hello world")]);
    assertDecodes("+\r\n", [reply("")]);
    assertDecodes(Buffer.from("+héllo ✓\r\n"), [reply("héllo ✓")]);
    assertDecodes("+OK\r\n", [reply("OK")], false);
    assertDecodes("+PONG\r\n", [reply("PONG")], false);
    assertDecodes(`+${"x".repeat(200)}\r\n`, [reply("x".repeat(200))]);
  });

  it("integers, rounding only beyond 2^53", () => {
    assertDecodes(":0\r\n", [reply(0)]);
    assertDecodes(":-123\r\n", [reply(-123)]);
    assertDecodes(":9007199254740991\r\n", [reply(9007199254740991)]);
    assertDecodes(":9223372036854775807\r\n", [reply(2 ** 63)]);
    assertDecodes(":-9223372036854775808\r\n", [reply(-(2 ** 63))]);
    assertDecodes(":9007199254740993\r\n", [reply(Number("9007199254740993"))]);
  });

  it("bulk strings, empty and null", () => {
    assertDecodes("$5\r\nhello\r\n", [reply("hello")]);
    assertDecodes("$5\r\nhello\r\n", [reply(Buffer.from("hello"))], false);
    assertDecodes("$0\r\n\r\n", [reply("")]);
    assertDecodes("$0\r\n\r\n", [reply(Buffer.alloc(0))], false);
    assertDecodes("$4\r\na\r\nb\r\n", [reply("a\r\nb")]);
    assertDecodes("$-1\r\n", [reply(null)]);
    assertDecodes("*-1\r\n", [reply(null)]);
    assertDecodes("_\r\n", [reply(null)]);
  });

  it("a multi-byte character split across chunks decodes whole", () => {
    const bytes = Buffer.concat([Buffer.from("$4\r\n"), Buffer.from("✓a"), Buffer.from("\r\n")]);
    assertDecodes(bytes, [reply("✓a")]);
  });

  it("booleans, doubles (inf, -inf, nan) and big numbers", () => {
    assertDecodes("#t\r\n#f\r\n", [reply(true), reply(false)]);
    assertDecodes(",1.5\r\n", [reply(1.5)]);
    assertDecodes(",-0.25\r\n", [reply(-0.25)]);
    assertDecodes(",10\r\n", [reply(10)]);
    assertDecodes(",1.2345678901234567e+21\r\n", [reply(Number("1.2345678901234567e21"))]);
    assertDecodes(",5e-324\r\n", [reply(5e-324)]);
    assertDecodes(",inf\r\n", [reply(Infinity)]);
    assertDecodes(",-inf\r\n", [reply(-Infinity)]);
    assertDecodes(",nan\r\n", [reply(NaN)]);
    assertDecodes(",-0\r\n", [reply(-0)]);
    assertDecodes("(3492890328409238509324850943850943825024385\r\n", [
      reply(3492890328409238509324850943850943825024385n),
    ]);
    assertDecodes("(-12\r\n", [reply(-12n)]);
  });

  it("verbatim strings lose their format prefix", () => {
    assertDecodes("=15\r\ntxt:Some string\r\n", [reply("Some string")]);
    assertDecodes("=15\r\ntxt:Some string\r\n", [reply(Buffer.from("Some string"))], false);
    assertDecodes("=4\r\nmkd:\r\n", [reply("")]);
  });

  it("errors are ResponseError values of the mapped class", () => {
    const recorder = decode([Buffer.from("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")], true);
    const [value] = recorder.replies;
    assert.ok(value instanceof WrongTypeError);
    assert.ok(value instanceof ResponseError);
    assert.equal(value.prefix, "WRONGTYPE");
    assertDecodes("-ERR unknown command 'FOO'\r\n", [reply(new UnknownCommandError("ERR unknown command 'FOO'"))]);
    assertDecodes("!21\r\nSYNTAX invalid syntax\r\n", [reply(new ResponseError("SYNTAX invalid syntax"))]);
    // Errors stay strings in Buffer mode.
    assertDecodes("-MOVED 3999 127.0.0.1:6381\r\n", [reply(new MovedError("MOVED 3999 127.0.0.1:6381"))], false);
    const [ask] = decode([Buffer.from("!23\r\nASK 3999 127.0.0.1:6381\r\n")], false).replies;
    assert.ok(ask instanceof AskError);
    assert.equal(ask.port, 6381);
  });

  it("Buffer-mode values are views of the chunk, which is never written to", () => {
    const recorder = new Recorder(false);
    const decoder = new RESPDecoder(recorder);
    const chunk = Buffer.from("$5\r\nhello\r\n$5\r\nworld\r\n");
    const copy = Buffer.from(chunk);
    decoder.feed(chunk);
    assert.deepStrictEqual(chunk, copy);
    assert.deepStrictEqual(recorder.replies, [Buffer.from("hello"), Buffer.from("world")]);
    for (const value of recorder.replies) assert.ok(Buffer.isBuffer(value) && value.buffer === chunk.buffer);
  });

});

describe("RESPDecoder large bodies", () => {
  const frameOf = (body: Buffer): Buffer => Buffer.concat([Buffer.from(`$${body.length}\r\n`), body, Buffer.from("\r\n")]);
  const split = (bytes: Buffer, size: number): Buffer[] => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    return chunks;
  };

  it("large Buffer-mode values are correct whether in one chunk or split", () => {
    const body = Buffer.alloc(100 * 1024, 7);
    const frame = frameOf(body);
    for (const size of [1000, 64 * 1024, frame.length]) {
      assert.deepStrictEqual(decode(split(frame, size), false).replies, [body]);
      assert.deepStrictEqual(decode(split(frame, size), true).replies, [body.toString()]);
    }
  });

  it("decodes ASCII and UTF-8 bodies past the ASCII check's size the same as toString()", () => {
    const ascii = Buffer.alloc(1100 * 1024, "a");
    // Multi-byte characters, one of them cut by every chunk boundary below.
    const utf8 = Buffer.from("ascii then ✓ and é ".repeat(8000), "utf8");
    const highByteLast = Buffer.concat([Buffer.alloc(70 * 1024, "b"), Buffer.from("é", "utf8")]);
    for (const body of [ascii, utf8, highByteLast]) {
      for (const size of [4099, 64 * 1024, body.length + 100]) {
        assert.equal(decode(split(frameOf(body), size), true).replies[0], body.toString("utf8"));
      }
    }
  });

  it("joins string bodies in a shared scratch, never Buffer-mode ones", () => {
    const first = Buffer.alloc(200 * 1024, 1);
    const second = Buffer.alloc(150 * 1024, 2);
    const strings = decode(split(Buffer.concat([frameOf(Buffer.alloc(300 * 1024, "s")), frameOf(Buffer.alloc(10, "t"))]), 5000), true);
    assert.deepStrictEqual(strings.replies, ["s".repeat(300 * 1024), "t".repeat(10)]);
    const buffers = decode(split(Buffer.concat([frameOf(first), frameOf(second)]), 5000), false).replies;
    // A later string reply joined in the scratch must not show through an earlier Buffer reply.
    decode(split(frameOf(Buffer.alloc(250 * 1024, "z")), 5000), true);
    assert.deepStrictEqual(buffers, [first, second]);
  });
});

describe("RESPDecoder aggregates", () => {
  it("arrays, nested and empty", () => {
    assertDecodes("*0\r\n", [reply([])]);
    assertDecodes("*3\r\n:1\r\n$1\r\na\r\n*2\r\n#t\r\n_\r\n", [reply([1, "a", [true, null]])]);
    assertDecodes("*2\r\n*-1\r\n$-1\r\n", [reply([null, null])]);
    assertDecodes("*2\r\n+a\r\n$1\r\nb\r\n", [reply(["a", Buffer.from("b")])], false);
  });

  it("error replies sit in place inside an aggregate", () => {
    assertDecodes("*2\r\n+OK\r\n-ERR boom\r\n", [reply(["OK", new ResponseError("ERR boom")])]);
  });

  it("sets decode to arrays", () => {
    assertDecodes("~3\r\n+a\r\n+b\r\n+a\r\n", [reply(["a", "b", "a"])]);
    assertDecodes("~0\r\n", [reply([])]);
  });

  it("maps decode to Map, with string keys in string mode", () => {
    assertDecodes("%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n:2\r\n", [
      reply(
        new Map<RESPValue, RESPValue>([
          ["first", 1],
          ["second", 2],
        ]),
      ),
    ]);
    assertDecodes("%0\r\n", [reply(new Map())]);
    assertDecodes("%1\r\n+k\r\n%1\r\n:1\r\n*1\r\n_\r\n", [
      reply(new Map<RESPValue, RESPValue>([["k", new Map<RESPValue, RESPValue>([[1, [null]]])]])),
    ]);
    assertDecodes("%1\r\n$1\r\nk\r\n$1\r\nv\r\n", [reply(new Map<RESPValue, RESPValue>([[Buffer.from("k"), Buffer.from("v")]]))], false);
  });

  it("a __proto__ key does not pollute anything", () => {
    const frame = "%2\r\n$9\r\n__proto__\r\n%1\r\n+polluted\r\n#t\r\n+constructor\r\n+x\r\n";
    const [map] = decode([Buffer.from(frame)], true).replies;
    assert.ok(map instanceof Map);
    assert.deepStrictEqual(map.get("__proto__"), new Map([["polluted", true]]));
    assert.equal(map.get("constructor"), "x");
    assert.equal(Object.getPrototypeOf(map), Map.prototype);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  });

  it("push frames go to onPush, and decodeStrings is told", () => {
    const frame = "+OK\r\n>3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n:5\r\n>0\r\n";
    assertDecodes(frame, [reply("OK"), ["push", ["message", "news", "hi"]], reply(5), ["push", []]]);
    const recorder = decode([Buffer.from(frame)], true);
    assert.deepStrictEqual(recorder.asked, [false, true, false, true]);
  });

  it("decodeStrings is asked once per top-level frame, however it is cut", () => {
    const frame = Buffer.from("*2\r\n$5\r\nhello\r\n+OK\r\n:1\r\n");
    for (const chunks of splits(frame)) assert.equal(decode(chunks, true).asked.length, 2);
  });

  it("a push nested in an aggregate is an ordinary array", () => {
    assertDecodes("*1\r\n>1\r\n:1\r\n", [reply([[1]])]);
  });

  it("attributes go to onAttribute, and the value after them is the reply", () => {
    const frame = "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n";
    assertDecodes(frame, [
      [
        "attribute",
        new Map<RESPValue, RESPValue>([
          [
            "key-popularity",
            new Map<RESPValue, RESPValue>([
              ["a", 0.1923],
              ["b", 0.0012],
            ]),
          ],
        ]),
      ],
      reply([2039123, 9543892]),
    ]);
    // Inside an aggregate, an attribute does not count as an element.
    assertDecodes("*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n", [
      ["attribute", new Map<RESPValue, RESPValue>([["ttl", 3600]])],
      reply([1, 2]),
    ]);
    // Nor inside a map, where it must not shift keys and values.
    assertDecodes("%1\r\n|0\r\n+k\r\n|1\r\n+a\r\n+b\r\n+v\r\n", [
      ["attribute", new Map()],
      ["attribute", new Map<RESPValue, RESPValue>([["a", "b"]])],
      reply(new Map<RESPValue, RESPValue>([["k", "v"]])),
    ]);
    // An attribute before a push decorates the push.
    assertDecodes("|1\r\n+a\r\n+b\r\n>1\r\n+x\r\n", [["attribute", new Map<RESPValue, RESPValue>([["a", "b"]])], ["push", ["x"]]]);
  });

  it("attributes are dropped without an onAttribute callback", () => {
    const replies: RESPValue[] = [];
    const decoder = new RESPDecoder({ decodeStrings: () => true, onReply: (v) => replies.push(v), onPush: () => {} });
    decoder.feed(Buffer.from("|1\r\n+a\r\n+b\r\n:1\r\n"));
    assert.deepStrictEqual(replies, [1]);
  });

  it("many frames in one chunk, in order", () => {
    const frames = "+OK\r\n:1\r\n$3\r\nfoo\r\n*1\r\n+a\r\n%1\r\n+k\r\n+v\r\n_\r\n";
    assertDecodes(frames, [
      reply("OK"),
      reply(1),
      reply("foo"),
      reply(["a"]),
      reply(new Map<RESPValue, RESPValue>([["k", "v"]])),
      reply(null),
    ]);
  });
});

describe("RESPDecoder malformed input", () => {
  it("unknown type byte", () => {
    assertMalformed("?foo\r\n", /unknown RESP type byte 0x3f at byte offset 0/);
    assertMalformed("+OK\r\n@\r\n", /at byte offset 5/);
    assertMalformed("*1\r\nhello\r\n", /unknown RESP type byte 0x68/);
  });

  it("bad integers and lengths", () => {
    assertMalformed(":12a\r\n", /bad integer/);
    assertMalformed(":\r\n", /bad integer/);
    assertMalformed(":-\r\n", /bad integer/);
    assertMalformed(":+1\r\n", /bad integer/);
    assertMalformed(":12345678901234567890\r\n", /bad integer/);
    assertMalformed("$abc\r\n", /bad integer/);
    assertMalformed("$-2\r\n", /negative length/);
    assertMalformed("*-5\r\n", /negative length/);
    assertMalformed(">-1\r\n", /negative length/);
    assertMalformed("|-1\r\n", /negative length/);
  });

  it("missing CRLF", () => {
    assertMalformed("+OK\rX", /expected CRLF/);
    assertMalformed(":1\r\r", /expected CRLF/);
    assertMalformed("$3\r\nfooXY", /expected CRLF/);
    assertMalformed("$3\r\nfoo\rX", /expected CRLF/);
    assertMalformed("_X\r\n", /expected CRLF/);
    assertMalformed("_\rX", /expected CRLF/);
    assertMalformed("#t\rX", /expected CRLF/);
    assertMalformed("#tt\r\n", /expected CRLF/);
  });

  it("a bare LF or CR inside a line-typed frame", () => {
    const long = "x".repeat(100); // past the inline scan, so the indexOf path is checked too
    // Simple strings and errors: the bytes would otherwise be taken as text.
    assertMalformed("+OK\nstill\r\n", /bare LF in a line at byte offset 3/);
    assertMalformed("-ERR x\ny\r\n", /bare LF in a line at byte offset 6/);
    assertMalformed("+OK\n\r\n", /bare LF/);
    assertMalformed("+\n\r\n", /bare LF/);
    assertMalformed(`+${long}\nmore\r\n`, /bare LF in a line at byte offset 101/);
    assertMalformed(`-ERR ${long}\n\r\n`, /bare LF in a line at byte offset 105/);
    assertMalformed("+OK\rstill\r\n", /expected CRLF/);
    assertMalformed("-ERR x\ry\r\n", /expected CRLF/);
    assertMalformed(`+${long}\rmore\r\n`, /expected CRLF/);
    // The other line types, and the length lines of the length-prefixed ones.
    for (const type of [":", "$", "*", "%", "~", ">", "|", "=", "!"]) {
      assertMalformed(`${type}1\n2\r\n`, /bad integer/);
      assertMalformed(`${type}1\r2\r\n`, /expected CRLF/);
      assertMalformed(`${type}\n1\r\n`, /bad integer/);
    }
    assertMalformed(",1\n2\r\n", /bare LF/);
    assertMalformed(",1\r2\r\n", /expected CRLF/);
    assertMalformed("(12\n3\r\n", /bare LF/);
    assertMalformed("(12\r3\r\n", /expected CRLF/);
    assertMalformed("_\n\r\n", /expected CRLF/);
    assertMalformed("#t\n\r\n", /expected CRLF/);
    // Inside an aggregate, and after a good frame.
    assertMalformed("*2\r\n+a\r\n+b\nc\r\n", /bare LF in a line at byte offset 10/);
    assertMalformed("+OK\r\n-ERR a\nb\r\n", /bare LF in a line at byte offset 11/);
  });

  it("other control bytes in a simple string are text, in short and long lines", () => {
    const long = "y".repeat(100);
    assertDecodes("+a\tb\x00c\x0bd\x0ce\r\n", [reply("a\tb\x00c\x0bd\x0ce")]);
    assertDecodes(`+${long}\t\r\n+OK\r\n`, [reply(`${long}\t`), reply("OK")]);
    assertDecodes(`-ERR ${long}\r\n`, [reply(new ResponseError(`ERR ${long}`))]);
  });

  it("bad booleans, doubles, big numbers and verbatim strings", () => {
    assertMalformed("#x\r\n", /bad boolean/);
    assertMalformed("#\r\n\r\n", /bad boolean/);
    assertMalformed(",\r\n", /bad double/);
    assertMalformed(",1.2.3\r\n", /bad double/);
    assertMalformed(",abc\r\n", /bad double/);
    assertMalformed(",0x10\r\n", /bad double/);
    assertMalformed(", 1\r\n", /bad double/);
    assertMalformed("(\r\n", /bad big number/);
    assertMalformed("(-\r\n", /bad big number/);
    assertMalformed("(12a\r\n", /bad big number/);
    assertMalformed("=3\r\ntxt\r\n", /bad verbatim/);
    assertMalformed("=5\r\ntxt-x\r\n", /bad verbatim/);
  });

  it("messages never include the payload", () => {
    const recorder = new Recorder(true);
    const decoder = new RESPDecoder(recorder);
    assert.throws(
      () => decoder.feed(Buffer.from("$6\r\nsecretXY")),
      (error: unknown) => error instanceof ProtocolError && !error.message.includes("secret"),
    );
  });

  it("reset() makes a failed decoder usable for a new stream", () => {
    const recorder = new Recorder(true);
    const decoder = new RESPDecoder(recorder);
    assert.throws(() => decoder.feed(Buffer.from("*2\r\n:1\r\n?")), ProtocolError);
    assert.throws(() => decoder.feed(Buffer.from("+OK\r\n")), ProtocolError);
    decoder.reset();
    decoder.feed(Buffer.from("+OK\r\n"));
    assert.deepStrictEqual(recorder.replies, ["OK"]);
  });

  it("reset() drops a partial frame", () => {
    const recorder = new Recorder(true);
    const decoder = new RESPDecoder(recorder);
    decoder.feed(Buffer.from("*2\r\n$10\r\nabc"));
    assert.equal(decoder.hasPartialFrame, true);
    assert.equal(decoder.partialBytes, 12);
    decoder.reset();
    assert.equal(decoder.hasPartialFrame, false);
    assert.equal(decoder.partialBytes, 0);
    decoder.feed(Buffer.from(":1\r\n"));
    assert.deepStrictEqual(recorder.replies, [1]);
  });

  it("a throwing sink leaves the decoder unusable", () => {
    const decoder = new RESPDecoder({
      decodeStrings: () => true,
      onReply: () => {
        throw new Error("handler bug");
      },
      onPush: () => {},
    });
    assert.throws(() => decoder.feed(Buffer.from("+OK\r\n+OK\r\n")), /handler bug/);
    assert.throws(() => decoder.feed(Buffer.from("+OK\r\n")), ProtocolError);
  });

  it("rejects bad options", () => {
    const sink = new Recorder(true);
    assert.throws(() => new RESPDecoder(sink, { maxDepth: 0 }), /maxDepth/);
    assert.throws(() => new RESPDecoder(sink, { maxReplyBytes: 1.5 }), /maxReplyBytes/);
  });
});

describe("RESPDecoder limits", () => {
  it("a declared bulk length over maxReplyBytes fails at once, before any body byte", () => {
    assertMalformed("$2147483647\r\n", /exceeds maxReplyBytes/);
    assertMalformed("$101\r\n", /exceeds maxReplyBytes/, { maxReplyBytes: 100 });
    assertMalformed("*2147483647\r\n", /exceeds maxReplyBytes/);
    assertMalformed("%2147483647\r\n", /exceeds maxReplyBytes/);
  });

  it("a reply larger than maxReplyBytes in total fails", () => {
    // Each bulk is within the limit, the array is not.
    const frame = `*3\r\n$40\r\n${"a".repeat(40)}\r\n$40\r\n${"b".repeat(40)}\r\n$40\r\n${"c".repeat(40)}\r\n`;
    assertMalformed(frame, /exceeds maxReplyBytes/, { maxReplyBytes: 100 });
    // Many tiny elements, fed in small chunks, are caught at chunk boundaries.
    const decoder = new RESPDecoder(new Recorder(true), { maxReplyBytes: 1000 });
    decoder.feed(Buffer.from("*999\r\n"));
    assert.throws(() => {
      for (let i = 0; i < 1000; i++) decoder.feed(Buffer.from(":1\r\n:2\r\n"));
    }, /exceeds maxReplyBytes/);
    // A line that never ends is caught too.
    const lines = new RESPDecoder(new Recorder(true), { maxReplyBytes: 1000 });
    lines.feed(Buffer.from("+"));
    assert.throws(() => {
      for (let i = 0; i < 100; i++) lines.feed(Buffer.alloc(100, 120));
    }, /exceeds maxReplyBytes/);
    // The limit is per reply: many small replies in a row are fine.
    const recorder = decode([Buffer.from("+OK\r\n".repeat(1000))], true, { maxReplyBytes: 10 });
    assert.equal(recorder.replies.length, 1000);
  });

  it("a huge declared bulk length allocates only what arrives", () => {
    const decoder = new RESPDecoder(new Recorder(true), { maxReplyBytes: 2 ** 32 });
    const before = process.memoryUsage().arrayBuffers;
    decoder.feed(Buffer.from("$2147483646\r\n"));
    const piece = Buffer.alloc(64 * 1024, 97);
    for (let i = 0; i < 16; i++) decoder.feed(piece); // 1 MiB of body
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 64 * 1024 * 1024, `arrayBuffers grew by ${grown} bytes`);
    assert.equal(decoder.partialBytes, 13 + 16 * 64 * 1024);
  });

  it("a huge declared aggregate length allocates only what arrives", () => {
    const recorder = new Recorder(true);
    const decoder = new RESPDecoder(recorder, { maxReplyBytes: 2 ** 31 });
    const before = process.memoryUsage().heapUsed;
    decoder.feed(Buffer.from("*2147483647\r\n:1\r\n:2\r\n"));
    decoder.feed(Buffer.from("%2147483647\r\n"));
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 64 * 1024 * 1024, `heap grew by ${grown} bytes`);
    assert.equal(recorder.events.length, 0);
  });

  it("100 000 nested arrays decode with maxDepth raised, without recursion", () => {
    const depth = 100_000;
    const frame = Buffer.concat([Buffer.from("*1\r\n".repeat(depth)), Buffer.from(":42\r\n")]);
    // Too big to cut at every byte (10^5 decodes of 4·10^5 bytes): whole, in small chunks, bytewise.
    const cuts: Buffer[][] = [[frame], [frame.subarray(0, 3), frame.subarray(3)]];
    for (const size of [7, 4096]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < frame.length; i += size) chunks.push(frame.subarray(i, i + size));
      cuts.push(chunks);
    }
    cuts.push(Array.from(frame, (b) => Buffer.from([b])));
    for (const chunks of cuts) {
      const [value] = decode(chunks, true, { maxDepth: depth }).replies;
      let level: RESPValue | undefined = value;
      for (let i = 0; i < depth; i++) {
        assert.ok(Array.isArray(level) && level.length === 1);
        level = level[0];
      }
      assert.equal(level, 42);
    }
  });

  it("nesting beyond maxDepth is a ProtocolError", () => {
    const frame = Buffer.concat([Buffer.from("*1\r\n".repeat(100_000)), Buffer.from(":42\r\n")]);
    const decoder = new RESPDecoder(new Recorder(true));
    assert.throws(() => decoder.feed(frame), /nesting deeper than maxDepth \(10000\)/);
    assertMalformed("*1\r\n*1\r\n*1\r\n:1\r\n", /maxDepth/, { maxDepth: 2 });
    assertMalformed("%1\r\n+k\r\n|1\r\n+a\r\n+b\r\n:1\r\n", /maxDepth/, { maxDepth: 1 });
    assertDecodes("*1\r\n*1\r\n:1\r\n", [reply([[1]])], true, { maxDepth: 2 });
  });
});

/** The sink events `frames` should produce, in order. */
function expectedEvents(frames: readonly TestValue[], strings: boolean): Events {
  const events: Events = [];
  for (const frame of frames) {
    for (const attributes of expectedAttributes(frame, strings)) events.push(["attribute", attributes]);
    const top = expectedFrame(frame, strings);
    events.push(top.kind === "push" ? ["push", top.value] : ["reply", top.value]);
  }
  return events;
}

describe("RESPDecoder round trips (fast-check)", () => {
  for (const strings of [true, false]) {
    it(`encodeValue → decode, cut at every byte (${strings ? "string" : "Buffer"} mode)`, () => {
      fc.assert(
        fc.property(arbFrame, (value) => {
          assertDecodes(encodeValue(value), expectedEvents([value], strings), strings);
        }),
        { numRuns: 200 },
      );
    });

    it(`a stream of frames in random chunks decodes in order (${strings ? "string" : "Buffer"} mode)`, () => {
      fc.assert(
        fc.property(
          fc.array(arbFrame, { minLength: 1, maxLength: 8 }),
          fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 16 }),
          (frames, sizes) => {
            const stream = Buffer.concat(frames.map(encodeValue));
            const chunks: Buffer[] = [];
            for (let i = 0, k = 0; i < stream.length; k++) {
              const size = sizes[k % sizes.length] as number;
              chunks.push(stream.subarray(i, i + size));
              i += size;
            }
            assert.deepStrictEqual(decode(chunks, strings).events, expectedEvents(frames, strings));
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});
