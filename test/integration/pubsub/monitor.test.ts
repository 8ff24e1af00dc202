/**
 * `client.monitor()` against a real server, under RESP2 and RESP3: it sees commands other
 * clients run (arguments, database, client address; scripts as `lua`), `break` and `close()`
 * close its connection, a lost connection ends the iteration with the error, and a slow reader
 * loses the oldest commands, counted. Also the MONITOR line parser on its own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionError, Monitor, Redis, type MonitorCommand } from "../../../src/index.js";
import { parseMonitorLine } from "../../../src/pubsub/monitor-line.js";
import { clientIdsNamed, runRequest } from "../../harness/run-request.js";
import { standaloneWithSide } from "../../harness/standalone-fixture.js";
import { until } from "../../harness/wait.js";

const fixture = standaloneWithSide();

/** The `addr=` of the connection named `name`. */
async function addressOf(name: string): Promise<string | undefined> {
  const list = String(await runRequest(fixture.side, ["CLIENT", "LIST"]));
  const line = list.split("\n").find((entry) => entry.includes(` name=${name} `));
  return line === undefined ? undefined : / addr=(\S+) /.exec(line)?.[1];
}

/** Connections currently in MONITOR mode (flag O). */
async function monitors(): Promise<number> {
  const list = String(await runRequest(fixture.side, ["CLIENT", "LIST"]));
  return list.split("\n").filter((line) => / flags=[^ ]*O/.test(line)).length;
}

/** Reads until `predicate` matches a command, bounded in time. */
async function find(monitor: Monitor, predicate: (command: MonitorCommand) => boolean): Promise<MonitorCommand> {
  const timer = setTimeout(() => void monitor.close(), 5_000);
  try {
    for await (const command of monitor) if (predicate(command)) return command;
  } finally {
    clearTimeout(timer);
  }
  assert.fail("the monitor ended before the command was seen");
}

for (const protocolVersion of [2, 3] as const) {
  describe(`monitor [RESP${protocolVersion}]`, () => {
    const p = `mon${protocolVersion}:`;

    it("sees a SET by another client with its exact arguments, its database and its address; break closes the connection", async () => {
      await using client = new Redis({ port: fixture.server.port, protocolVersion });
      await using other = new Redis({ port: fixture.server.port, protocolVersion, db: 3, clientName: `${p}other` });
      await other.ping();
      const monitor = await client.monitor().connect();
      assert.equal(client.connectionPool.stats.dedicated, 1);
      assert.equal(await monitors(), 1);
      const value = `say "hi" \\ tab\there\nnew line, café 🎉 ${String.fromCharCode(1)}`;
      const before = Date.now() / 1000;
      await other.set(`${p}key`, value, { ex: 100 });
      const seen = await (async () => {
        for await (const command of monitor) {
          if (command.args[0]?.toLowerCase() !== "set") continue;
          break; // leaves the loop: closes the monitor
        }
        return undefined;
      })();
      assert.equal(seen, undefined);
      assert.equal(monitor.isClosed, true);
      assert.equal(client.connectionPool.stats.dedicated, 0, "the slot is free");
      await until(async () => (await monitors()) === 0, "the MONITOR connection is gone at the server");

      // Once more, keeping the command this time.
      const again = await client.monitor().connect();
      await other.set(`${p}key`, value, { ex: 100 });
      const command = await find(again, (c) => c.args[0]?.toLowerCase() === "set");
      assert.deepEqual(command.args.slice(1), [`${p}key`, value, "EX", "100"]);
      assert.equal(command.db, 3);
      assert.equal(command.client, await addressOf(`${p}other`));
      assert.ok(command.time >= before - 1 && command.time <= Date.now() / 1000 + 1, String(command.time));
      assert.equal(again.isClosed, true);
      await until(async () => (await monitors()) === 0, "closed again");
    });

    it("commands run by a script show the client as lua", async () => {
      await using client = new Redis({ port: fixture.server.port, protocolVersion });
      await using monitor = await client.monitor().connect();
      await client.eval("return redis.call('set', KEYS[1], ARGV[1])", [`${p}lua`], ["from lua"]);
      const command = await find(monitor, (c) => c.client === "lua");
      assert.deepEqual(command.args, ["set", `${p}lua`, "from lua"]);
    });

    it("close() closes the connection; a MONITOR connection is never given back to the pool", async () => {
      await using client = new Redis({ port: fixture.server.port, protocolVersion });
      const monitor = await client.monitor().connect();
      const { closed } = client.connectionPool.stats;
      await monitor.close();
      await monitor.close();
      assert.equal(client.connectionPool.stats.closed, closed + 1);
      assert.equal(client.connectionPool.stats.dedicated, 0);
      assert.deepEqual(await monitor[Symbol.asyncIterator]().next(), { done: true, value: undefined });
      await until(async () => (await monitors()) === 0, "no MONITOR connection left");
      assert.equal(await client.get(`${p}nothing`), null, "the client goes on");
    });

    it("a lost connection ends the iteration with a ConnectionError, after the commands already read", async () => {
      await using client = new Redis({ port: fixture.server.port, protocolVersion, clientName: `${p}watcher` });
      await using other = new Redis({ port: fixture.server.port, protocolVersion });
      await using monitor = await client.monitor().connect();
      await other.set(`${p}lost`, "1");
      const seen: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const command of monitor) {
            seen.push(command.args[0]?.toLowerCase() ?? "");
            if (seen.includes("set")) {
              for (const id of await clientIdsNamed(fixture.side, `${p}watcher`)) {
                await runRequest(fixture.side, ["CLIENT", "KILL", "ID", id]);
              }
            }
          }
        })(),
        ConnectionError,
      );
      assert.ok(seen.includes("set"));
      assert.equal(monitor.isClosed, true);
      assert.equal(client.connectionPool.stats.dedicated, 0);
    });

    it("a reader that falls behind loses the oldest commands, counted in dropped", async () => {
      await using client = new Redis({ port: fixture.server.port, protocolVersion });
      await using other = new Redis({ port: fixture.server.port, protocolVersion });
      await client.connect();
      await other.ping(); // its handshake is not among the commands monitored
      const pool = client.connectionPool;
      await using monitor = await new Monitor({ lease: (options) => pool.lease(options ?? {}) }, { maxBufferedCommands: 10 }).connect();
      for (let i = 0; i < 50; i++) await other.set(`${p}flood`, String(i));
      await until(() => monitor.dropped >= 40, "the oldest commands were dropped");
      const command = await find(monitor, () => true);
      assert.deepEqual(command.args, ["SET", `${p}flood`, "40"]);
      assert.equal(monitor.dropped, 40);
    });
  });
}

describe("MONITOR line format", () => {
  it("plain arguments, an address, a database", () => {
    assert.deepEqual(parseMonitorLine('1339518083.107412 [0 127.0.0.1:60866] "keys" "*"'), {
      time: 1339518083.107412,
      db: 0,
      client: "127.0.0.1:60866",
      args: ["keys", "*"],
    });
  });

  it("escapes: \\\" \\\\ \\n \\r \\t \\a \\b and \\xNN bytes, read back as UTF-8", () => {
    const line = String.raw`1700000000.000001 [12 [::1]:6379] "set" "a\"b\\c" "l1\nl2\r\t\a\b" "caf\xc3\xa9 \xf0\x9f\x8e\x89" "\x00\x7f" ""`;
    assert.deepEqual(parseMonitorLine(line), {
      time: 1700000000.000001,
      db: 12,
      client: "[::1]:6379",
      args: ["set", 'a"b\\c', "l1\nl2\r\t\x07\b", "café 🎉", "\x00\x7f", ""],
    });
  });

  it("scripts and Unix sockets", () => {
    assert.equal(parseMonitorLine('1.5 [3 lua] "get" "k"')?.client, "lua");
    assert.equal(parseMonitorLine('1.5 [0 unix:/tmp/redis.sock] "ping"')?.client, "unix:/tmp/redis.sock");
  });

  it("lines in another format are not commands", () => {
    for (const line of ["OK", "", '1.5 [x lua] "get"', '1.5 [0 lua] "unterminated', '1.5 [0 lua] "a""b"', '1.5 [0 lua] "\\xZZ"']) {
      assert.equal(parseMonitorLine(line), undefined, line);
    }
  });
});
