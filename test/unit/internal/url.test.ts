/**
 * parseRedisUrl beyond the basics in internal.test.ts: credentials in every scheme (a username
 * alone included), the whole query-option set, and every refused form — whose errors must never
 * carry the password.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../../src/errors.js";
import { parseRedisUrl } from "../../../src/internal/url.js";

const SECRET = "hunter2-s3cret";

/** Asserts that parsing `url` fails with an InvalidArgumentError matching `message` that holds no secret. */
function assertRefused(url: string, message: RegExp): void {
  assert.throws(
    () => parseRedisUrl(url),
    (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
      assert.match(error.message, message);
      assert.ok(!error.message.includes(SECRET), `the message repeats the password: ${error.message}`);
      return true;
    },
  );
}

describe("parseRedisUrl: credentials", () => {
  it("keeps a username without a password, in every scheme", () => {
    assert.deepEqual(parseRedisUrl("redis://alice:@example.com"), { host: "example.com", username: "alice" });
    assert.deepEqual(parseRedisUrl("redis://alice@example.com"), { host: "example.com", username: "alice" });
    assert.deepEqual(parseRedisUrl("rediss://alice:@example.com:6380"), {
      host: "example.com",
      port: 6380,
      tls: true,
      username: "alice",
    });
    assert.deepEqual(parseRedisUrl("unix://alice:@/tmp/redis.sock"), { unixSocketPath: "/tmp/redis.sock", username: "alice" });
  });

  it("reads unix URLs with userinfo and an empty host, percent-decoding each part", () => {
    assert.deepEqual(parseRedisUrl("unix://a:b@/tmp/redis.sock"), { unixSocketPath: "/tmp/redis.sock", username: "a", password: "b" });
    assert.deepEqual(parseRedisUrl("unix://:b@/tmp/redis.sock"), { unixSocketPath: "/tmp/redis.sock", password: "b" });
    assert.deepEqual(parseRedisUrl("unix://us%3Aer:p%40ss%3Aw%2Fd@/tmp/my%20dir/redis.sock?db=4"), {
      unixSocketPath: "/tmp/my dir/redis.sock",
      username: "us:er",
      password: "p@ss:w/d",
      db: 4,
    });
    // The last "@" of the authority ends the userinfo; a "@" in the path is part of the path.
    assert.deepEqual(parseRedisUrl("unix://a:p@ss@/tmp/s.sock"), { unixSocketPath: "/tmp/s.sock", username: "a", password: "p@ss" });
    assert.deepEqual(parseRedisUrl("unix:///tmp/a@b.sock"), { unixSocketPath: "/tmp/a@b.sock" });
    assert.deepEqual(parseRedisUrl("unix:/tmp/redis.sock"), { unixSocketPath: "/tmp/redis.sock" });
    assert.deepEqual(parseRedisUrl("UNIX:///tmp/redis.sock"), { unixSocketPath: "/tmp/redis.sock" });
  });

  it("refuses a unix URL with a host or without an absolute path, naming neither the URL nor the password", () => {
    assertRefused(`unix://a:${SECRET}@somehost/tmp/redis.sock`, /takes no host/);
    assertRefused(`unix://a:${SECRET}@`, /absolute socket path/);
    assertRefused(`unix:relative.sock?x=${SECRET}`, /absolute socket path/);
  });

  it("refuses bad percent-encoding and fragments without repeating them", () => {
    assertRefused(`unix://a:${SECRET}%zz@/tmp/redis.sock`, /password is not valid percent-encoding/);
    assertRefused(`redis://a:${SECRET}%E0%A4%A@example.com`, /password is not valid percent-encoding/);
    assertRefused(`redis://user%zz:${SECRET}@example.com`, /username is not valid percent-encoding/);
    assertRefused(`redis://a:${SECRET}@example.com/0#frag`, /no #fragment/);
    assertRefused(`unix://a:${SECRET}@/tmp/redis.sock#frag`, /no #fragment/);
  });
});

describe("parseRedisUrl: query options", () => {
  it("reads every camelCase option, durations in milliseconds", () => {
    assert.deepEqual(
      parseRedisUrl(
        "redis://h?db=5&protocol=3&clientName=api&connectTimeout=1500&streamTimeout=250&maxIdleTime=60000" +
          "&maxConnections=16&poolTimeout=700&noreply=false&noevict=YES&notouch=0",
      ),
      {
        host: "h",
        db: 5,
        protocolVersion: 3,
        clientName: "api",
        connectTimeout: 1500,
        streamTimeout: 250,
        maxIdleTime: 60_000,
        maxConnections: 16,
        poolTimeout: 700,
        noreply: false,
        noevict: true,
        notouch: false,
      },
    );
  });

  it("reads `timeout` as the pool's wait timeout, in milliseconds", () => {
    assert.deepEqual(parseRedisUrl("redis://h?timeout=300"), { host: "h", poolTimeout: 300 });
  });

  it("reads coredis's snake_case spellings, durations in seconds", () => {
    assert.deepEqual(
      parseRedisUrl(
        "unix:///s.sock?client_name=worker&connect_timeout=2.5&stream_timeout=.25&max_idle_time=30&max_connections=3&pool_timeout=1.1",
      ),
      {
        unixSocketPath: "/s.sock",
        clientName: "worker",
        connectTimeout: 2500,
        streamTimeout: 250,
        maxIdleTime: 30_000,
        maxConnections: 3,
        poolTimeout: 1100,
      },
    );
    assert.deepEqual(parseRedisUrl("redis://h?socket_timeout=2&socket_connect_timeout=0.5"), {
      host: "h",
      streamTimeout: 2000,
      connectTimeout: 500,
    });
    assert.deepEqual(parseRedisUrl("redis://h?pool_timeout=0"), { host: "h", poolTimeout: 0 });
  });

  it("reads every boolean spelling, in any case", () => {
    for (const [text, value] of [
      ["true", true],
      ["TRUE", true],
      ["1", true],
      ["yes", true],
      ["Yes", true],
      ["false", false],
      ["False", false],
      ["0", false],
      ["no", false],
      ["NO", false],
    ] as const) {
      assert.deepEqual(parseRedisUrl(`redis://h?noevict=${text}`), { host: "h", noevict: value }, text);
    }
  });

  it("percent-decodes query values", () => {
    assert.deepEqual(parseRedisUrl("redis://h?clientName=my%2Dapp"), { host: "h", clientName: "my-app" });
  });

  it("refuses an unknown key, naming the key and never its value", () => {
    assertRefused(`redis://u:${SECRET}@h?colour=${SECRET}`, /unknown connection URL option "colour"/);
    assertRefused(`redis://u:${SECRET}@h?password=${SECRET}`, /unknown connection URL option "password"/);
    assertRefused(`unix://u:${SECRET}@/s.sock?DB=1`, /unknown connection URL option "DB"/);
    assertRefused(`redis://h?__proto__=1`, /unknown connection URL option "__proto__"/);
    assertRefused(`redis://h?protocol_version=3`, /unknown connection URL option "protocol_version"/);
  });

  it("refuses a bad number, naming the key and never its value", () => {
    for (const query of [
      "db=-1",
      "db=1.5",
      "db=",
      "db=0x10",
      "db=1e3",
      "db=%201",
      "maxConnections=0",
      "max_connections=two",
      "connectTimeout=1.5",
      "connectTimeout=-5",
      "streamTimeout=99999999999999999999",
      "poolTimeout=abc",
      "timeout=",
      "maxIdleTime=+5",
      "connect_timeout=-1",
      "stream_timeout=1e3",
      "pool_timeout=",
      "max_idle_time=1.2.3",
      "socket_timeout=Infinity",
    ]) {
      const key = query.slice(0, query.indexOf("="));
      assertRefused(`redis://u:${SECRET}@h?${query}`, new RegExp(`option ${key} must be`));
    }
    assertRefused(`redis://u:${SECRET}@h?protocol=4`, /option protocol must be 2 or 3/);
    assertRefused(`redis://u:${SECRET}@h/x${SECRET}`, /database \(the path\) must be an integer/);
  });

  it("refuses a bad boolean, naming the key and never its value", () => {
    for (const query of ["noreply=on", "noevict=", "notouch=2", "noevict=truthy", `noreply=${SECRET}`]) {
      const key = query.slice(0, query.indexOf("="));
      assertRefused(`redis://u:${SECRET}@h?${query}`, new RegExp(`option ${key} must be one of true, false, 1, 0, yes, no`));
    }
  });

  it("refuses an option given twice, under one spelling or two", () => {
    assertRefused(`redis://u:${SECRET}@h?db=1&db=2`, /option db is given more than once/);
    assertRefused(`redis://u:${SECRET}@h?clientName=a&client_name=b`, /clientName and client_name set the same thing/);
    assertRefused(`redis://u:${SECRET}@h?timeout=1&poolTimeout=2`, /timeout and poolTimeout set the same thing/);
    assertRefused(`redis://u:${SECRET}@h?connectTimeout=1&socket_connect_timeout=2`, /set the same thing/);
    assertRefused(`redis://u:${SECRET}@h/1?db=2`, /database twice/);
  });
});
