import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TCPConnection } from "../../../src/connection/tcp-connection.js";
import { UnixDomainSocketConnection } from "../../../src/connection/unix-connection.js";
import { TCPLocation, UnixDomainSocketLocation } from "../../../src/connection/location.js";
import { AuthenticationError, ConnectionError, ResponseError, WrongTypeError } from "../../../src/errors.js";
import { runRequest } from "../../harness/run-request.js";
import { startStandalone, type RedisServer } from "../../harness/servers.js";

let server: RedisServer;
let secured: RedisServer;

before(async () => {
  [server, secured] = await Promise.all([
    startStandalone({ unixSocket: true, tls: true }),
    startStandalone({
      password: "default-secret",
      aclUsers: [{ name: "alice", password: "alice-secret", rules: "~* &* +@all" }],
    }),
  ]);
});
after(async () => {
  await Promise.all([server?.stop(), secured?.stop()]);
});

for (const protocolVersion of [2, 3] as const) {
  describe(`TCPConnection, RESP${protocolVersion}`, () => {
    it("handshakes, runs commands and matches replies in order", async () => {
      const connection = new TCPConnection({ location: new TCPLocation(server.host, server.port), protocolVersion, clientName: "conn-test", db: 2 });
      await connection.connect();
      assert.equal(connection.protocolVersion, protocolVersion);
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) => runRequest(connection, ["ECHO", `payload-${i}`])),
      );
      assert.deepEqual(replies, Array.from({ length: 200 }, (_, i) => `payload-${i}`));
      assert.equal(await runRequest(connection, ["CLIENT", "GETNAME"]), "conn-test");
      const info = await runRequest(connection, ["CLIENT", "INFO"]);
      assert.match(String(info), /db=2/);
      await connection.close();
      assert.equal(connection.isClosed, true);
    });

    it("decodes Buffers when asked, and error replies as typed errors", async () => {
      const connection = new TCPConnection({ location: new TCPLocation(server.host, server.port), protocolVersion });
      await connection.connect();
      await runRequest(connection, ["SET", "conn:bin", Buffer.from([0, 255, 1])]);
      const value = await runRequest(connection, ["GET", "conn:bin"], false);
      assert.deepEqual(value, Buffer.from([0, 255, 1]));
      await runRequest(connection, ["RPUSH", "conn:list", "x"]);
      await assert.rejects(runRequest(connection, ["GET", "conn:list"]), (error: unknown) => {
        assert.ok(error instanceof WrongTypeError);
        assert.ok(error instanceof ResponseError);
        assert.equal(error.command, "GET");
        return true;
      });
      await connection.close();
    });
  });
}

describe("handshake", () => {
  it("sends CLIENT SETINFO where the server knows it, and ignores the error where it does not", async () => {
    const connection = new TCPConnection({ location: new TCPLocation(server.host, server.port) });
    await connection.connect(); // Redis 7.0 refuses SETINFO: the connect must still succeed
    assert.equal(await runRequest(connection, ["PING"]), "PONG");
    assert.match(connection.serverVersion ?? "", /^\d+\.\d+/);
    assert.equal(typeof connection.clientId, "number");
    await connection.close();
  });
});

describe("UnixDomainSocketConnection", () => {
  it("carries commands over the socket", async () => {
    const connection = new UnixDomainSocketConnection({ location: new UnixDomainSocketLocation(server.unixSocketPath!) });
    await connection.connect();
    assert.equal(await runRequest(connection, ["PING"]), "PONG");
    assert.equal(connection.address, `unix:${server.unixSocketPath}`);
    await connection.close();
  });
});

describe("TLS", () => {
  it("connects when the CA is supplied", async () => {
    const connection = new TCPConnection({
      location: new TCPLocation("localhost", server.tls!.port),
      tls: { ca: server.tls!.caCert },
    });
    await connection.connect();
    assert.equal(await runRequest(connection, ["PING"]), "PONG");
    await connection.close();
  });

  it("refuses a self-signed certificate without its CA (verification is on by default)", async () => {
    const connection = new TCPConnection({ location: new TCPLocation("localhost", server.tls!.port), tls: true });
    await assert.rejects(connection.connect(), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.match(error.message, /certificate/i);
      return true;
    });
    assert.equal(connection.isClosed, true);
  });

  it("presents a client certificate", async () => {
    const connection = new TCPConnection({
      location: new TCPLocation("127.0.0.1", server.tls!.port),
      tls: { ca: server.tls!.caCert, cert: server.tls!.clientCert, key: server.tls!.clientKey, servername: "localhost" },
    });
    await connection.connect();
    assert.equal(await runRequest(connection, ["PING"]), "PONG");
    await connection.close();
  });
});

describe("ACL authentication", () => {
  for (const protocolVersion of [2, 3] as const) {
    it(`authenticates a user and the default password (RESP${protocolVersion})`, async () => {
      const alice = new TCPConnection({ location: new TCPLocation(secured.host, secured.port), protocolVersion, username: "alice", password: "alice-secret" });
      await alice.connect();
      assert.equal(await runRequest(alice, ["ACL", "WHOAMI"]), "alice");
      await alice.close();
      const byDefault = new TCPConnection({ location: new TCPLocation(secured.host, secured.port), protocolVersion, password: "default-secret" });
      await byDefault.connect();
      assert.equal(await runRequest(byDefault, ["ACL", "WHOAMI"]), "default");
      await byDefault.close();
    });

    it(`refuses a wrong password or unknown user without leaking it (RESP${protocolVersion})`, async () => {
      for (const credentials of [
        { username: "alice", password: "not-the-secret-xyz" },
        { username: "nobody-here", password: "not-the-secret-xyz" },
      ]) {
        const connection = new TCPConnection({ location: new TCPLocation(secured.host, secured.port), protocolVersion, ...credentials });
        await assert.rejects(connection.connect(), (error: unknown) => {
          assert.ok(error instanceof AuthenticationError, String(error));
          const everything = `${error.message}\n${error.stack ?? ""}\n${JSON.stringify(error)}`;
          assert.doesNotMatch(everything, /not-the-secret-xyz/);
          return true;
        });
        assert.equal(connection.isClosed, true);
      }
    });
  }

  it("refuses a connection without credentials on a protected server", async () => {
    const connection = new TCPConnection({ location: new TCPLocation(secured.host, secured.port) });
    await assert.rejects(connection.connect(), AuthenticationError);
  });

  it("reads rotating credentials from a provider for each connection", async () => {
    let calls = 0;
    const connection = new TCPConnection({
      location: new TCPLocation(secured.host, secured.port),
      credentialProvider: () => {
        calls++;
        return { username: "alice", password: "alice-secret" };
      },
    });
    await connection.connect();
    assert.equal(await runRequest(connection, ["ACL", "WHOAMI"]), "alice");
    assert.equal(calls, 1);
    await connection.close();
  });
});
