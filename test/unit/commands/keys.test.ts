/** `commandKeys` / `keyScope`: a command's keys, read from the command table's key specs. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandSpecForArgv } from "../../../src/commands/generated/table.js";
import { commandKeys, firstKey, KeyScope, keyScope, keyString } from "../../../src/commands/keys.js";
import type { RedisArgument } from "../../../src/protocol/values.js";

function keysOf(...argv: RedisArgument[]): readonly RedisArgument[] | undefined {
  const spec = commandSpecForArgv(argv);
  assert.ok(spec, `${String(argv[0])} is in the table`);
  return commandKeys(spec, argv);
}

function scopeOf(...argv: RedisArgument[]): KeyScope {
  return keyScope(commandSpecForArgv(argv), argv);
}

describe("commandKeys", () => {
  it("one key after the name", () => {
    assert.deepEqual(keysOf("GET", "k"), ["k"]);
    assert.deepEqual(keysOf("SET", "k", "v", "EX", 10), ["k"]);
    assert.deepEqual(keysOf("HSET", "h", "f", "v"), ["h"]);
  });

  it("every key of a range, with a step (MSET) and without (DEL, MGET)", () => {
    assert.deepEqual(keysOf("MSET", "a", "1", "b", "2"), ["a", "b"]);
    assert.deepEqual(keysOf("DEL", "a", "b", "c"), ["a", "b", "c"]);
    assert.deepEqual(keysOf("MGET", "a", "b"), ["a", "b"]);
    assert.deepEqual(keysOf("LMOVE", "src", "dst", "LEFT", "RIGHT"), ["src", "dst"]);
  });

  it("numkeys commands take the count, not the script or its sha (EVAL, FCALL, ZUNION, LMPOP)", () => {
    assert.deepEqual(keysOf("EVAL", "return 1", 2, "k1", "k2", "arg"), ["k1", "k2"]);
    assert.deepEqual(keysOf("EVALSHA", "abcdef", 1, "k1", "arg"), ["k1"]);
    assert.deepEqual(keysOf("FCALL", "fn", 1, "k1", "arg"), ["k1"]);
    assert.deepEqual(keysOf("ZUNION", 2, "z1", "z2", "WITHSCORES"), ["z1", "z2"]);
    assert.deepEqual(keysOf("LMPOP", 2, "l1", "l2", "LEFT"), ["l1", "l2"]);
    assert.deepEqual(keysOf("EVAL", "return 1", 0), []);
  });

  it("keyword-led keys: XREAD STREAMS takes half the rest, GEORADIUS STORE when present", () => {
    assert.deepEqual(keysOf("XREAD", "COUNT", 1, "STREAMS", "s1", "s2", "0", "0"), ["s1", "s2"]);
    assert.deepEqual(keysOf("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", ">"), ["s1"]);
    assert.deepEqual(keysOf("GEORADIUS", "geo", 0, 0, 10, "km", "STORE", "dst"), ["geo", "dst"]);
    assert.deepEqual(keysOf("GEORADIUS", "geo", 0, 0, 10, "km"), ["geo"]);
  });

  it("subcommands count their container: OBJECT ENCODING key", () => {
    assert.deepEqual(keysOf("OBJECT", "ENCODING", "k"), ["k"]);
    assert.deepEqual(keysOf("XINFO", "STREAM", "s"), ["s"]);
  });

  it("unknown or incomplete key specs cannot be followed (SORT's patterns, MIGRATE's KEYS)", () => {
    assert.equal(keysOf("SORT", "k", "BY", "w_*"), undefined);
    assert.equal(keysOf("MIGRATE", "h", 1, "", 0, 10, "KEYS", "a", "b"), undefined);
  });

  it("Buffer keys are kept as given", () => {
    const key = Buffer.from([0xff, 0x00]);
    assert.deepEqual(keysOf("GET", key), [key]);
  });
});

describe("keyScope and firstKey", () => {
  it("keyed commands, keyless reads, and commands that may touch any key", () => {
    assert.equal(scopeOf("GET", "k"), KeyScope.Keys);
    assert.equal(scopeOf("MSET", "a", "1"), KeyScope.Keys);
    assert.equal(scopeOf("PING"), KeyScope.None);
    assert.equal(scopeOf("CLIENT", "ID"), KeyScope.None);
    assert.equal(scopeOf("DBSIZE"), KeyScope.None);
    assert.equal(scopeOf("FLUSHALL"), KeyScope.Any);
    assert.equal(scopeOf("SWAPDB", 0, 1), KeyScope.Any);
    assert.equal(scopeOf("EVAL", "return 1", 0), KeyScope.Any, "a script without declared keys may touch any");
    assert.equal(scopeOf("SORT", "k", "BY", "w_*"), KeyScope.Any);
    assert.equal(keyScope(undefined, ["MODULE.CMD", "k"]), KeyScope.Any, "a command the table does not know");
  });

  it("keyScope agrees with commandKeys, and firstKey with its first entry", () => {
    for (const argv of [["GET", "k"], ["PING"], ["MSET", "a", "1", "b", "2"], ["XREAD", "STREAMS", "s", "0"]] as RedisArgument[][]) {
      const spec = commandSpecForArgv(argv);
      const keys = spec === undefined ? undefined : commandKeys(spec, argv);
      assert.equal(scopeOf(...argv), keys?.length === 0 ? KeyScope.None : KeyScope.Keys, String(argv[0]));
      assert.equal(firstKey(spec, argv), keys?.[0], String(argv[0]));
    }
  });

  it("keyString makes a Buffer key and the string of its bytes meet", () => {
    assert.equal(keyString(Buffer.from("é")), keyString("é"));
    assert.equal(keyString(12), "12");
  });
});
