import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { LIBRARY_VERSION } from "../../../src/connection/version.js";
import { InvalidArgumentError } from "../../../src/errors.js";
import { Fifo } from "../../../src/internal/fifo.js";
import { parseRedisUrl } from "../../../src/internal/url.js";
import { assertDuration, assertInteger } from "../../../src/internal/validate.js";

describe("Fifo", () => {
  it("behaves like an array queue under any mix of pushes and shifts", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null))), (ops) => {
        const fifo = new Fifo<number>(4);
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) assert.equal(fifo.shift(), model.shift());
          else {
            fifo.push(op);
            model.push(op);
          }
          assert.equal(fifo.length, model.length);
          assert.equal(fifo.peek(), model[0]);
        }
        assert.deepEqual(fifo.drain(), model);
        assert.equal(fifo.length, 0);
      }),
    );
  });
});

describe("parseRedisUrl", () => {
  it("reads redis, rediss and unix URLs", () => {
    assert.deepEqual(parseRedisUrl("redis://user:p%40ss@example.com:6380/2?protocol=2&clientName=app"), {
      host: "example.com",
      port: 6380,
      db: 2,
      username: "user",
      password: "p@ss",
      protocolVersion: 2,
      clientName: "app",
    });
    assert.deepEqual(parseRedisUrl("rediss://:secret@[::1]"), { host: "::1", tls: true, password: "secret" });
    assert.deepEqual(parseRedisUrl("unix:///tmp/redis.sock?db=3"), { unixSocketPath: "/tmp/redis.sock", db: 3 });
  });

  it("refuses other schemes and never repeats the URL (it may hold a password)", () => {
    assert.throws(() => parseRedisUrl("http://:hunter2@x"), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
    assert.throws(() => parseRedisUrl("not a url hunter2"), (error: unknown) => error instanceof InvalidArgumentError && !error.message.includes("hunter2"));
    assert.throws(() => parseRedisUrl("redis://x/abc"), /database/);
  });
});

describe("validate", () => {
  it("names the option at fault", () => {
    assert.throws(() => assertInteger("maxConnections", 0.5, 1), /maxConnections must be an integer/);
    assert.throws(() => assertDuration("poolTimeout", Number.NaN), /poolTimeout must be a duration/);
    assert.doesNotThrow(() => assertDuration("poolTimeout", undefined));
  });
});

describe("library version", () => {
  it("matches package.json (it is sent with CLIENT SETINFO)", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
    assert.equal(LIBRARY_VERSION, pkg.version);
  });
});
