/**
 * The server commands against a real server, under RESP2 and RESP3; the transformed replies
 * (INFO, CONFIG GET, COMMAND DOCS/INFO, MEMORY STATS, LATENCY HISTOGRAM, ACL GETUSER/LOG) are
 * also compared between a RESP2 and a RESP3 client.
 *
 * Commands that would end or demote the shared server run on throwaway servers: SHUTDOWN on one
 * started for it, REPLICAOF/SLAVEOF/FAILOVER on a primary–replica pair, CONFIG REWRITE and
 * ACL LOAD/SAVE on a server started from a config file. MODULE * loads a minimal module compiled
 * at test time (skipped when no C compiler is found).
 */
/* eslint-disable @typescript-eslint/no-deprecated -- deprecated commands are still commands: their methods are tested too */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { ConnectionError, Redis } from "../../../src/index.js";
import { describeEachProtocol, versionAtLeast } from "../../harness/matrix.js";
import { freePort } from "../../harness/ports.js";
import { spawnRedis, startStandalone, type ManagedProcess } from "../../harness/servers.js";
import { plain, sameUnderBothProtocols } from "./compare-protocols.js";

/** The smallest module redis-server accepts: it only names itself ("coredistest", version 3). */
const MODULE_SOURCE = `
typedef struct RedisModuleCtx RedisModuleCtx;
typedef struct RedisModuleString RedisModuleString;
int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
  (void)argv; (void)argc;
  int (*getApi)(const char *, void *) = (int (*)(const char *, void *))((void **)ctx)[0];
  void (*setAttribs)(RedisModuleCtx *, const char *, int, int) = 0;
  if (getApi("RedisModule_SetModuleAttribs", (void *)&setAttribs) != 0 || setAttribs == 0) return 1;
  setAttribs(ctx, "coredistest", 3, 1);
  return 0;
}
`;

let moduleDir: string | undefined;
/** The compiled module, or why there is none. */
let modulePath: string | { reason: string } = { reason: "not built" };

before(async () => {
  moduleDir = await mkdtemp(path.join(os.tmpdir(), "coredis-module-"));
  const source = path.join(moduleDir, "coredistest.c");
  const object = path.join(moduleDir, "coredistest.so");
  await writeFile(source, MODULE_SOURCE);
  modulePath = await new Promise((resolve) => {
    execFile("cc", ["-shared", "-fPIC", "-o", object, source], (error) =>
      resolve(error === null ? object : { reason: `no C compiler to build a test module: ${error.message}` }),
    );
  });
});
after(async () => {
  if (moduleDir !== undefined) await rm(moduleDir, { recursive: true, force: true });
});

/** Polls `check` every 10 ms until it returns true, for at most `ms`. */
async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** A redis-server started from a config file (CONFIG REWRITE needs one) with an ACL file. */
async function startFromConfigFile(): Promise<{ process: ManagedProcess; port: number; configFile: string; aclFile: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "coredis-conf-"));
  const port = await freePort();
  const configFile = path.join(dir, "redis.conf");
  const aclFile = path.join(dir, "users.acl");
  await writeFile(aclFile, "user default on nopass ~* &* +@all\n");
  await writeFile(
    configFile,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      'save ""',
      "appendonly no",
      `dir ${dir}`,
      'logfile ""',
      "loglevel notice",
      `aclfile ${aclFile}`,
    ].join("\n") + "\n",
  );
  const process = await spawnRedis({ args: [configFile], dir });
  return { process, port, configFile, aclFile };
}

describeEachProtocol(
  "server commands",
  (ctx) => {
    it("ACL CAT, SETUSER, GETUSER, USERS, LIST, WHOAMI, GENPASS, DRYRUN, DELUSER, HELP", async () => {
      const { client, server, protocolVersion } = ctx();
      const user = `limited${protocolVersion}`;
      const categories = await client.aclCat();
      assert.ok(categories.includes("keyspace") && categories.includes("stream"));
      assert.ok((await client.aclCat({ category: "stream" })).includes("xadd"));

      assert.equal(await client.aclSetuser(user, ["reset", "on", ">pw", "~app:*", "&news", "-@all", "+get"]), "OK");
      assert.equal(await client.aclSetuser(`${user}b`), "OK");
      const got = await sameUnderBothProtocols(server, (c) => c.aclGetuser(user));
      assert.ok(got !== null);
      assert.ok(got.flags.includes("on"));
      assert.equal(got.passwords.length, 1);
      assert.match(got.passwords[0] ?? "", /^[0-9a-f]{64}$/);
      assert.equal(got.commands, "-@all +get");
      assert.equal(got.keys, "~app:*");
      assert.equal(got.channels, "&news");
      assert.deepEqual(got.selectors, []);
      assert.equal(await client.aclGetuser("no-such-user"), null);
      assert.equal(await client.aclSetuser(user, ["(~sel:* +set)"]), "OK");
      const withSelector = await sameUnderBothProtocols(server, (c) => c.aclGetuser(user));
      assert.deepEqual(plain(withSelector?.selectors), [{ commands: "-@all +set", keys: "~sel:*", channels: "" }]);

      const users = await client.aclUsers();
      assert.ok(users.includes("default") && users.includes(user) && users.includes(`${user}b`));
      const list = await client.aclList();
      assert.ok(list.some((line) => line.startsWith(`user ${user} on`)));
      assert.equal(await client.aclWhoami(), "default");
      assert.match(await client.aclGenpass(), /^[0-9a-f]{64}$/);
      assert.match(await client.aclGenpass({ bits: 32 }), /^[0-9a-f]{8}$/);

      assert.equal(await client.aclDryrun(user, "get", ["app:1"]), "OK");
      assert.match(await client.aclDryrun(user, "del", ["app:1"]), /no permissions to run the 'del' command/);
      assert.match(await client.aclDryrun(user, "get", ["other"]), /no permissions to access the 'other' key/);
      await assert.rejects(client.aclDryrun("no-such-user", "get"), /User 'no-such-user' not found/);

      assert.equal(await client.aclDeluser([user, `${user}b`, "no-such-user"]), 2);
      assert.ok((await client.aclHelp()).some((line) => line.includes("DRYRUN")));
    });

    it("ACL LOG", async () => {
      const { client, server, protocolVersion } = ctx();
      const user = `logged${protocolVersion}`;
      assert.equal(await client.aclLog({ reset: true }), "OK");
      assert.deepEqual(await client.aclLog(), []);
      await client.aclSetuser(user, ["reset", "on", ">pw", "~*", "+get"]);
      const limited = new Redis({ port: server.port, username: user, password: "pw", protocolVersion });
      try {
        await assert.rejects(limited.set("k", "v"), /NOPERM/);
        await assert.rejects(limited.set("k", "v"), /NOPERM/);
      } finally {
        await limited.close();
      }
      const entries = await client.aclLog();
      assert.equal(entries.length, 1);
      const [entry] = entries;
      assert.ok(entry !== undefined);
      assert.equal(entry.count, 2);
      assert.equal(entry.reason, "command");
      assert.equal(entry.context, "toplevel");
      assert.equal(entry.object, "set");
      assert.equal(entry.username, user);
      assert.equal(typeof entry["age-seconds"], "number");
      assert.match(entry["client-info"], new RegExp(`user=${user}`));
      // age-seconds moves with time: compare the rest.
      await sameUnderBothProtocols(server, async (c) =>
        (await c.aclLog({ count: 5 })).map((e) => {
          const { "age-seconds": _age, ...rest } = plain(e);
          return rest;
        }),
      );
      assert.equal((await client.aclLog({ count: 0 })).length, 0);
      await client.aclDeluser([user]);
      assert.equal(await client.aclLog({ reset: true }), "OK");
    });

    it("ACL SAVE, ACL LOAD, CONFIG REWRITE (a server started from a config file)", async () => {
      const { protocolVersion } = ctx();
      const started = await startFromConfigFile();
      const client = new Redis({ port: started.port, protocolVersion });
      try {
        assert.equal(await client.aclSetuser("saved", ["on", ">pw", "~*", "+@read"]), "OK");
        assert.equal(await client.aclSave(), "OK");
        assert.match(await readFile(started.aclFile, "utf8"), /^user saved on /m);
        await appendFile(started.aclFile, "user loaded on nopass ~* +ping\n");
        assert.equal(await client.aclLoad(), "OK");
        assert.ok((await client.aclUsers()).includes("loaded"));

        assert.equal(await client.configSet({ "maxmemory-policy": "allkeys-lru", "slowlog-max-len": "77" }), "OK");
        assert.equal(await client.configRewrite(), "OK");
        const config = await readFile(started.configFile, "utf8");
        assert.match(config, /^maxmemory-policy allkeys-lru$/m);
        assert.match(config, /^slowlog-max-len 77$/m);
      } finally {
        await client.close();
        await started.process.stop();
      }
    });

    it("ACL LOAD and CONFIG REWRITE fail without their files", async () => {
      const { client } = ctx();
      await assert.rejects(client.aclLoad(), /not configured to use an ACL file/);
      await assert.rejects(client.aclSave(), /not configured to use an ACL file/);
      await assert.rejects(client.configRewrite(), /without a config file/);
    });

    it("COMMAND COUNT, LIST, GETKEYS, GETKEYSANDFLAGS, HELP", async () => {
      const { client } = ctx();
      const count = await client.commandCount();
      assert.ok(count > 200, `count ${count}`);
      const all = await client.commandList();
      // Subcommands are listed too (`config|get`), and are not counted.
      assert.ok(all.length >= count);
      assert.ok(all.includes("get") && all.includes("xinfo"));
      const xinfo = await client.commandList({ filterby: { pattern: "xinfo*" } });
      assert.deepEqual([...xinfo].sort(), ["xinfo", "xinfo|consumers", "xinfo|groups", "xinfo|help", "xinfo|stream"]);
      assert.ok((await client.commandList({ filterby: { aclcat: "hyperloglog" } })).includes("pfadd"));
      assert.deepEqual(await client.commandList({ filterby: { module: "no-such-module" } }), []);

      assert.deepEqual(await client.commandGetkeys("MSET", ["a", "1", "b", "2"]), ["a", "b"]);
      assert.deepEqual(await client.commandGetkeys("EVAL", ["return 1", "2", "k1", "k2", "arg"]), ["k1", "k2"]);
      await assert.rejects(client.commandGetkeys("PING", ["hello"]), /no key arguments/i);
      assert.deepEqual(await client.commandGetkeysandflags("LMOVE", ["src", "dst", "LEFT", "RIGHT"]), [
        ["src", ["RW", "access", "delete"]],
        ["dst", ["RW", "insert"]],
      ]);
      // Keys are bulk strings, flags status replies (strings in the Buffer view too).
      assert.deepEqual(await ctx().buffers.commandGetkeysandflags("LMOVE", ["src", "dst", "LEFT", "RIGHT"]), [
        [Buffer.from("src"), ["RW", "access", "delete"]],
        [Buffer.from("dst"), ["RW", "insert"]],
      ]);
      for (const help of [
        ctx().buffers.aclHelp(), ctx().buffers.commandHelp(), ctx().buffers.configHelp(), ctx().buffers.latencyHelp(),
        ctx().buffers.memoryHelp(), ctx().buffers.moduleHelp(), ctx().buffers.slowlogHelp(),
      ]) {
        const lines = await help;
        assert.ok(lines.length > 0 && lines.every((line) => typeof line === "string"));
      }
      assert.ok((await client.commandHelp()).some((line) => line.includes("GETKEYSANDFLAGS")));
    });

    it("COMMAND: the whole command table, each entry as COMMAND INFO's", async () => {
      const { client, server } = ctx();
      const table = await client.command();
      assert.ok(table.length > 200, `${table.length} entries`);
      const get = table.find((entry) => entry[0] === "get");
      assert.ok(get !== undefined, "no entry for get");
      assert.equal(get[1], 2);
      assert.deepEqual(plain(get), plain((await client.commandInfo(["get"]))[0]));
      const config = table.find((entry) => entry[0] === "config");
      assert.ok((config?.[9] ?? []).some((sub) => sub[0] === "config|get"));
      // The same under both protocols (key specs are maps under RESP3, flat arrays under RESP2).
      const both = await sameUnderBothProtocols(server, async (c) => (await c.command()).find((entry) => entry[0] === "xread"));
      assert.deepEqual(plain(both?.[8]?.[0]?.begin_search), { type: "keyword", spec: { keyword: "STREAMS", startfrom: 1 } });
      const [raw] = (await ctx().buffers.command()).filter((entry) => entry[0].equals(Buffer.from("get")));
      assert.equal(raw?.[1], 2);
    });

    it("COMMAND INFO", async () => {
      const { client, server } = ctx();
      const [get, unknown] = await client.commandInfo(["get", "no-such-command"]);
      assert.equal(unknown, null);
      assert.ok(get !== null && get !== undefined);
      const [name, arity, flags, firstKey, lastKey, step, categories, tips, keySpecs, subcommands] = get;
      assert.deepEqual([name, arity, firstKey, lastKey, step], ["get", 2, 1, 1, 1]);
      assert.ok(flags.includes("readonly") && flags.includes("fast"));
      assert.ok(categories.includes("@read") && categories.includes("@string"));
      assert.deepEqual(tips, []);
      assert.deepEqual(plain(keySpecs), [
        {
          flags: ["RO", "access"],
          begin_search: { type: "index", spec: { index: 1 } },
          find_keys: { type: "range", spec: { lastkey: 0, keystep: 1, limit: 0 } },
        },
      ]);
      assert.deepEqual(subcommands, []);
      const [raw] = await ctx().buffers.commandInfo(["get"]);
      assert.deepEqual(raw?.[0], Buffer.from("get"));
      assert.deepEqual([raw?.[2], raw?.[6], raw?.[8][0]?.flags], [flags, categories, ["RO", "access"]]);

      const [xread] = await sameUnderBothProtocols(server, (c) => c.commandInfo(["xread"]));
      assert.deepEqual(plain(xread?.[8]?.[0]?.begin_search), { type: "keyword", spec: { keyword: "STREAMS", startfrom: 1 } });
      const [config] = await sameUnderBothProtocols(server, (c) => c.commandInfo(["config"]));
      const names = (config?.[9] ?? []).map((sub) => sub[0]).sort();
      assert.ok(names.includes("config|get") && names.includes("config|set"));
      const everything = await sameUnderBothProtocols(server, (c) => c.commandInfo());
      assert.equal(everything.length, await client.commandCount());
    });

    it("COMMAND DOCS", async () => {
      const { client, server } = ctx();
      const docs = await sameUnderBothProtocols(server, (c) => c.commandDocs(["get", "set", "client", "no-such-command"]));
      assert.deepEqual(Object.keys(docs).sort(), ["client", "get", "set"]);
      const { summary, ...get } = plain(docs["get"] ?? {});
      assert.equal(typeof summary, "string");
      assert.deepEqual(get, {
        since: "1.0.0",
        group: "string",
        complexity: "O(1)",
        // 7.2 adds display_text.
        arguments: [{ name: "key", type: "key", key_spec_index: 0, ...(versionAtLeast(ctx().serverVersion, "7.2.0") ? { display_text: "key" } : {}) }],
      });
      const set = docs["set"];
      assert.ok(set?.history !== undefined && set.history.length > 0);
      assert.deepEqual(set.history[0]?.[0], "2.6.12");
      const condition = set.arguments?.find((a) => a.name === "condition");
      assert.equal(condition?.type, "oneof");
      assert.deepEqual(condition?.flags, ["optional"]);
      assert.deepEqual(condition?.arguments?.map((a) => a.token), ["NX", "XX"]);
      const clientList = docs["client"]?.subcommands?.["client|list"];
      assert.equal(clientList?.group, "connection");
      const all = await sameUnderBothProtocols(server, (c) => c.commandDocs());
      assert.ok(Object.keys(all).length >= 200);
      assert.ok((all["slaveof"]?.doc_flags ?? []).includes("deprecated"));
      assert.equal(all["slaveof"]?.replaced_by, "`REPLICAOF`");
      assert.equal(all["slaveof"]?.deprecated_since, "5.0.0");
      const raw = await ctx().buffers.commandDocs(["slaveof"]);
      assert.deepEqual(raw["slaveof"]?.doc_flags, ["deprecated"]);
      assert.deepEqual(raw["slaveof"]?.group, Buffer.from("server"));
      assert.ok(client !== undefined);
    });

    it("CONFIG GET, SET, HELP, RESETSTAT", async () => {
      const { client, server } = ctx();
      const before = await client.configGet(["maxmemory-samples", "hz"]);
      assert.deepEqual(plain(before), { "maxmemory-samples": "5", hz: "10" });
      assert.equal(await client.configSet({ "maxmemory-samples": "7", hz: "12" }), "OK");
      assert.deepEqual(plain(await client.configGet(["maxmemory-samples", "hz"])), { "maxmemory-samples": "7", hz: "12" });
      assert.equal(await client.configSet([["maxmemory-samples", 5], ["hz", 10]]), "OK");
      const glob = await sameUnderBothProtocols(server, (c) => c.configGet(["maxmemory*"]));
      assert.ok("maxmemory-policy" in glob && "maxmemory" in glob);
      assert.deepEqual(plain(await client.configGet(["no-such-parameter"])), {});
      await assert.rejects(client.configSet({ "no-such-parameter": "1" }), /Unknown option|unsupported/i);
      assert.ok((await client.configHelp()).some((line) => line.includes("RESETSTAT")));

      await client.ping();
      assert.equal(await client.configResetstat(), "OK");
      const stats = (await client.info(["stats"]))["stats"];
      assert.ok(Number(stats?.["total_commands_processed"]) <= 2, stats?.["total_commands_processed"]);
    });

    it("INFO", async () => {
      const { client, server } = ctx();
      const info = await client.info();
      for (const section of ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "keyspace"]) {
        assert.ok(info[section] !== undefined, `section ${section}`);
      }
      assert.equal(info["server"]?.["redis_version"], ctx().serverVersion);
      assert.equal(info["server"]?.["tcp_port"], String(server.port));
      const two = await client.info(["server", "clients"]);
      assert.deepEqual(Object.keys(two), ["server", "clients"]);
      const everything = await client.info(["everything"]);
      assert.ok(everything["commandstats"] !== undefined && everything["latencystats"] !== undefined);
      // Values move between two calls (uptime, memory): the sections and fields must agree.
      const shape = await sameUnderBothProtocols(server, async (c) => {
        const sections = await c.info(["server", "persistence", "keyspace"]);
        return Object.fromEntries(Object.entries(sections).map(([name, fields]) => [name, Object.keys(fields).sort()]));
      });
      assert.ok(shape["server"]?.includes("redis_version"));
    });

    it("DBSIZE, FLUSHDB, FLUSHALL, SWAPDB", async () => {
      const { client, server, protocolVersion } = ctx();
      await client.flushall({ sync: true });
      assert.equal(await client.dbsize(), 0);
      await client.mset({ a: "1", b: "2" });
      assert.equal(await client.dbsize(), 2);
      const db5 = new Redis({ port: server.port, db: 5, protocolVersion });
      try {
        await db5.set("in5", "x");
        assert.equal(await client.swapdb(0, 5), "OK");
        assert.equal(await client.dbsize(), 1);
        assert.equal(await client.get("in5"), "x");
        assert.equal(await db5.dbsize(), 2);
        assert.equal(await db5.flushdb({ async: true }), "OK");
        assert.equal(await db5.dbsize(), 0);
        assert.equal(await client.flushdb(), "OK");
        assert.equal(await client.dbsize(), 0);
        await db5.set("again", "y");
        await client.set("again", "y");
        assert.equal(await client.flushall({ async: true }), "OK");
        assert.equal(await db5.dbsize(), 0);
        await client.set("again", "y");
        assert.equal(await client.flushall(), "OK");
        assert.equal(await client.dbsize(), 0);
        await client.set("again", "y");
        assert.equal(await client.flushdb({ sync: true }), "OK");
        assert.equal(await client.dbsize(), 0);
      } finally {
        await db5.close();
      }
    });

    it("SAVE, LASTSAVE, BGSAVE, BGREWRITEAOF", async () => {
      const { client } = ctx();
      const idle = async (): Promise<boolean> => {
        const p = (await client.info(["persistence"]))["persistence"] ?? {};
        return p["rdb_bgsave_in_progress"] === "0" && p["aof_rewrite_in_progress"] === "0" && p["aof_rewrite_scheduled"] === "0";
      };
      await eventually(idle, "no background save");
      await client.set("persisted", "1");
      assert.equal(await client.save(), "OK");
      const last = await client.lastsave();
      assert.ok(Math.abs(last - Date.now() / 1000) < 10, `lastsave ${last}`);
      assert.equal(await client.bgsave(), "Background saving started");
      await eventually(idle, "BGSAVE to finish");
      assert.ok((await client.lastsave()) >= last);
      const rewrite = await ctx().buffers.bgrewriteaof();
      assert.match(rewrite, /Background append only file rewriting (started|scheduled)/);
      // While the rewrite runs, SCHEDULE queues the save; once it is over, it starts at once.
      assert.match(await client.bgsave({ schedule: true }), /^Background saving (started|scheduled)$/);
      await eventually(idle, "BGREWRITEAOF and BGSAVE to finish");
    });

    it("BGSAVE CANCEL", async (t) => {
      if (ctx().skipUnless(t, "8.1.0")) return;
      const { client } = ctx();
      assert.match(await client.bgsave({ cancel: true }), /cancelled/);
    });

    it("LATENCY LATEST, HISTORY, GRAPH, DOCTOR, RESET, HISTOGRAM, HELP", async () => {
      const { client, server } = ctx();
      assert.equal(await client.configSet({ "latency-monitor-threshold": "1" }), "OK");
      try {
        await client.latencyReset();
        await client.sendCommand(["DEBUG", "SLEEP", "0.02"]);
        const latest = await client.latencyLatest();
        const command = latest.find(([event]) => event === "command");
        assert.ok(command !== undefined, JSON.stringify(latest));
        const [, timestamp, last, max] = command;
        assert.ok(Math.abs(timestamp - Date.now() / 1000) < 10);
        assert.ok(last >= 15 && max >= last, `${last} ${max}`);
        const history = await client.latencyHistory("command");
        assert.equal(history.length, 1);
        assert.equal(history[0]?.[0], timestamp);
        assert.equal(history[0]?.[1], last);
        assert.match(await client.latencyGraph("command"), /command - high \d+ ms, low \d+ ms/);
        assert.equal(typeof (await client.latencyDoctor()), "string");
        assert.ok((await client.latencyDoctor()).length > 0);
        assert.equal(await client.latencyReset(["command", "no-such-event"]), 1);
        assert.deepEqual(await client.latencyHistory("command"), []);
        assert.equal(await client.latencyReset(), 0);
      } finally {
        await client.configSet({ "latency-monitor-threshold": "0" });
      }

      await client.dbsize();
      await client.dbsize();
      const histogram = await sameUnderBothProtocols(server, (c) => c.latencyHistogram(["dbsize", "no-such-command"]));
      assert.deepEqual(Object.keys(histogram), ["dbsize"]);
      const dbsize = histogram["dbsize"];
      assert.ok(dbsize !== undefined && dbsize.calls >= 2);
      const buckets = Object.entries(dbsize.histogram_usec);
      assert.ok(buckets.length > 0);
      for (const [bound, calls] of buckets) {
        assert.match(bound, /^\d+$/);
        assert.equal(typeof calls, "number");
      }
      const all = await client.latencyHistogram();
      assert.ok(all["dbsize"] !== undefined && all["config|set"] !== undefined);
      assert.ok((await client.latencyHelp()).some((line) => line.includes("HISTOGRAM")));
    });

    it("MEMORY STATS, USAGE, DOCTOR, MALLOC-STATS, PURGE, HELP", async () => {
      const { client, server, prefix } = ctx();
      const key = `${prefix}memory:k`;
      await client.set(key, "x".repeat(1000));
      const stats = await client.memoryStats();
      assert.equal(typeof stats["peak.allocated"], "number");
      assert.equal(typeof stats["dataset.percentage"], "number");
      assert.equal(typeof stats["keys.count"], "number");
      const db = Object.entries(stats).find(([name]) => /^db\.\d+$/.test(name))?.[1];
      assert.ok(typeof db === "object" && typeof db["overhead.hashtable.main"] === "number");
      // Numbers move between two calls: names and kinds must agree.
      await sameUnderBothProtocols(server, async (c) =>
        Object.entries(await c.memoryStats())
          .map(([name, value]) => [name, typeof value === "object" ? Object.keys(value).sort().join(",") : typeof value])
          .sort(),
      );
      const usage = await client.memoryUsage(key);
      assert.ok(usage !== null && usage > 1000, `usage ${usage}`);
      assert.equal(await client.memoryUsage(key, { samples: 0 }), usage);
      assert.equal(await client.memoryUsage(`${prefix}memory:none`), null);
      assert.match(await client.memoryDoctor(), /\w/);
      assert.match(await client.memoryMallocStats(), /jemalloc|Stats not supported/);
      assert.equal(await client.memoryPurge(), "OK");
      assert.ok((await client.memoryHelp()).some((line) => line.includes("USAGE")));
    });

    it("SLOWLOG GET, LEN, RESET, HELP", async () => {
      const { client } = ctx();
      const threshold = (await client.configGet(["slowlog-log-slower-than"]))["slowlog-log-slower-than"] ?? "10000";
      await client.configSet({ "slowlog-log-slower-than": "0" });
      try {
        assert.equal(await client.slowlogReset(), "OK");
        await client.echo("slow-marker");
        const entries = await client.slowlogGet({ count: 10 });
        const marker = entries.find(([, , , args]) => args[0] === "ECHO");
        assert.ok(marker !== undefined, JSON.stringify(entries));
        const [id, at, micros, args, address, name] = marker;
        assert.equal(typeof id, "number");
        assert.ok(Math.abs(at - Date.now() / 1000) < 10);
        assert.ok(micros >= 0);
        assert.deepEqual(args, ["ECHO", "slow-marker"]);
        assert.match(address, /^127\.0\.0\.1:\d+$/);
        assert.equal(typeof name, "string");
        assert.ok((await client.slowlogLen()) >= 2);
        assert.ok((await client.slowlogGet()).length >= 2);
        assert.equal((await client.slowlogGet({ count: 1 })).length, 1);
      } finally {
        await client.configSet({ "slowlog-log-slower-than": threshold });
      }
      assert.equal(await client.slowlogReset(), "OK");
      assert.ok((await client.slowlogLen()) <= 1);
      assert.ok((await client.slowlogHelp()).some((line) => line.includes("RESET")));
    });

    it("MODULE LOAD, LOADEX, LIST, UNLOAD, HELP", async (t) => {
      const { client, server } = ctx();
      assert.ok((await client.moduleHelp()).some((line) => line.includes("LOADEX")));
      if (typeof modulePath !== "string") {
        t.skip(modulePath.reason);
        return;
      }
      assert.deepEqual(await client.moduleList(), []);
      assert.equal(await client.moduleLoad(modulePath, ["a", "b"]), "OK");
      const listed = await sameUnderBothProtocols(server, (c) => c.moduleList());
      assert.deepEqual(plain(listed), [{ name: "coredistest", ver: 3, path: modulePath, args: ["a", "b"] }]);
      assert.equal(await client.moduleUnload("coredistest"), "OK");
      assert.equal(await client.moduleLoadex(modulePath, { args: ["x"] }), "OK");
      assert.deepEqual(plain(await client.moduleList()), [{ name: "coredistest", ver: 3, path: modulePath, args: ["x"] }]);
      assert.equal(await client.moduleUnload("coredistest"), "OK");
      // The module declares no configuration: LOADEX … CONFIG is refused, and nothing stays loaded.
      await assert.rejects(client.moduleLoadex(modulePath, { config: [{ name: "coredistest.x", value: "1" }] }), /Error loading/);
      assert.deepEqual(await client.moduleList(), []);
      await assert.rejects(client.moduleUnload("coredistest"), /no such module/i);
      await assert.rejects(client.moduleLoad(path.join(path.dirname(modulePath), "missing.so")), /Error loading/);
    });

    it("LOLWUT, TIME, ROLE (a primary without replicas)", async () => {
      const { client } = ctx();
      assert.match(await client.lolwut(), /Redis ver\. 7/);
      assert.match(await client.lolwut({ version: 5 }), /Georg Nees/);
      const [seconds, micros] = await client.time();
      assert.ok(Math.abs(Number(seconds) - Date.now() / 1000) < 10);
      assert.match(micros ?? "", /^\d+$/);
      const role = await client.role();
      assert.equal(role[0], "master");
      assert.deepEqual(role.slice(2), [[]]);
      assert.equal(typeof role[1], "number");
      // The role name is a string in the Buffer view too, so it still narrows the union.
      const raw = await ctx().buffers.role();
      assert.equal(raw[0], "master");
    });

    it("RESTORE-ASKING", async () => {
      const { client, buffers, prefix } = ctx();
      const key = `${prefix}asking:src`;
      await client.set(key, "payload");
      const dump = await buffers.dump(key);
      assert.ok(dump !== null);
      assert.equal(await client.restoreAsking(`${prefix}asking:dst`, 0, dump), "OK");
      assert.equal(await client.get(`${prefix}asking:dst`), "payload");
      assert.equal(await client.restoreAsking(`${prefix}asking:dst`, 10_000, dump, { replace: true, freq: 5 }), "OK");
      assert.ok((await client.pttl(`${prefix}asking:dst`)) > 0);
    });

    it("REPLICAOF, SLAVEOF, ROLE, FAILOVER (a throwaway primary and replica)", async () => {
      const { protocolVersion } = ctx();
      await using primary = await startStandalone();
      await using replica = await startStandalone();
      const p = new Redis({ port: primary.port, protocolVersion });
      const r = new Redis({ port: replica.port, protocolVersion });
      const linked = (c: Redis) => async (): Promise<boolean> => {
        const role = await c.role();
        return role[0] === "slave" && role[3] === "connected";
      };
      try {
        await p.set("replicated", "yes");
        assert.equal(await r.replicaof({ host: primary.host, port: primary.port }), "OK");
        await eventually(linked(r), "the replica link");
        const replicaRole = await r.role();
        assert.equal(replicaRole[0], "slave");
        assert.deepEqual(replicaRole.slice(1, 4), [primary.host, primary.port, "connected"]);
        assert.equal(typeof replicaRole[4], "number");
        const rawRole = await r.decoding(false).role();
        assert.ok(rawRole[0] === "slave");
        assert.deepEqual(rawRole.slice(1, 4), [Buffer.from(primary.host), primary.port, "connected"]);
        assert.equal(await r.get("replicated"), "yes");
        await eventually(async () => {
          const role = await p.role();
          return role[0] === "master" && role[2].length === 1;
        }, "the primary to list its replica");
        const primaryRole = await p.role();
        assert.equal(primaryRole[0], "master");
        assert.deepEqual(primaryRole[2]?.[0]?.slice(0, 2), [replica.host, String(replica.port)]);
        assert.equal(await p.wait(1, 1000), 1);

        await assert.rejects(p.failover({ abort: true }), /No failover in progress/);
        assert.equal(await p.failover({ to: { host: replica.host, port: replica.port }, timeout: 5000 }), "OK");
        await eventually(linked(p), "the old primary to follow the new one");
        assert.equal((await r.role())[0], "master");
        assert.equal(await r.failover(), "OK");
        await eventually(linked(r), "the failover back");

        assert.equal(await r.decoding(false).replicaof({ noOne: true }), "OK");
        assert.equal((await r.role())[0], "master");
        assert.equal(await r.slaveof({ host: primary.host, port: primary.port }), "OK");
        await eventually(linked(r), "the replica link (SLAVEOF)");
        assert.equal(await r.slaveof({ noOne: true }), "OK");
        assert.equal((await r.role())[0], "master");
      } finally {
        await Promise.all([p.close(), r.close()]);
      }
    });

    it("SHUTDOWN (a throwaway server), SHUTDOWN ABORT", async () => {
      const { client, protocolVersion } = ctx();
      await assert.rejects(client.shutdown({ abort: true }), /No shutdown in progress/);
      const doomed = await startStandalone();
      const c = new Redis({ port: doomed.port, protocolVersion });
      try {
        await c.ping();
        // A successful SHUTDOWN never replies: the server closes the connection and exits.
        await assert.rejects(c.shutdown({ nosave: true, now: true, force: true }), ConnectionError);
        await eventually(async () => {
          try {
            process.kill(doomed.pid, 0);
            return false;
          } catch {
            return true;
          }
        }, "the server to exit");
      } finally {
        await c.close();
        await doomed.stop();
      }
    });
  },
  { extraArgs: ["--enable-module-command", "local"] },
);
