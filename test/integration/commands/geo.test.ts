/**
 * The `geo` group against a real server, under RESP2 and RESP3 (where coordinates are RESP3
 * doubles, distances strings in both): every method, with the WITH* options that change the
 * reply, the STORE forms, Buffer replies, and errors. Figures are those of the Redis manual's
 * Sicily examples.
 */
/* eslint-disable @typescript-eslint/no-deprecated -- deprecated commands are still commands: their methods are tested too */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ResponseError, WrongTypeError } from "../../../src/index.js";
import type { Redis } from "../../../src/index.js";
import { describeEachProtocol } from "../../harness/matrix.js";

/** Coordinates as Redis stores them (52-bit geohash precision), as the manual prints them. */
const PALERMO: [number, number] = [Number("13.36138933897018433"), Number("38.11555639549629859")];
const CATANIA: [number, number] = [Number("15.08726745843887329"), Number("37.50266842333162032")];
const PALERMO_HASH = 3479099956230698;
const CATANIA_HASH = 3479447370796909;

/** Palermo and Catania under `key`. */
async function sicily(client: Redis, key: string): Promise<void> {
  assert.equal(
    await client.geoadd(key, [
      { longitude: 13.361389, latitude: 38.115556, member: "Palermo" },
      { longitude: 15.087269, latitude: 37.502669, member: "Catania" },
    ]),
    2,
  );
}

describeEachProtocol("commands: geo", (ctx) => {
  it("GEOADD with NX, XX, CH", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}geo:add`;
    await sicily(client, k);
    assert.equal(await client.geoadd(k, [{ longitude: 13.361389, latitude: 38.115556, member: "Palermo" }]), 0);
    assert.equal(await client.geoadd(k, [{ longitude: 13.583333, latitude: 37.316667, member: "Agrigento" }], { xx: true }), 0);
    assert.equal(await client.zcard(k), 2);
    assert.equal(await client.geoadd(k, [{ longitude: 13.583333, latitude: 37.316667, member: "Agrigento" }], { nx: true }), 1);
    assert.equal(await client.geoadd(k, [{ longitude: 1, latitude: 1, member: "Palermo" }], { nx: true }), 0);
    assert.equal(await client.geoadd(k, [{ longitude: 1, latitude: 1, member: "Palermo" }, { longitude: 2, latitude: 2, member: "X" }], { xx: true, ch: true }), 1);
    assert.equal(await client.zcard(k), 3);
    await assert.rejects(client.geoadd(k, [{ longitude: 200, latitude: 100, member: "nowhere" }]), ResponseError);
  });

  it("GEOPOS and GEOHASH, with missing members", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}geo:pos`;
    await sicily(client, k);
    assert.deepEqual(await client.geopos(k, ["Palermo", "Catania", "Nowhere"]), [PALERMO, CATANIA, null]);
    assert.deepEqual(await client.geopos(`${prefix}geo:missing`, ["Palermo"]), [null]);
    assert.deepEqual(await client.geopos(k), []);
    assert.deepEqual(await client.geohash(k, ["Palermo", "Catania"]), ["sqc8b49rny0", "sqdtr74hyu0"]);
    assert.deepEqual(await client.geohash(k, ["Palermo", "Nowhere"]), ["sqc8b49rny0", null]);
    assert.deepEqual(await client.geohash(k), []);
  });

  it("GEODIST in every unit, and null for a missing member", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}geo:dist`;
    await sicily(client, k);
    assert.equal(await client.geodist(k, "Palermo", "Catania"), 166274.1516);
    assert.equal(await client.geodist(k, "Palermo", "Catania", { m: true }), 166274.1516);
    assert.equal(await client.geodist(k, "Palermo", "Catania", { km: true }), 166.2742);
    assert.equal(await client.geodist(k, "Palermo", "Catania", { mi: true }), 103.3182);
    assert.equal(await client.geodist(k, "Palermo", "Catania", { ft: true }), 545518.8700);
    assert.equal(await client.geodist(k, "Palermo", "Nowhere"), null);
    assert.equal(await client.geodist(k, "Palermo", "Palermo"), 0);
  });

  it("GEORADIUS: names, WITHDIST, WITHCOORD, WITHHASH, COUNT, ASC/DESC", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}geo:radius`;
    await sicily(client, k);
    assert.deepEqual(await client.georadius(k, 15, 37, 200, "km", { asc: true }), ["Catania", "Palermo"]);
    assert.deepEqual(await client.georadius(k, 15, 37, 100, "km"), ["Catania"]);
    assert.deepEqual(await client.georadius(k, 15, 37, 200, "km", { withdist: true, asc: true }), [
      { member: "Catania", dist: 56.4413 },
      { member: "Palermo", dist: 190.4424 },
    ]);
    assert.deepEqual(await client.georadius(k, 15, 37, 200, "km", { withcoord: true, desc: true }), [
      { member: "Palermo", coord: PALERMO },
      { member: "Catania", coord: CATANIA },
    ]);
    assert.deepEqual(await client.georadius(k, 15, 37, 200, "km", { withdist: true, withhash: true, withcoord: true, count: 1 }), [
      { member: "Catania", dist: 56.4413, hash: CATANIA_HASH, coord: CATANIA },
    ]);
    assert.deepEqual(await client.georadius(k, 15, 37, 200, "km", { withhash: true, count: 2, any: true, asc: true }), [
      { member: "Catania", hash: CATANIA_HASH },
      { member: "Palermo", hash: PALERMO_HASH },
    ]);
    assert.deepEqual(await client.georadius(k, 0, 0, 1, "m", { withdist: true }), []);
  });

  it("GEORADIUS STORE and STOREDIST", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}{georadius}src`;
    const dst = `${prefix}{georadius}dst`;
    await sicily(client, k);
    assert.equal(await client.georadius(k, 15, 37, 200, "km", { store: dst }), 2);
    assert.deepEqual(await client.zrange(dst, 0, -1, { withscores: true }), [
      ["Palermo", PALERMO_HASH],
      ["Catania", CATANIA_HASH],
    ]);
    assert.equal(await client.georadius(k, 15, 37, 200, "km", { storedist: dst, count: 1 }), 1);
    assert.deepEqual(await client.zrange(dst, 0, -1), ["Catania"]);
    const [, dist] = (await client.zrange(dst, 0, -1, { withscores: true }))[0]!;
    assert.ok(Math.abs(dist - 56.4413) < 1e-3, `distance ${dist}`);
    assert.equal(await client.georadius(k, 0, 0, 1, "m", { store: dst }), 0);
  });

  it("GEORADIUSBYMEMBER: names, WITH* options, STORE", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}{georbm}src`;
    const dst = `${prefix}{georbm}dst`;
    await sicily(client, k);
    await client.geoadd(k, [{ longitude: 13.583333, latitude: 37.316667, member: "Agrigento" }]);
    assert.deepEqual(await client.georadiusbymember(k, "Agrigento", 100, "km"), ["Agrigento", "Palermo"]);
    assert.deepEqual(await client.georadiusbymember(k, "Agrigento", 100, "km", { withdist: true, desc: true }), [
      { member: "Palermo", dist: 90.9778 },
      { member: "Agrigento", dist: 0 },
    ]);
    assert.deepEqual(await client.georadiusbymember(k, "Palermo", 10, "km", { withcoord: true, withhash: true }), [
      { member: "Palermo", hash: PALERMO_HASH, coord: PALERMO },
    ]);
    assert.equal(await client.georadiusbymember(k, "Agrigento", 100, "km", { store: dst }), 2);
    assert.deepEqual(await client.zrange(dst, 0, -1), ["Agrigento", "Palermo"]);
    assert.equal(await client.georadiusbymember(k, "Agrigento", 100, "km", { storedist: dst, asc: true, count: 1 }), 1);
    assert.deepEqual(await client.zrange(dst, 0, -1, { withscores: true }), [["Agrigento", 0]]);
    await assert.rejects(client.georadiusbymember(k, "Nowhere", 100, "km"), ResponseError);
  });

  it("GEORADIUS_RO and GEORADIUSBYMEMBER_RO", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}geo:ro`;
    await sicily(client, k);
    assert.deepEqual(await client.georadiusRo(k, 15, 37, 200, "km", { asc: true }), ["Catania", "Palermo"]);
    assert.deepEqual(await client.georadiusRo(k, 15, 37, 200, "km", { withdist: true, asc: true, count: 1 }), [
      { member: "Catania", dist: 56.4413 },
    ]);
    assert.deepEqual(await client.georadiusbymemberRo(k, "Palermo", 200, "km", { asc: true }), ["Palermo", "Catania"]);
    assert.deepEqual(await client.georadiusbymemberRo(k, "Palermo", 200, "km", { withdist: true, withcoord: true, asc: true }), [
      { member: "Palermo", dist: 0, coord: PALERMO },
      { member: "Catania", dist: 166.2742, coord: CATANIA },
    ]);
  });

  it("GEOSEARCH: FROMLONLAT and FROMMEMBER, BYRADIUS and BYBOX, WITH* options", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}geo:search`;
    await sicily(client, k);
    await client.geoadd(k, [
      { longitude: 12.758489, latitude: 38.788135, member: "edge1" },
      { longitude: 17.24151, latitude: 38.788135, member: "edge2" },
    ]);
    assert.deepEqual(
      await client.geosearch(k, { fromlonlat: { longitude: 15, latitude: 37 } }, { byradius: 200, unit: "km" }, { asc: true }),
      ["Catania", "Palermo"],
    );
    assert.deepEqual(
      await client.geosearch(k, { fromlonlat: { longitude: 15, latitude: 37 } }, { bybox: 400, height: 400, unit: "km" }, {
        asc: true,
        withcoord: true,
        withdist: true,
      }),
      [
        { member: "Catania", dist: 56.4413, coord: CATANIA },
        { member: "Palermo", dist: 190.4424, coord: PALERMO },
        { member: "edge2", dist: 279.7403, coord: [Number("17.24151045083999634"), Number("38.78813451624225195")] },
        { member: "edge1", dist: 279.7405, coord: [Number("12.7584877610206604"), Number("38.78813451624225195")] },
      ],
    );
    assert.deepEqual(
      await client.geosearch(k, { frommember: "Palermo" }, { byradius: 200, unit: "km" }, { desc: true, count: 1, withhash: true }),
      [{ member: "Catania", hash: CATANIA_HASH }],
    );
    assert.deepEqual(
      await client.geosearch(k, { frommember: "Palermo" }, { byradius: 1, unit: "km" }, { count: 5, any: true }),
      ["Palermo"],
    );
    assert.deepEqual(await client.geosearch(`${prefix}geo:missing`, { fromlonlat: { longitude: 0, latitude: 0 } }, { byradius: 1, unit: "m" }), []);
    await assert.rejects(client.geosearch(k, { frommember: "Nowhere" }, { byradius: 1, unit: "km" }), ResponseError);
  });

  it("GEOSEARCHSTORE, with and without STOREDIST", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}{geoss}src`;
    const dst = `${prefix}{geoss}dst`;
    await sicily(client, k);
    assert.equal(await client.geosearchstore(dst, k, { fromlonlat: { longitude: 15, latitude: 37 } }, { byradius: 200, unit: "km" }), 2);
    assert.deepEqual(await client.geopos(dst, ["Palermo", "Catania"]), [PALERMO, CATANIA]);
    assert.equal(
      await client.geosearchstore(dst, k, { frommember: "Catania" }, { bybox: 10, height: 10, unit: "km" }, { storedist: true, count: 1, asc: true }),
      1,
    );
    assert.deepEqual(await client.zrange(dst, 0, -1, { withscores: true }), [["Catania", 0]]);
    assert.equal(await client.geosearchstore(dst, k, { fromlonlat: { longitude: 0, latitude: 0 } }, { byradius: 1, unit: "m" }), 0);
    assert.equal(await client.exists([dst]), 0);
  });

  it("Buffer view: members are Buffers, coordinates and distances numbers", async () => {
    const { client, buffers, prefix } = ctx();
    const k = `${prefix}geo:buf`;
    await sicily(client, k);
    const names = await buffers.georadius(k, 15, 37, 200, "km", { asc: true });
    assert.ok(Buffer.isBuffer(names[0]));
    assert.deepEqual(names, [Buffer.from("Catania"), Buffer.from("Palermo")]);
    assert.deepEqual(await buffers.geosearch(k, { frommember: "Catania" }, { byradius: 1, unit: "km" }, { withdist: true, withcoord: true }), [
      { member: Buffer.from("Catania"), dist: 0, coord: CATANIA },
    ]);
    assert.deepEqual(await buffers.geohash(k, ["Palermo"]), [Buffer.from("sqc8b49rny0")]);
    assert.deepEqual(await buffers.geopos(k, ["Palermo"]), [PALERMO]);
    assert.equal(await buffers.geodist(k, "Palermo", "Catania", { km: true }), 166.2742);
  });

  it("WRONGTYPE: geo commands on a string reject with WrongTypeError", async () => {
    const { client, prefix } = ctx();
    const k = `${prefix}geo:wrongtype`;
    await client.set(k, "v");
    await assert.rejects(client.geoadd(k, [{ longitude: 1, latitude: 1, member: "m" }]), WrongTypeError);
    await assert.rejects(client.geopos(k, ["m"]), WrongTypeError);
    await assert.rejects(client.geodist(k, "a", "b"), WrongTypeError);
    await assert.rejects(client.georadius(k, 1, 1, 1, "km", { withdist: true }), WrongTypeError);
    await assert.rejects(client.geosearch(k, { fromlonlat: { longitude: 1, latitude: 1 } }, { byradius: 1, unit: "km" }), WrongTypeError);
  });
});
