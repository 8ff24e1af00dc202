/** What a connection authenticates with, and the AUTH it therefore sends. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  credentialsFrom,
  helloCommand,
  resp2Commands,
  type Credentials,
  type HandshakeSettings,
} from "../../../src/connection/handshake.js";

function settingsWith(credentials: Credentials | undefined, protocolVersion: 2 | 3): HandshakeSettings {
  return {
    protocolVersion,
    credentials,
    clientName: undefined,
    db: 0,
    noevict: false,
    notouch: false,
    libName: "coredis",
    libVersion: "0.0.0",
  };
}

describe("credentialsFrom", () => {
  it("keeps a username without a password, with an empty password (an ACL user with nopass)", () => {
    assert.deepEqual(credentialsFrom({ username: "alice" }), { username: "alice", password: "" });
    assert.deepEqual(credentialsFrom({ username: "alice", password: "" }), { username: "alice", password: "" });
  });

  it("pairs a username with its password, and a password alone with the default user", () => {
    assert.deepEqual(credentialsFrom({ username: "alice", password: "pw" }), { username: "alice", password: "pw" });
    assert.deepEqual(credentialsFrom({ password: "pw" }), { password: "pw" });
    assert.deepEqual(credentialsFrom({ password: "" }), { password: "" });
  });

  it("sends nothing when neither is given; an empty username counts as none", () => {
    assert.equal(credentialsFrom({}), undefined);
    assert.equal(credentialsFrom({ username: "" }), undefined);
    assert.deepEqual(credentialsFrom({ username: "", password: "pw" }), { password: "pw" });
  });

  it("lets credentialProvider win over username and password", async () => {
    let calls = 0;
    const provider = (): Promise<Credentials> => {
      calls++;
      return Promise.resolve({ username: "rotated", password: "token" });
    };
    assert.deepEqual(await credentialsFrom({ username: "alice", password: "pw", credentialProvider: provider }), {
      username: "rotated",
      password: "token",
    });
    assert.equal(calls, 1);
    assert.deepEqual(credentialsFrom({ username: "alice", credentialProvider: () => ({ password: "sync" }) }), { password: "sync" });
  });

  it("makes HELLO 3 AUTH user \"\" and AUTH user \"\" for a username alone", () => {
    const credentials = credentialsFrom({ username: "alice" });
    assert.ok(credentials !== undefined && !(credentials instanceof Promise));
    assert.deepEqual(helloCommand(settingsWith(credentials, 3)), ["HELLO", 3, "AUTH", "alice", ""]);
    assert.deepEqual(resp2Commands(settingsWith(credentials, 2)), [["AUTH", "alice", ""]]);
  });
});
