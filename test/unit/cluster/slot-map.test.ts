import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SlotMap } from "../../../src/cluster/slot-map.js";
import { ClusterError } from "../../../src/errors.js";
import type { RESPValue } from "../../../src/protocol/values.js";

const node = (port: number, role: string, health = "online"): Map<RESPValue, RESPValue> =>
  new Map<RESPValue, RESPValue>([
    ["id", `id-${port}`],
    ["port", port],
    ["ip", "127.0.0.1"],
    ["endpoint", "127.0.0.1"],
    ["role", role],
    ["replication-offset", 0],
    ["health", health],
  ]);

const shard = (ranges: number[], ...nodes: Map<RESPValue, RESPValue>[]): Map<RESPValue, RESPValue> =>
  new Map<RESPValue, RESPValue>([
    ["slots", ranges],
    ["nodes", nodes],
  ]);

/** A RESP3 map as RESP2 sends it: a flat list of names and values, nested maps included. */
const flat = (value: RESPValue): RESPValue => {
  if (value instanceof Map) return [...value].flatMap(([name, field]) => [name, flat(field)]);
  if (Array.isArray(value)) return value.map(flat);
  return value;
};

describe("SlotMap.fromShards", () => {
  const reply: RESPValue = [
    shard([0, 5460], node(7000, "master"), node(7003, "replica")),
    shard([5461, 10922], node(7001, "master"), node(7004, "replica", "failed")),
    shard([10923, 16000, 16001, 16383], node(7005, "replica"), node(7002, "master")),
  ];

  for (const [form, value] of [["RESP3", reply], ["RESP2", flat(reply)]] as const) {
    it(`maps every slot to its shard (${form})`, () => {
      const map = SlotMap.fromShards(value);
      assert.equal(map.unassignedSlots, 0);
      assert.equal(map.shardFor(0)?.primary.port, 7000);
      assert.equal(map.shardFor(5460)?.primary.port, 7000);
      assert.equal(map.shardFor(5461)?.primary.port, 7001);
      assert.equal(map.shardFor(16383)?.primary.port, 7002);
      assert.deepEqual(map.shardFor(16001)?.ranges, [[10923, 16000], [16001, 16383]]);
      assert.deepEqual(map.shardFor(100)?.replicas.map((replica) => [replica.port, replica.role, replica.healthy]), [[7003, "replica", true]]);
      assert.equal(map.shardFor(6000)?.replicas[0]?.healthy, false, "a failed replica is kept, marked unhealthy");
      assert.deepEqual(map.nodes.map((member) => member.port), [7000, 7001, 7002, 7003, 7004, 7005]);
    });
  }

  it("a shard without a primary (a failover under way) serves nothing", () => {
    const map = SlotMap.fromShards([shard([0, 100], node(7003, "replica"))]);
    assert.equal(map.shardFor(50), undefined);
    assert.equal(map.unassignedSlots, 16_384);
  });

  it("refuses replies it cannot read, with a ClusterError", () => {
    assert.throws(() => SlotMap.fromShards("OK"), ClusterError);
    assert.throws(() => SlotMap.fromShards([new Map([["slots", [0, 1]]])]), ClusterError);
    assert.throws(() => SlotMap.fromShards([shard([0, 99999], node(7000, "master"))]), ClusterError);
  });
});

describe("SlotMap.fromSlots", () => {
  it("groups ranges by primary, replicas after it", () => {
    const map = SlotMap.fromSlots([
      [0, 5460, ["127.0.0.1", 7000, "id-a"], ["127.0.0.1", 7003, "id-d"]],
      [5461, 10922, ["127.0.0.1", 7001, "id-b"]],
      [10923, 16383, ["127.0.0.1", 7000, "id-a"], ["127.0.0.1", 7003, "id-d"]],
    ]);
    assert.equal(map.shards.length, 2);
    assert.equal(map.unassignedSlots, 0);
    assert.equal(map.shardFor(16000)?.primary.id, "id-a");
    assert.deepEqual(map.shardFor(0)?.ranges, [[0, 5460], [10923, 16383]]);
    assert.equal(map.shardFor(6000)?.replicas.length, 0);
  });
});
