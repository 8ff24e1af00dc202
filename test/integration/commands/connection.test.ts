/**
 * The connection commands (CLIENT *, ECHO, PING) against a real server, under RESP2 and RESP3.
 * Commands about "this connection" run on clients with one connection (`maxConnections: 1`), so
 * consecutive calls see the same connection; CLIENT KILL, PAUSE and UNBLOCK act on a second client.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";
import { rawCommand } from "../../harness/servers.js";
import { sameUnderBothProtocols } from "./compare-protocols.js";

describeEachProtocol("connection commands", (ctx) => {
  /** A client on one connection of the test server, speaking the run's protocol. */
  const single = (extra: { clientName?: string } = {}): Redis =>
    new Redis({ port: ctx().server.port, protocolVersion: ctx().protocolVersion, maxConnections: 1, ...extra });

  it("PING, ECHO", async () => {
    const { client, buffers } = ctx();
    assert.equal(await client.ping(), "PONG");
    assert.equal(await client.ping({ message: "hello" }), "hello");
    assert.equal(await client.echo("echoed"), "echoed");
    assert.deepEqual(await buffers.echo(Buffer.from([0, 1, 255])), Buffer.from([0, 1, 255]));
    assert.deepEqual(await buffers.ping(), "PONG");
  });

  it("CLIENT ID, INFO, GETNAME, SETNAME, HELP", async () => {
    const { protocolVersion, server } = ctx();
    const c = single();
    try {
      const id = await c.clientId();
      assert.ok(Number.isInteger(id) && id > 0);
      assert.equal(await c.clientGetname(), null);
      assert.equal(await c.clientSetname("renamed"), "OK");
      assert.equal(await c.clientGetname(), "renamed");
      await assert.rejects(c.clientSetname("with space"), /spaces|newlines/i);

      const info = await c.clientInfo();
      assert.equal(info["id"], String(id));
      assert.equal(info["name"], "renamed");
      assert.equal(info["resp"], String(protocolVersion));
      assert.equal(info["db"], "0");
      assert.equal(info["cmd"], "client|info");
      assert.match(info["addr"] ?? "", /^127\.0\.0\.1:\d+$/);
      assert.equal(info["laddr"], `127.0.0.1:${server.port}`);
      assert.ok((await c.clientHelp()).some((line) => line.includes("UNBLOCK")));
      assert.ok((await c.decoding(false).clientHelp()).every((line) => typeof line === "string"));
    } finally {
      await c.close();
    }
    const named = single({ clientName: "from-options" });
    try {
      assert.equal(await named.clientGetname(), "from-options");
    } finally {
      await named.close();
    }
  });

  it("CLIENT LIST", async () => {
    const { client, server } = ctx();
    const c = single({ clientName: "listed" });
    try {
      const id = await c.clientId();
      const all = await client.clientList();
      const mine = all.find((entry) => entry["id"] === String(id));
      assert.ok(mine !== undefined);
      assert.equal(mine["name"], "listed");
      assert.ok((await client.clientList({ type: "normal" })).some((entry) => entry["id"] === String(id)));
      assert.deepEqual(await client.clientList({ type: "pubsub" }), []);
      const byId = await client.clientList({ id: [id, 999_999_999] });
      assert.deepEqual(byId.map((entry) => entry["name"]), ["listed"]);
      // Idle times and buffers move between calls: compare the fields that do not.
      const stable = await sameUnderBothProtocols(server, async (other) =>
        (await other.clientList({ id: [id] })).map((entry) => ({
          fields: Object.keys(entry).sort(),
          id: entry["id"],
          addr: entry["addr"],
          name: entry["name"],
          db: entry["db"],
        })),
      );
      assert.equal(stable.length, 1);
      // The same text, parsed the same way, as redis-cli sees it.
      const raw = await rawCommand(server, "CLIENT", "LIST", "ID", String(id));
      assert.match(raw, new RegExp(`^id=${id} addr=${mine["addr"]} `));
    } finally {
      await c.close();
    }
  });

  it("CLIENT KILL (new and old forms)", async () => {
    const { client } = ctx();
    const victim = single({ clientName: "victim" });
    try {
      const id = await victim.clientId();
      assert.equal(await client.clientKill({ id, skipme: "YES" }), 1);
      assert.equal(await client.clientKill({ id }), 0);
      // The victim reconnects on its next command, as a new client.
      const second = await victim.clientId();
      assert.notEqual(second, id);
      const addr = (await victim.clientInfo())["addr"];
      assert.ok(addr !== undefined);
      assert.equal(await client.clientKill(addr), "OK");
      await assert.rejects(client.clientKill(addr), /No such client/);
      const third = await victim.clientId();
      assert.equal(await client.clientKill({ type: "pubsub", user: "default", skipme: "YES" }), 0);
      const laddr = (await victim.clientInfo())["laddr"];
      assert.equal(await client.clientKill({ id: third, laddr, addr: (await victim.clientInfo())["addr"] }), 1);
    } finally {
      await victim.close();
    }
  });

  it("CLIENT PAUSE, UNPAUSE", async () => {
    const { client, prefix } = ctx();
    const other = single();
    try {
      await other.ping();
      assert.equal(await client.clientPause(10_000, { write: true }), "OK");
      let done = false;
      const write = other.set(`${prefix}paused`, "v").then((reply) => {
        done = true;
        return reply;
      });
      assert.equal(await client.get(`${prefix}missing`), null, "reads still run under WRITE");
      await delay(100);
      assert.equal(done, false, "the write waits for the pause to end");
      assert.equal(await client.clientUnpause(), "OK");
      assert.equal(await write, "OK");

      // ALL pauses every command, this client's included, until the timeout.
      const started = Date.now();
      assert.equal(await client.clientPause(150), "OK");
      assert.equal(await other.ping(), "PONG");
      assert.ok(Date.now() - started >= 100, `paused for ${Date.now() - started} ms`);
      assert.equal(await client.clientPause(100, { all: true }), "OK");
      assert.equal(await client.clientUnpause(), "OK");
    } finally {
      await client.clientUnpause();
      await other.close();
    }
  });

  it("CLIENT UNBLOCK", async () => {
    const { client, server, protocolVersion, prefix } = ctx();
    // BLPOP takes a connection of its own from this client's pool.
    const blocked = new Redis({ port: server.port, protocolVersion });
    try {
      assert.equal(await client.clientUnblock(await blocked.clientId()), 0, "not blocked");
      const waiting = blocked.blpop([`${prefix}unblock:list`], 30);
      const id = await waitForBlocked(client);
      assert.equal(await client.clientUnblock(id), 1);
      assert.equal(await waiting, null, "unblocked as if timed out");

      const failing = blocked.blpop([`${prefix}unblock:list`], 30);
      const outcome = failing.then(
        () => "returned",
        (error: unknown) => String(error),
      );
      const blockedId = await waitForBlocked(client);
      assert.equal(await client.clientUnblock(blockedId, { error: true }), 1);
      assert.match(await outcome, /UNBLOCKED/);

      const again = blocked.blpop([`${prefix}unblock:list`], 30);
      assert.equal(await client.clientUnblock(await waitForBlocked(client), { timeout: true }), 1);
      assert.equal(await again, null);
    } finally {
      await blocked.close();
    }
  });

  it("CLIENT NO-EVICT", async () => {
    const c = single();
    try {
      assert.equal(await c.clientNoEvict("ON"), "OK");
      assert.match((await c.clientInfo())["flags"] ?? "", /e/);
      assert.equal(await c.clientNoEvict("OFF"), "OK");
      assert.doesNotMatch((await c.clientInfo())["flags"] ?? "", /e/);
    } finally {
      await c.close();
    }
  });

  it("CLIENT NO-TOUCH", async (t) => {
    if (ctx().skipUnless(t, "7.2.0")) return;
    const c = single();
    try {
      assert.equal(await c.clientNoTouch("ON"), "OK");
      assert.match((await c.clientInfo())["flags"] ?? "", /T/);
      assert.equal(await c.clientNoTouch("OFF"), "OK");
    } finally {
      await c.close();
    }
  });

  it("CLIENT SETINFO", async (t) => {
    if (ctx().skipUnless(t, "7.2.0")) return;
    const c = single();
    try {
      assert.equal(await c.clientSetinfo({ libName: "coredis-test" }), "OK");
      assert.equal(await c.clientSetinfo({ libVer: "1.2.3" }), "OK");
      const info = await c.clientInfo();
      assert.equal(info["lib-name"], "coredis-test");
      assert.equal(info["lib-ver"], "1.2.3");
    } finally {
      await c.close();
    }
  });

  it("CLIENT CAPA", async (t) => {
    if (ctx().skipUnless(t, "8.0.0")) return;
    const c = single();
    try {
      assert.equal(await c.clientCapa(["redirect"]), "OK");
    } finally {
      await c.close();
    }
  });

  it("CLIENT GETREDIR, TRACKINGINFO (tracking off: the client's cache option owns CLIENT TRACKING)", async () => {
    const { server } = ctx();
    const c = single();
    try {
      assert.equal(await c.clientGetredir(), -1);
      const tracking = await sameUnderBothProtocols(server, (other) => other.clientTrackinginfo());
      assert.deepEqual({ ...tracking }, { flags: ["off"], redirect: -1, prefixes: [] });
      assert.deepEqual({ ...(await c.clientTrackinginfo()) }, { flags: ["off"], redirect: -1, prefixes: [] });
    } finally {
      await c.close();
    }
  });
});

/**
 * Waits until a client of the server is blocked (`flags` has `b`).
 * @returns the blocked client's ID.
 */
async function waitForBlocked(client: Redis): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const entry = (await client.clientList({ type: "normal" })).find(
      (e) => (e["flags"] ?? "").includes("b"),
    );
    if (entry !== undefined) return Number(entry["id"]);
    await delay(10);
  }
  throw new Error("no client got blocked");
}
