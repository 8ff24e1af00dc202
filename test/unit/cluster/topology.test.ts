import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SlotMap } from "../../../src/cluster/slot-map.js";
import { type NodeAddress, Topology, type TopologySource } from "../../../src/cluster/topology.js";
import { AuthenticationError, ClusterError, ConnectionError } from "../../../src/errors.js";

const node = (port: number, role: "primary" | "replica" = "primary") => ({ id: `id-${port}`, host: "127.0.0.1", port, role, healthy: true });
const whole = (...ports: number[]): SlotMap => {
  const size = Math.ceil(16_384 / ports.length);
  return new SlotMap(
    ports.map((port, i) => ({ primary: node(port), replicas: [node(port + 100, "replica")], ranges: [[i * size, Math.min(16_383, (i + 1) * size - 1)] as const] })),
  );
};

/** A source answering from a table of outcomes per port, recording whom it was asked. */
class TableSource implements TopologySource {
  readonly asked: string[] = [];
  constructor(readonly answers: Map<number, SlotMap | Error>) {}
  async slotMap(address: NodeAddress): Promise<SlotMap> {
    this.asked.push(`${address.host}:${address.port}`);
    await Promise.resolve();
    const answer = this.answers.get(address.port);
    if (answer === undefined) throw new ConnectionError(`connection to ${address.host}:${address.port} refused`, { written: false });
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

describe("Topology", () => {
  it("collapses concurrent refreshes into one", async () => {
    const source = new TableSource(new Map([[7000, whole(7000, 7001, 7002)]]));
    const topology = new Topology([{ host: "127.0.0.1", port: 7000 }], source);
    const maps = await Promise.all(Array.from({ length: 100 }, () => topology.refresh()));
    assert.equal(source.asked.length, 1);
    assert.ok(maps.every((map) => map === maps[0]));
    assert.equal(topology.refreshes, 1);
    await topology.refresh();
    assert.equal(source.asked.length, 2, "a refresh after the last one finished asks again");
  });

  it("asks the known nodes first, primaries before replicas, then the start-up nodes; each once", async () => {
    const source = new TableSource(new Map([[7000, whole(7000, 7001)]]));
    const topology = new Topology([{ host: "127.0.0.1", port: 7000 }, { host: "localhost", port: 7000 }], source);
    await topology.refresh();
    assert.deepEqual(
      topology.candidates().map((address) => `${address.host}:${address.port}`),
      ["127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7100", "127.0.0.1:7101", "localhost:7000"],
    );
  });

  it("goes on past failing nodes, and back to the start-up names when every known node failed", async () => {
    const answers = new Map<number, SlotMap | Error>([[7000, whole(7001)]]);
    const source = new TableSource(answers);
    const topology = new Topology([{ host: "redis.internal", port: 7000 }], source);
    await topology.refresh();
    answers.delete(7000);
    answers.set(7001, new ConnectionError("connection to 127.0.0.1:7001 refused", { written: false }));
    answers.set(7101, new ConnectionError("connection to 127.0.0.1:7101 refused", { written: false }));
    answers.set(7000, whole(7002));
    const map = await topology.refresh();
    assert.equal(map.shardFor(0)?.primary.port, 7002);
    assert.deepEqual(source.asked.slice(1), ["127.0.0.1:7001", "127.0.0.1:7101", "redis.internal:7000"]);
  });

  it("prefers a view that covers every slot, keeping one with holes only when nobody has better", async () => {
    const holes = new SlotMap([{ primary: node(7000), replicas: [], ranges: [[0, 99]] }]);
    const topology = new Topology([{ host: "a", port: 7000 }, { host: "b", port: 7001 }], new TableSource(new Map([[7000, holes], [7001, whole(7001)]])));
    assert.equal((await topology.refresh()).unassignedSlots, 0);
    const alone = new Topology([{ host: "a", port: 7000 }], new TableSource(new Map([[7000, holes]])));
    assert.equal((await alone.refresh()).unassignedSlots, 16_384 - 100);
  });

  it("when no node answers, the error names each node with its own cause", async () => {
    const source = new TableSource(new Map([[7000, new AuthenticationError("WRONGPASS invalid username-password pair")]]));
    const topology = new Topology([{ host: "a", port: 7000 }, { host: "b", port: 7001 }], source);
    await assert.rejects(topology.refresh(), (error: unknown) => {
      assert.ok(error instanceof ClusterError);
      assert.match(error.message, /a:7000: WRONGPASS/);
      assert.match(error.message, /b:7001: connection to b:7001 refused/);
      assert.ok(error.cause instanceof AggregateError);
      return true;
    });
    assert.equal(topology.map, undefined);
  });

  it("needs a start-up node", () => {
    assert.throws(() => new Topology([], new TableSource(new Map())), ClusterError);
  });
});
