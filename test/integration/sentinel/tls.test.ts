/**
 * `Sentinel` over TLS: the sentinels and the data servers listen, replicate and monitor over
 * TLS, so the sentinels name TLS ports. One set of TLS options (`tls`) serves both the sentinels
 * and the discovered servers, each verified against the CA; a failover is followed over TLS.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Sentinel, SentinelError } from "../../../src/index.js";
import { makeCertificates } from "../../harness/certs.js";
import { dataPort, sentinelFailover } from "../../harness/sentinel.js";
import { sentinelSetForFile } from "../../harness/sentinel-fixture.js";

const theSet = sentinelSetForFile({ tls: true });

async function tlsOptions(): Promise<{ ca: string; cert: string; key: string }> {
  const certificates = await makeCertificates();
  return { ca: certificates.caCert, cert: certificates.clientCert, key: certificates.clientKey };
}

describe("over TLS", () => {
  it("one `tls` for sentinels and data servers: discovery, writes and a failover, every acknowledged write kept", { timeout: 60_000 }, async () => {
    await using sentinel = new Sentinel({ sentinels: theSet().sentinelAddresses, tls: await tlsOptions() });
    await using primary = sentinel.primaryFor(theSet().name);
    assert.equal((await sentinel.discoverPrimary(theSet().name)).port, dataPort(theSet().primary));
    assert.equal(await primary.set("tls:k", "v"), "OK");
    const written: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      for (let i = 0; !stop; i++) {
        await primary.set(`tls:${writer}:${i}`, "1");
        written.push(`tls:${writer}:${i}`);
      }
    });
    try {
      const promoted = await sentinelFailover(theSet());
      const [role] = (await primary.sendCommand(["ROLE"])) as [string];
      assert.equal(role, "master");
      stop = true;
      await Promise.all(writers);
      assert.equal(await primary.exists(written as [string, ...string[]]), written.length);
      assert.equal((await sentinel.discoverPrimary(theSet().name)).port, dataPort(promoted));
    } finally {
      stop = true;
      await Promise.all(writers).catch(() => undefined);
    }
  });

  it("a CA that did not sign the sentinels' certificates: a SentinelError naming the verification failure", async () => {
    const { cert, key } = await tlsOptions();
    await using sentinel = new Sentinel({ sentinels: theSet().sentinelAddresses, tls: { ca: cert, cert, key }, sentinelOptions: { timeout: 1_000 } });
    await assert.rejects(sentinel.discoverPrimary(theSet().name), (error: unknown) => {
      assert.ok(error instanceof SentinelError);
      assert.match(error.message, /certificate/i);
      return true;
    });
  });
});
