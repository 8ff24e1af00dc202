/**
 * `Sentinel` with passwords and ACL users on both sides: the sentinels' credentials
 * (`sentinelOptions`) and the data servers' (the client options) are separate, each used where it
 * belongs, and a wrong one fails with its own typed error, the password nowhere in the message.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthenticationError, Sentinel, SentinelError } from "../../../src/index.js";
import { SENTINEL_AUTH } from "../../harness/sentinel.js";
import { sentinelSetForFile } from "../../harness/sentinel-fixture.js";

const theSet = sentinelSetForFile({ auth: true });

describe("credentials for sentinels and for data servers", () => {
  it("ACL users on both: the sentinels are asked as `watcher`, the primary and the replica serve `app`", async () => {
    await using sentinel = new Sentinel({
      sentinels: theSet().sentinelAddresses,
      sentinelOptions: { username: SENTINEL_AUTH.watcherUser.name, password: SENTINEL_AUTH.watcherUser.password },
      username: SENTINEL_AUTH.appUser.name,
      password: SENTINEL_AUTH.appUser.password,
    });
    await using primary = sentinel.primaryFor(theSet().name);
    await using replica = sentinel.replicaFor(theSet().name);
    assert.equal(await primary.sendCommand(["ACL", "WHOAMI"]), "app");
    assert.equal(await replica.sendCommand(["ACL", "WHOAMI"]), "app");
    assert.equal(await primary.set("auth:k", "v"), "OK");
  });

  it("passwords of the default users on both", async () => {
    await using sentinel = new Sentinel({
      sentinels: theSet().sentinelAddresses,
      sentinelOptions: { password: SENTINEL_AUTH.sentinelPassword },
      password: SENTINEL_AUTH.dataPassword,
    });
    await using primary = sentinel.primaryFor(theSet().name);
    assert.equal(await primary.sendCommand(["ACL", "WHOAMI"]), "default");
  });

  it("a wrong sentinel password: a SentinelError naming each sentinel's refusal, without the password", async () => {
    const password = "not-the-sentinel-secret";
    await using sentinel = new Sentinel({ sentinels: theSet().sentinelAddresses, sentinelOptions: { password }, password: SENTINEL_AUTH.dataPassword });
    await assert.rejects(sentinel.discoverPrimary(theSet().name), (error: unknown) => {
      assert.ok(error instanceof SentinelError);
      for (const node of theSet().sentinels) assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${node.port}: .*(WRONGPASS|invalid)`));
      assert.ok(!error.message.includes(password));
      return true;
    });
  });

  it("a wrong data password fails the client with AuthenticationError at once, not after a failover's wait", async () => {
    await using sentinel = new Sentinel({
      sentinels: theSet().sentinelAddresses,
      sentinelOptions: { password: SENTINEL_AUTH.sentinelPassword },
      password: "wrong-data-password",
    });
    await using primary = sentinel.primaryFor(theSet().name);
    const started = performance.now();
    await assert.rejects(primary.connect(), (error: unknown) => error instanceof AuthenticationError && !error.message.includes("wrong-data-password"));
    assert.ok(performance.now() - started < 2_000);
  });
});
