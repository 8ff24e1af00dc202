/**
 * The stream commands against a real server, under RESP2 and RESP3; the transformed replies
 * (entries, XREAD maps, XINFO) are also compared between a RESP2 and a RESP3 client.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { describeEachProtocol } from "../../harness/matrix.js";
import { untilBlocked } from "../../harness/blocked.js";
import { plain, sameUnderBothProtocols } from "./compare-protocols.js";

describeEachProtocol("stream commands", (ctx) => {
  it("XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM", async () => {
    const { client, server, prefix } = ctx();
    const key = `${prefix}xs:basic`;
    await client.del([key]);
    assert.equal(await client.xadd(key, "1-1", { a: "1", b: "x" }), "1-1");
    assert.equal(await client.xadd(key, "2-1", [["a", "2"]]), "2-1");
    assert.equal(await client.xadd(key, "3-1", { a: "3" }), "3-1");
    const auto = await client.xadd(key, "*", { a: "4" });
    assert.match(auto ?? "", /^\d+-\d+$/);
    assert.equal(await client.xadd(`${prefix}xs:none`, "*", { a: "1" }, { nomkstream: true }), null);
    assert.equal(await client.xlen(key), 4);

    const range = await client.xrange(key, "-", "3-1");
    assert.deepEqual(plain(range), [
      { id: "1-1", fields: { a: "1", b: "x" } },
      { id: "2-1", fields: { a: "2" } },
      { id: "3-1", fields: { a: "3" } },
    ]);
    assert.deepEqual(plain(await client.xrange(key, "2", "+", { count: 1 })), [{ id: "2-1", fields: { a: "2" } }]);
    assert.deepEqual(
      plain(await client.xrevrange(key, "3-1", "-", { count: 2 })),
      [{ id: "3-1", fields: { a: "3" } }, { id: "2-1", fields: { a: "2" } }],
    );
    assert.deepEqual(await client.xrange(key, "3-2", "3-9"), []);
    const compared = await sameUnderBothProtocols(server, (c) => c.xrange(key, "-", "+"));
    assert.equal(compared.length, 4);
    await sameUnderBothProtocols(server, (c) => c.xrevrange(key, "+", "-", { count: 3 }));

    assert.equal(await client.xdel(key, ["2-1", "9-9"]), 1);
    assert.equal(await client.xtrim(key, { strategy: "MAXLEN", threshold: 2 }), 1);
    assert.deepEqual((await client.xrange(key, "-", "+")).map((e) => e.id), ["3-1", auto]);
    assert.equal(await client.xtrim(key, { strategy: "MINID", operator: "=", threshold: "4-0" }), 1);
    assert.equal(await client.xtrim(key, { strategy: "MAXLEN", operator: "~", threshold: 1000, limit: 10 }), 0);
    assert.equal(await client.xadd(key, "*", { a: "5" }, { strategy: "MAXLEN", operator: "=", threshold: 1 }) !== null, true);
    assert.equal(await client.xlen(key), 1);
  });

  it("XREAD (and Buffer entries)", async () => {
    const { client, buffers, server, prefix } = ctx();
    const [a, b] = [`${prefix}xs:read:a`, `${prefix}xs:read:b`];
    await client.del([a, b]);
    await client.xadd(a, "1-0", { f: "a1" });
    await client.xadd(a, "2-0", { f: "a2" });
    await client.xadd(b, "1-0", { f: "b1" });
    const read = await client.xread({ [a]: "0", [b]: "0" }, { count: 1 });
    assert.deepEqual(plain(read), {
      [a]: [{ id: "1-0", fields: { f: "a1" } }],
      [b]: [{ id: "1-0", fields: { f: "b1" } }],
    });
    assert.equal(await client.xread([[a, "2-0"]]), null);
    const compared = await sameUnderBothProtocols(server, (c) => c.xread([[a, "0"], [b, "0"]]));
    assert.deepEqual(Object.keys(compared ?? {}), [a, b]);

    const raw = await buffers.xread([[Buffer.from(a), "1-0"]]);
    assert.ok(raw !== null);
    const entries = raw[a];
    assert.ok(entries !== undefined);
    assert.deepEqual(entries[0]?.id, Buffer.from("2-0"));
    assert.deepEqual(entries[0]?.fields["f"], Buffer.from("a2"));

    // BLOCK: nothing arrives within the timeout, then an entry added meanwhile is returned.
    assert.equal(await client.xread({ [a]: "$" }, { block: 50 }), null);
    const pending = client.xread({ [b]: "$" }, { block: 5000 });
    await untilBlocked(client);
    await client.xadd(b, "5-0", { f: "late" });
    assert.deepEqual(plain(await pending), { [b]: [{ id: "5-0", fields: { f: "late" } }] });
  });

  it("consumer groups: XGROUP *, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM", async () => {
    const { client, server, prefix } = ctx();
    const key = `${prefix}xs:group`;
    await client.del([key]);
    assert.equal(await client.xgroupCreate(key, "g", "$", { mkstream: true }), "OK");
    await assert.rejects(client.xgroupCreate(key, "g", "$"), /BUSYGROUP/);
    assert.equal(await client.xgroupCreate(key, "g2", "0", { entriesread: 0 }), "OK");
    for (let i = 1; i <= 4; i++) await client.xadd(key, `${i}-0`, { n: String(i) });
    assert.equal(await client.xgroupSetid(key, "g", "0", { entriesread: 0 }), "OK");
    assert.equal(await client.xgroupCreateconsumer(key, "g", "alice"), 1);
    assert.equal(await client.xgroupCreateconsumer(key, "g", "alice"), 0);

    const first = await client.xreadgroup({ group: "g", consumer: "alice" }, { [key]: ">" }, { count: 2 });
    assert.deepEqual(plain(first), {
      [key]: [
        { id: "1-0", fields: { n: "1" } },
        { id: "2-0", fields: { n: "2" } },
      ],
    });
    const second = await client.xreadgroup({ group: "g", consumer: "bob" }, [[key, ">"]], { count: 1 });
    assert.deepEqual(plain(second), { [key]: [{ id: "3-0", fields: { n: "3" } }] });
    // NOACK: delivered without entering the pending list.
    assert.deepEqual(
      plain(await client.xreadgroup({ group: "g", consumer: "bob" }, { [key]: ">" }, { noack: true })),
      { [key]: [{ id: "4-0", fields: { n: "4" } }] },
    );
    assert.equal(await client.xreadgroup({ group: "g", consumer: "bob" }, { [key]: ">" }), null);
    assert.equal(await client.xreadgroup({ group: "g", consumer: "bob" }, { [key]: ">" }, { block: 20 }), null);

    // The pending history, with an entry deleted meanwhile: its fields read as null. Each of the
    // two reads delivers 1-0 again (2-0 is gone and stays at one delivery).
    await client.xdel(key, ["2-0"]);
    const history = await sameUnderBothProtocols(server, (c) =>
      c.xreadgroup({ group: "g", consumer: "alice" }, { [key]: "0" }),
    );
    assert.deepEqual(plain(history), {
      [key]: [
        { id: "1-0", fields: { n: "1" } },
        { id: "2-0", fields: null },
      ],
    });

    const summary = await client.xpending(key, "g");
    assert.deepEqual(summary, [3, "1-0", "3-0", [["alice", "2"], ["bob", "1"]]]);
    assert.deepEqual(await client.xpending(key, "g2"), [0, null, null, null]);
    const detail = await client.xpending(key, "g", { start: "-", end: "+", count: 10 });
    assert.deepEqual(detail.map(([id, consumer, , deliveries]) => [id, consumer, deliveries]), [
      ["1-0", "alice", 3],
      ["2-0", "alice", 1],
      ["3-0", "bob", 1],
    ]);
    for (const [, , idle] of detail) assert.ok(typeof idle === "number" && idle >= 0);
    const bobs = await client.xpending(key, "g", { idle: 0, start: "-", end: "+", count: 10, consumer: "bob" });
    assert.deepEqual(bobs.map(([id]) => id), ["3-0"]);

    // XCLAIM: bob takes 1-0; JUSTID gives IDs only; a deleted entry is dropped from the PEL.
    const claimed = await client.xclaim(key, "g", "bob", 0, ["1-0"], { retrycount: 5 });
    assert.deepEqual(plain(claimed), [{ id: "1-0", fields: { n: "1" } }]);
    assert.deepEqual(await client.xclaim(key, "g", "alice", 0, ["1-0", "3-0"], { justid: true, idle: 1000 }), ["1-0", "3-0"]);
    assert.deepEqual(
      plain(await client.xclaim(key, "g", "carol", 0, ["3-0"], { time: Date.now() - 10_000, force: true, lastid: "3-0" })),
      [{ id: "3-0", fields: { n: "3" } }],
    );

    // XAUTOCLAIM: everything idle for 0 ms goes to dave; 2-0 was deleted and is reported.
    const [next, entries, deleted] = await client.xautoclaim(key, "g", "dave", "0", "0-0", { count: 10 });
    assert.equal(next, "0-0");
    assert.deepEqual(plain(entries), [
      { id: "1-0", fields: { n: "1" } },
      { id: "3-0", fields: { n: "3" } },
    ]);
    assert.deepEqual(deleted, ["2-0"]);
    assert.deepEqual(await client.xautoclaim(key, "g", "erin", "0", "0-0", { justid: true }), ["0-0", ["1-0", "3-0"], []]);
    const [, compared] = await sameUnderBothProtocols(server, (c) => c.xautoclaim(key, "g", "erin", "0", "0-0"));
    assert.deepEqual(compared.map((e) => e.id), ["1-0", "3-0"]);

    assert.equal(await client.xack(key, "g", ["1-0", "3-0", "9-0"]), 2);
    assert.deepEqual(await client.xpending(key, "g"), [0, null, null, null]);

    assert.equal(await client.xgroupDelconsumer(key, "g", "alice"), 0);
    await client.xreadgroup({ group: "g2", consumer: "zed" }, { [key]: ">" }, { count: 1 });
    assert.equal(await client.xgroupDelconsumer(key, "g2", "zed"), 1);
    assert.equal(await client.xgroupDestroy(key, "g2"), 1);
    assert.equal(await client.xgroupDestroy(key, "g2"), 0);
  });

  it("XINFO STREAM, GROUPS, CONSUMERS", async () => {
    const { client, server, prefix } = ctx();
    const key = `${prefix}xs:info`;
    await client.del([key]);
    await client.xadd(key, "1-0", { a: "1" });
    await client.xadd(key, "2-0", { a: "2" });
    await client.xgroupCreate(key, "g", "0");
    await client.xreadgroup({ group: "g", consumer: "c1" }, { [key]: ">" }, { count: 1 });

    const stream = await sameUnderBothProtocols(server, (c) => c.xinfoStream(key));
    assert.equal(stream.length, 2);
    assert.equal(stream.groups, 1);
    assert.equal(stream["last-generated-id"], "2-0");
    assert.equal(stream["max-deleted-entry-id"], "0-0");
    assert.equal(stream["recorded-first-entry-id"], "1-0");
    assert.equal(stream["entries-added"], 2);
    assert.equal(typeof stream["radix-tree-keys"], "number");
    assert.equal(typeof stream["radix-tree-nodes"], "number");
    assert.deepEqual(plain(stream["first-entry"]), { id: "1-0", fields: { a: "1" } });
    assert.deepEqual(plain(stream["last-entry"]), { id: "2-0", fields: { a: "2" } });

    const full = await sameUnderBothProtocols(server, (c) => c.xinfoStream(key, { full: true, count: 10 }));
    assert.equal(full.length, 2);
    assert.deepEqual(plain(full.entries), [
      { id: "1-0", fields: { a: "1" } },
      { id: "2-0", fields: { a: "2" } },
    ]);
    const [group] = full.groups;
    assert.ok(group !== undefined);
    assert.equal(group.name, "g");
    assert.equal(group["last-delivered-id"], "1-0");
    assert.equal(group["entries-read"], 1);
    assert.equal(group.lag, 1);
    assert.equal(group["pel-count"], 1);
    assert.equal(group.pending.length, 1);
    const [pelId, pelConsumer, pelTime, pelCount] = group.pending[0] ?? [];
    assert.deepEqual([pelId, pelConsumer, pelCount], ["1-0", "c1", 1]);
    assert.equal(typeof pelTime, "number");
    const [consumer] = group.consumers;
    assert.ok(consumer !== undefined);
    assert.equal(consumer.name, "c1");
    assert.equal(consumer["pel-count"], 1);
    assert.equal(typeof consumer["seen-time"], "number");
    assert.deepEqual(consumer.pending.map(([id, , count]) => [id, count]), [["1-0", 1]]);
    const empty = await client.xinfoStream(key, { full: true });
    assert.equal(empty.entries.length, 2);

    const groups = await sameUnderBothProtocols(server, (c) => c.xinfoGroups(key));
    assert.deepEqual(plain(groups), [
      { name: "g", consumers: 1, pending: 1, "last-delivered-id": "1-0", "entries-read": 1, lag: 1 },
    ]);

    const consumers = await client.xinfoConsumers(key, "g");
    assert.equal(consumers.length, 1);
    assert.equal(consumers[0]?.name, "c1");
    assert.equal(consumers[0]?.pending, 1);
    assert.equal(typeof consumers[0]?.idle, "number");
    // `idle` moves with time: compare the rest.
    await sameUnderBothProtocols(server, async (c) =>
      (await c.xinfoConsumers(key, "g")).map(({ name, pending }) => ({ name, pending })),
    );
  });

  it("XSETID, XGROUP HELP, XINFO HELP", async () => {
    const { client, prefix } = ctx();
    const key = `${prefix}xs:setid`;
    await client.del([key]);
    await client.xadd(key, "5-0", { a: "1" });
    assert.equal(await client.xsetid(key, "10-0"), "OK");
    assert.equal(await client.xsetid(key, "20-0", { entriesadded: 10, maxdeletedid: "15-0" }), "OK");
    const info = await client.xinfoStream(key);
    assert.equal(info["last-generated-id"], "20-0");
    assert.equal(info["entries-added"], 10);
    assert.equal(info["max-deleted-entry-id"], "15-0");
    await assert.rejects(client.xsetid(key, "1-0"), /smaller/);
    assert.ok((await client.xgroupHelp()).some((line) => line.includes("CREATECONSUMER")));
    assert.ok((await client.xinfoHelp()).some((line) => line.includes("CONSUMERS")));
    for (const lines of [await ctx().buffers.xgroupHelp(), await ctx().buffers.xinfoHelp()]) {
      assert.ok(lines.every((line) => typeof line === "string"));
    }
  });
});
