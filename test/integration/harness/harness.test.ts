/**
 * Proves the test harness itself: real servers start, listen where they say,
 * enforce what they were configured with, and are gone after stop(); the fake
 * server parses and answers commands however they are split.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeCertificates } from '../../harness/certs.js';
import {
  CommandParser,
  destroyMidReply,
  halfClose,
  replyToCommands,
  resp,
  startFakeServer,
} from '../../harness/fake-server.js';
import type { FakeServer } from '../../harness/fake-server.js';
import { CLUSTER_BUS_OFFSET, freePort, freePorts } from '../../harness/ports.js';
import { rawCommand, rawCommandAs, startStandalone } from '../../harness/servers.js';
import type { RedisServer } from '../../harness/servers.js';

const PING = '*1\r\n$4\r\nPING\r\n';

/** Encodes argv as a RESP array of bulk strings, as a client sends it. */
function command(...argv: string[]): string {
  return `*${argv.length}\r\n${argv.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/**
 * Writes `payload` on a connected socket and resolves with everything read
 * until `expectedReplies` CRLF-terminated lines have arrived (enough for the
 * simple/error/integer replies used here), then ends the socket.
 */
function exchange(socket: net.Socket, payload: string | Buffer, expectedReplies = 1): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.split('\r\n').length - 1 >= expectedReplies) {
        socket.end();
        resolve(received);
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed after ${JSON.stringify(received)}`)));
    socket.write(payload);
  });
}

/** Opens a plain connection and waits until it is established. */
function connect(options: net.NetConnectOpts): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Opens a TLS connection and waits for the handshake. */
function connectTls(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(options, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** True while a process with `pid` exists (for our own children, which Node reaps on exit). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ESRCH');
    return false;
  }
}

/**
 * True while `pid` runs. Unlike {@link isAlive}, a zombie counts as dead: a
 * server killed by a test process's exit backstop is reparented to init once
 * that process is gone, and stays a zombie until init reaps it.
 */
function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('ports', () => {
  it('never hands out the same port twice', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    assert.equal(new Set(ports).size, ports.length);
  });

  it('freePorts gives ports whose cluster bus port is free too', async () => {
    const ports = await freePorts(3);
    assert.equal(ports.length, 3);
    for (const port of ports) {
      const server = net.createServer();
      // Binding the bus port proves it was free (and we release it at once).
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port: port + CLUSTER_BUS_OFFSET }, resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('startStandalone: TCP and Unix socket', () => {
  let server: RedisServer | undefined;
  let startMs = 0;
  before(async () => {
    const started = performance.now();
    server = await startStandalone({ unixSocket: true });
    startMs = performance.now() - started;
  });
  after(() => server?.stop());

  it('answers PING over TCP', async (t) => {
    t.diagnostic(`startStandalone (unix socket) took ${startMs.toFixed(0)} ms`);
    assert.ok(server);
    assert.equal(server.host, '127.0.0.1');
    const socket = await connect({ host: server.host, port: server.port });
    assert.equal(await exchange(socket, PING), '+PONG\r\n');
  });

  it('answers PING over the Unix socket', async () => {
    assert.ok(server?.unixSocketPath);
    const socket = await connect({ path: server.unixSocketPath });
    assert.equal(await exchange(socket, PING), '+PONG\r\n');
  });

  it('answers commands split across writes and pipelined', async () => {
    assert.ok(server);
    const socket = await connect({ host: server.host, port: server.port });
    const payload = PING + PING;
    const reply = exchange(socket, payload.slice(0, 5), 2);
    socket.write(payload.slice(5));
    assert.equal(await reply, '+PONG\r\n+PONG\r\n');
  });

  it('has DEBUG enabled for local connections and no persistence', async () => {
    assert.ok(server);
    assert.equal(await rawCommand(server, 'DEBUG', 'SLEEP', '0'), 'OK');
    assert.equal(await rawCommand(server, 'CONFIG', 'GET', 'save'), 'save\n');
    assert.equal(await rawCommand(server, 'CONFIG', 'GET', 'appendonly'), 'appendonly\nno');
  });

  it('rawCommand rejects on an error reply', async () => {
    assert.ok(server);
    await assert.rejects(rawCommand(server, 'NO-SUCH-COMMAND'), /unknown command/);
  });
});

describe('startStandalone: TLS', () => {
  let server: RedisServer | undefined;
  before(async () => {
    server = await startStandalone({ tls: true });
  });
  after(() => server?.stop());

  it('verifies against the test CA by IP and by name, with or without a client certificate', async () => {
    assert.ok(server?.tls);
    const { port, caCert, clientCert, clientKey } = server.tls;
    const byIp = await connectTls({ host: '127.0.0.1', port, ca: caCert });
    assert.equal(byIp.authorized, true);
    assert.equal(await exchange(byIp, PING), '+PONG\r\n');
    const byName = await connectTls({ host: '127.0.0.1', servername: 'localhost', port, ca: caCert, cert: clientCert, key: clientKey });
    assert.equal(await exchange(byName, PING), '+PONG\r\n');
  });

  it('fails verification without the CA', async () => {
    assert.ok(server?.tls);
    await assert.rejects(connectTls({ host: '127.0.0.1', port: server.tls.port }), (error: NodeJS.ErrnoException) => {
      assert.match(error.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
      return true;
    });
  });

  it('keeps the plain port open and reaches the TLS port with redis-cli', async () => {
    assert.ok(server);
    assert.equal(await rawCommand(server, 'PING'), 'PONG');
    assert.equal(await rawCommandAs(server, { tls: true }, 'PING'), 'PONG');
  });

  it('makeCertificates is cached per process', async () => {
    assert.ok(server?.tls);
    const certificates = await makeCertificates();
    assert.equal(certificates.caCert, server.tls.caCert);
    assert.match(certificates.serverCert, /BEGIN CERTIFICATE/);
    assert.match(certificates.serverKey, /PRIVATE KEY/);
    const parsed = new (await import('node:crypto')).X509Certificate(certificates.serverCert);
    assert.match(parsed.subjectAltName ?? '', /DNS:localhost/);
    assert.match(parsed.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  });
});

describe('startStandalone: password and ACL users', () => {
  let server: RedisServer | undefined;
  before(async () => {
    server = await startStandalone({
      password: 'default-secret',
      aclUsers: [
        { name: 'alice', password: 'alice secret', rules: '~* &* +@all' },
        { name: 'reader', password: 'r', rules: '~* -@all +get +ping' },
      ],
    });
  });
  after(() => server?.stop());

  it('requires the default password', async () => {
    assert.ok(server);
    const socket = await connect({ host: server.host, port: server.port });
    assert.match(await exchange(socket, PING), /^-NOAUTH/);
    assert.equal(await rawCommand(server, 'PING'), 'PONG');
    await assert.rejects(rawCommandAs(server, { password: null }, 'PING'), /NOAUTH/);
  });

  it('lets an ACL user AUTH and refuses a wrong password', async () => {
    assert.ok(server);
    const good = await connect({ host: server.host, port: server.port });
    assert.equal(await exchange(good, command('AUTH', 'alice', 'alice secret') + command('ACL', 'WHOAMI'), 2), '+OK\r\n$5\r\nalice\r\n');
    const bad = await connect({ host: server.host, port: server.port });
    assert.match(await exchange(bad, command('AUTH', 'alice', 'wrong')), /^-WRONGPASS/);
  });

  it('applies the user rules', async () => {
    assert.ok(server);
    assert.equal(await rawCommandAs(server, { user: 'reader', password: 'r' }, 'GET', 'missing'), '');
    await assert.rejects(rawCommandAs(server, { user: 'reader', password: 'r' }, 'SET', 'k', 'v'), /NOPERM/);
  });
});

describe('stop()', () => {
  it('makes the process go away, removes its dir, and is idempotent', async (t) => {
    const started = performance.now();
    const server = await startStandalone();
    t.diagnostic(`startStandalone took ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(isAlive(server.pid), true);
    assert.equal(existsSync(server.dir), true);
    const stopping = performance.now();
    await Promise.all([server.stop(), server.stop()]);
    t.diagnostic(`stop took ${(performance.now() - stopping).toFixed(0)} ms`);
    assert.throws(() => process.kill(server.pid, 0), { code: 'ESRCH' });
    assert.equal(existsSync(server.dir), false);
    await server.stop();
  });

  it('a start that fails rejects with the server output', async () => {
    await assert.rejects(startStandalone({ extraArgs: ['--no-such-directive', 'x'] }), (error: Error) => {
      assert.match(error.message, /exited before ready/);
      assert.match(error.message, /no-such-directive/);
      return true;
    });
  });
});

describe('backstops', () => {
  const fixture = fileURLToPath(new URL('./fixtures/start-and-leave.ts', import.meta.url));
  const expectations = {
    forget: { code: 0, signal: null },
    exit: { code: 3, signal: null },
    throw: { code: 1, signal: null },
    signal: { code: null, signal: 'SIGTERM' },
  } as const;

  for (const [mode, expected] of Object.entries(expectations)) {
    it(`remove the server when the test process ends by "${mode}"`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const newline = stdout.indexOf('\n');
          if (newline !== -1) resolve(stdout.slice(0, newline));
        });
        child.once('exit', () => reject(new Error(`fixture exited without output: ${stderr}`)));
      });
      const { pid, dir } = JSON.parse(line) as { pid: number; dir: string };
      try {
        if (mode === 'signal') child.kill('SIGTERM');
        const [code, signal] = await exited;
        assert.deepEqual({ code, signal }, expected, stderr);
        assert.equal(isRunning(pid), false, `redis-server ${pid} survived`);
        assert.equal(existsSync(dir), false, `${dir} survived`);
      } finally {
        // Only if the backstop failed: do not let this test leak the server it provoked.
        if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      }
    });
  }
});

describe('fake server', () => {
  let fake: FakeServer | undefined;
  before(async () => {
    fake = await startFakeServer(
      replyToCommands((argv, ctx) => {
        switch (argv[0]) {
          case 'ECHO':
            return resp.bulk(argv[1] ?? '');
          case 'STALL':
            return null;
          case 'LATE':
            return new Promise((resolve) => setImmediate(() => resolve(resp.simple('LATE'))));
          case 'CUT':
            destroyMidReply(ctx.socket, resp.bulk('0123456789'), 6);
            return null;
          case 'BYE':
            halfClose(ctx.socket, resp.simple('BYE'));
            return '';
          default:
            return undefined;
        }
      }),
    );
  });
  after(() => fake?.close());

  it('parses commands split at every byte and answers in order', async () => {
    assert.ok(fake);
    const socket = await connect({ host: fake.host, port: fake.port, noDelay: true });
    const payload = Buffer.from(command('ECHO', 'héllo') + command('LATE') + 'PING\r\n' + command('ECHO', ''));
    const reply = exchange(socket, payload.subarray(0, 1), 5);
    for (let i = 1; i < payload.length; i++) {
      // One byte per write, each flushed in its own turn, so the server sees them as separate chunks.
      await new Promise<void>((resolve) => socket.write(payload.subarray(i, i + 1), () => resolve()));
    }
    assert.equal(await reply, '$6\r\nhéllo\r\n+LATE\r\n+PONG\r\n$0\r\n\r\n');
    assert.deepEqual(fake.commands.slice(-4), [['ECHO', 'héllo'], ['LATE'], ['PING'], ['ECHO', '']]);
  });

  it('answers HELLO 3 with a RESP3 map and the handshake commands with +OK', async () => {
    assert.ok(fake);
    const socket = await connect({ host: fake.host, port: fake.port });
    const expected =
      '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n$5\r\nproto\r\n:3\r\n' +
      '$2\r\nid\r\n:' + String(fake.connections.length) + '\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n';
    const lines = expected.split('\r\n').length - 1 + 3;
    const reply = await exchange(
      socket,
      command('HELLO', '3') + command('CLIENT', 'SETINFO', 'LIB-NAME', 'coredis') + command('CLIENT', 'SETNAME', 'x') + command('SELECT', '1'),
      lines,
    );
    assert.equal(reply, `${expected}+OK\r\n+OK\r\n+OK\r\n`);
  });

  it('stalls, cuts a reply, and half-closes on cue', async () => {
    assert.ok(fake);
    // Stall: PING after STALL is never answered.
    const stalled = await connect({ host: fake.host, port: fake.port });
    let stalledData = '';
    stalled.on('data', (chunk: Buffer) => (stalledData += chunk.toString()));
    stalled.write(command('STALL') + PING);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (fake !== undefined && fake.commands.at(-1)?.[0] === 'PING') resolve();
        else setImmediate(check);
      };
      check();
    });
    assert.equal(stalledData, '');
    stalled.destroy();

    // Cut: six bytes, then the connection is destroyed.
    const cut = await connect({ host: fake.host, port: fake.port });
    const cutData = await new Promise<string>((resolve) => {
      let received = '';
      cut.on('data', (chunk: Buffer) => (received += chunk.toString()));
      cut.on('error', () => undefined);
      cut.on('close', () => resolve(received));
      cut.write(command('CUT'));
    });
    assert.equal(cutData, '$10\r\n0');

    // Half-close: the reply, then FIN while our side stays writable.
    const half = net.connect({ host: fake.host, port: fake.port, allowHalfOpen: true });
    const halfData = await new Promise<string>((resolve) => {
      let received = '';
      half.on('data', (chunk: Buffer) => (received += chunk.toString()));
      half.on('end', () => resolve(received));
      half.write(command('BYE'));
    });
    assert.equal(halfData, '+BYE\r\n');
    half.destroy();
  });

  it('close() destroys every tracked socket', async () => {
    const local = await startFakeServer(() => undefined);
    const socket = await connect({ host: local.host, port: local.port });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    assert.equal((await local.connectionAt(0)).remoteAddress, '127.0.0.1');
    await local.close();
    await closed;
    assert.equal(local.connections.every((tracked) => tracked.destroyed), true);
    await local.close();
  });
});

describe('CommandParser', () => {
  it('yields the same commands whatever the chunking', () => {
    const input = Buffer.from(command('SET', 'key', 'a\r\nb') + 'PING  x\r\n\r\n' + command('GET', 'key') + command());
    const whole = new CommandParser().push(input);
    assert.deepEqual(whole, [['SET', 'key', 'a\r\nb'], ['PING', 'x'], ['GET', 'key']]);
    for (let cut = 1; cut < input.length; cut++) {
      const parser = new CommandParser();
      const split = [...parser.push(input.subarray(0, cut)), ...parser.push(input.subarray(cut))];
      assert.deepEqual(split, whole, `split at ${cut}`);
      assert.equal(parser.pendingBytes, 0);
    }
  });

  it('rejects malformed input', () => {
    assert.throws(() => new CommandParser().push(Buffer.from('*1\r\n:1\r\n')), /expected '\$'/);
    assert.throws(() => new CommandParser().push(Buffer.from('*x\r\n')), /invalid multibulk length/);
    assert.throws(() => new CommandParser().push(Buffer.from('*1\r\n$1\r\nab\r\n')), /not terminated/);
  });
});
