/**
 * What Sentinel's announcements and replies mean (sentinel-events.ts): the payload formats of
 * Redis's sentinel.c, parsed without a sentinel.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { healthyReplicas, parseAddress, parseAnnouncement } from "../../../src/client/sentinel-events.js";
import { TCPLocation } from "../../../src/connection/location.js";

describe("parseAnnouncement", () => {
  it("+switch-master names the service and its new primary", () => {
    assert.deepEqual(parseAnnouncement("+switch-master", "mymaster 127.0.0.1 6380 127.0.0.1 6381"), {
      service: "mymaster",
      event: { kind: "switch", to: new TCPLocation("127.0.0.1", 6381) },
    });
  });

  it("+selected-slave is about the master after the @", () => {
    assert.deepEqual(parseAnnouncement("+selected-slave", "slave 127.0.0.1:6381 127.0.0.1 6381 @ other 127.0.0.1 6380"), {
      service: "other",
      event: { kind: "promoting" },
    });
  });

  it("-failover-abort-… about a master itself", () => {
    assert.deepEqual(parseAnnouncement("-failover-abort-no-good-slave", "master mymaster 127.0.0.1 6380"), {
      service: "mymaster",
      event: { kind: "aborted" },
    });
  });

  it("+sdown of a replica names the replica; of a master or a sentinel, nothing a pool acts on", () => {
    assert.deepEqual(parseAnnouncement("+sdown", "slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6380"), {
      service: "mymaster",
      event: { kind: "replica-down", replica: new TCPLocation("127.0.0.1", 6381) },
    });
    assert.equal(parseAnnouncement("+sdown", "master mymaster 127.0.0.1 6380"), undefined);
    assert.equal(parseAnnouncement("+sdown", "sentinel 0123abcd 127.0.0.1 26380 @ mymaster 127.0.0.1 6380"), undefined);
  });

  it("a malformed payload means nothing", () => {
    assert.equal(parseAnnouncement("+switch-master", "mymaster 127.0.0.1"), undefined);
    assert.equal(parseAnnouncement("+selected-slave", ""), undefined);
  });
});

describe("replies", () => {
  it("GET-MASTER-ADDR-BY-NAME: an address, or undefined for a null", () => {
    assert.deepEqual(parseAddress(["10.0.0.5", "6379"]), new TCPLocation("10.0.0.5", 6379));
    assert.equal(parseAddress(null), undefined);
  });

  it("REPLICAS: only the healthy ones, from RESP3 maps or RESP2 flat lists", () => {
    const resp3 = [
      new Map([["ip", "10.0.0.6"], ["port", "6379"], ["flags", "slave"], ["master-link-status", "ok"]]),
      new Map([["ip", "10.0.0.7"], ["port", "6379"], ["flags", "s_down,slave"], ["master-link-status", "ok"]]),
      new Map([["ip", "10.0.0.8"], ["port", "6379"], ["flags", "slave"], ["master-link-status", "err"]]),
    ];
    assert.deepEqual(healthyReplicas(resp3), [new TCPLocation("10.0.0.6", 6379)]);
    const resp2 = [["ip", "10.0.0.9", "port", "6380", "flags", "slave,disconnected"], ["ip", "10.0.0.10", "port", "6380", "flags", "slave"]];
    assert.deepEqual(healthyReplicas(resp2), [new TCPLocation("10.0.0.10", 6380)]);
  });
});
