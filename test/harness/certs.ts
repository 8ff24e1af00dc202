/**
 * Test-time TLS material: a throwaway CA, a server certificate for
 * `localhost`/127.0.0.1 and a client certificate, all made with the `openssl`
 * binary so nothing secret is ever committed.
 *
 * Keys are EC P-256 because they are generated in milliseconds and both Node's
 * TLS and redis-server accept them.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Paths of the generated PEM files. */
export interface CertificateFiles {
  /** The CA certificate, for `--tls-ca-cert-file` and `redis-cli --cacert`. */
  readonly caCert: string;
  /** The CA private key, in case a test needs to sign something else. */
  readonly caKey: string;
  /** Server certificate: CN `localhost`, SAN `DNS:localhost, IP:127.0.0.1`. */
  readonly serverCert: string;
  /** Server private key. */
  readonly serverKey: string;
  /** Client certificate (CN `coredis-client`), signed by the CA. */
  readonly clientCert: string;
  /** Client private key. */
  readonly clientKey: string;
}

/** PEM contents of the generated certificates, plus where they live. */
export interface Certificates {
  /** Directory holding the files. */
  readonly dir: string;
  /** CA certificate PEM (pass as `ca` to `tls.connect`). */
  readonly caCert: string;
  /** Server certificate PEM. */
  readonly serverCert: string;
  /** Server private key PEM. */
  readonly serverKey: string;
  /** Client certificate PEM (pass as `cert`). */
  readonly clientCert: string;
  /** Client private key PEM (pass as `key`). */
  readonly clientKey: string;
  /** Paths of the same files, for redis-server and redis-cli flags. */
  readonly files: CertificateFiles;
}

/**
 * A private OpenSSL config so the result does not depend on the system's
 * `openssl.cnf` (whose default sections differ between distributions).
 */
const OPENSSL_CONFIG = `
[ req ]
distinguished_name = dn
prompt = no

[ dn ]
CN = coredis-placeholder

[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
# clientAuth too, so the same pair could serve redis-server's outgoing TLS (replication, cluster bus).
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer

[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
`;

/** Two days: long enough for any test run, and tolerant of a little clock skew. */
const VALIDITY_DAYS = '2';

/** Certificates per target directory ('' = the process's own temp dir). */
const cache = new Map<string, Promise<Certificates>>();

/** Temp dirs this module created, removed when the process exits. */
const ownedDirs = new Set<string>();
let exitHookInstalled = false;

function removeOwnedDirsAtExit(dir: string): void {
  ownedDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' listeners must be synchronous, hence rmSync.
  process.on('exit', removeGeneratedCertificates);
}

/** Runs `openssl` with `args` (no shell), surfacing its stderr on failure. */
async function openssl(args: readonly string[], cwd: string): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd });
  } catch (error) {
    const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr}`, { cause: error });
  }
}

/** A random positive serial, so re-generated certificates never collide in a client's cache. */
function serial(): string {
  return `0x${randomBytes(8).toString('hex').replace(/^./, '1')}`;
}

async function generate(dir: string): Promise<Certificates> {
  const config = path.join(dir, 'openssl.cnf');
  await writeFile(config, OPENSSL_CONFIG);
  const files: CertificateFiles = {
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    serverCert: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
    clientCert: path.join(dir, 'client.crt'),
    clientKey: path.join(dir, 'client.key'),
  };
  const newKey = (out: string): Promise<void> =>
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out], dir);
  await Promise.all([newKey(files.caKey), newKey(files.serverKey), newKey(files.clientKey)]);

  await openssl(
    ['req', '-x509', '-new', '-config', config, '-extensions', 'v3_ca', '-key', files.caKey, '-sha256',
      '-days', VALIDITY_DAYS, '-subj', '/CN=coredis test CA', '-set_serial', serial(), '-out', files.caCert],
    dir,
  );

  const issue = async (name: 'server' | 'client', subject: string, key: string, out: string): Promise<void> => {
    const csr = path.join(dir, `${name}.csr`);
    await openssl(['req', '-new', '-config', config, '-key', key, '-subj', subject, '-out', csr], dir);
    await openssl(
      ['x509', '-req', '-in', csr, '-CA', files.caCert, '-CAkey', files.caKey, '-set_serial', serial(),
        '-days', VALIDITY_DAYS, '-sha256', '-extfile', config, '-extensions', `v3_${name}`, '-out', out],
      dir,
    );
  };
  await Promise.all([
    issue('server', '/CN=localhost', files.serverKey, files.serverCert),
    issue('client', '/CN=coredis-client', files.clientKey, files.clientCert),
  ]);

  const [caCert, serverCert, serverKey, clientCert, clientKey] = await Promise.all(
    [files.caCert, files.serverCert, files.serverKey, files.clientCert, files.clientKey].map((file) =>
      readFile(file, 'utf8'),
    ),
  );
  if (caCert === undefined || serverCert === undefined || serverKey === undefined ||
    clientCert === undefined || clientKey === undefined) {
    throw new Error('makeCertificates: a generated file could not be read');
  }
  return { dir, caCert, serverCert, serverKey, clientCert, clientKey, files };
}

/**
 * Makes (once per process and directory) a CA, a server certificate for
 * `localhost` and 127.0.0.1, and a client certificate, all signed by that CA.
 *
 * @param dir - where to write the files; created if missing and left in place.
 *   When omitted, a fresh directory under `os.tmpdir()` is used and removed
 *   when the process exits.
 * @returns the PEM contents and file paths.
 */
export function makeCertificates(dir?: string): Promise<Certificates> {
  const key = dir ?? '';
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const pending = (async () => {
    let target: string;
    if (dir === undefined) {
      target = await mkdtemp(path.join(os.tmpdir(), 'coredis-certs-'));
      removeOwnedDirsAtExit(target);
    } else {
      target = dir;
      await mkdir(target, { recursive: true });
    }
    return generate(target);
  })();
  // A failed attempt must not poison the cache for the rest of the run.
  pending.catch(() => cache.delete(key));
  cache.set(key, pending);
  return pending;
}

/**
 * Removes the temp directories {@link makeCertificates} created and forgets
 * them, so a later call makes new files. Synchronous, because the servers'
 * signal handler calls it just before re-raising the signal, when 'exit'
 * listeners will not run.
 */
export function removeGeneratedCertificates(): void {
  // Only the default entry lives in an owned dir; caller-chosen dirs stay valid.
  cache.delete('');
  for (const owned of ownedDirs) rmSync(owned, { recursive: true, force: true });
  ownedDirs.clear();
}
