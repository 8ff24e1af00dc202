/**
 * Real redis-server processes for integration tests: standalone (TCP, Unix
 * socket, TLS, password, ACL users) and a cluster of primaries and replicas.
 *
 * Every process gets free loopback ports, its own temp dir, and no persistence.
 * Readiness is the server's own "Ready to accept connections" log line, read
 * from its stdout pipe; a cluster is ready when every node reports
 * `cluster_state:ok` and all nodes agree on the topology. There are no sleeps.
 *
 * Each integration file starts what it needs in `before` and stops it in
 * `after`, which node:test runs even when tests fail:
 *
 * ```ts
 * let server: RedisServer | undefined;
 * before(async () => { server = await startStandalone(); });
 * after(() => server?.stop());
 * ```
 *
 * Backstops for everything else: every process is registered until it exits;
 * {@link stopAll} stops them all; on process 'exit' any still registered get
 * SIGKILL synchronously (and their dirs are removed); SIGINT/SIGTERM stop them
 * and then re-raise the signal. Started processes are unref'd once ready, so a
 * test file that forgets to stop one still exits (and the 'exit' backstop then
 * kills it) instead of hanging. A SIGKILL of the test process itself cannot be
 * caught, so only that leaves servers behind.
 *
 * @module
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { makeCertificates, removeGeneratedCertificates } from './certs.js';
import type { CertificateFiles } from './certs.js';
import { freePort, freePorts } from './ports.js';

/** Every server binds loopback only. */
const HOST = '127.0.0.1';

/** The line redis-server 7.0 logs once all listeners (TCP, TLS, Unix) are open. */
const READY_LINE = 'Ready to accept connections';

/** How long a process may take to log its ready line. */
const START_TIMEOUT_MS = 10_000;

/** How long `stop()` waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** How many times a start is retried on a port someone else grabbed meanwhile. */
const PORT_RETRIES = 5;

/** Captured output kept per process (tail), for error messages. */
const MAX_OUTPUT_CHARS = 256 * 1024;

/** How long a cluster may take from `--cluster create` to agreed `cluster_state:ok`. */
const CLUSTER_READY_TIMEOUT_MS = 30_000;

/**
 * Pause between two polls of cluster state. redis-server emits no event when
 * the cluster converges, so this is the one place the harness polls; each poll
 * already waits for its redis-cli processes to exit, and this short pause only
 * keeps the loop from spinning redis-cli back-to-back.
 */
const CLUSTER_POLL_INTERVAL_MS = 50;

/**
 * Arguments every server gets.
 * - no RDB/AOF, so nothing is written or forked for persistence;
 * - DEBUG allowed from loopback, for fault tests (DEBUG SLEEP, DEBUG SEGFAULT…);
 * - log to stdout (`--logfile ""`), which is where readiness is read from;
 * - `repl-diskless-sync-delay 0`: 7.0 otherwise waits 5 s for more replicas
 *   before a diskless full sync, which would stall replica start-up;
 * - `shutdown-timeout 0`: 7.0 otherwise lets a primary wait up to 10 s on
 *   SIGTERM for lagging replicas, which would slow every `stop()`.
 */
function baseArgs(port: number, dir: string): string[] {
  return [
    '--bind', HOST,
    '--port', String(port),
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--enable-debug-command', 'local',
    '--loglevel', 'notice',
    '--logfile', '',
    '--repl-diskless-sync-delay', '0',
    '--shutdown-timeout', '0',
  ];
}

/** An ACL user defined at start-up. */
export interface AclUser {
  /** User name, as given to `AUTH name password`. */
  readonly name: string;
  /** The user's one password. */
  readonly password: string;
  /**
   * Further ACL rules, space-separated, e.g. `~* &* +@all`. The user is
   * created with `reset on >password` before these. Note that 7.0 creates
   * users with `resetchannels`: include `&*` for pub/sub access.
   */
  readonly rules: string;
}

/** The TLS side of a server started with `tls: true`. */
export interface TlsEndpoint {
  /** The TLS port (the plain `port` stays open too, for setting up data). */
  readonly port: number;
  /** CA certificate PEM, to verify the server (`ca` in `tls.connect`). */
  readonly caCert: string;
  /** Client certificate PEM signed by the same CA (`cert`). */
  readonly clientCert: string;
  /** Client private key PEM (`key`). */
  readonly clientKey: string;
  /** Paths of the certificate files, for redis-cli and other tools. */
  readonly files: CertificateFiles;
}

/** A running redis-server process owned by this test process. */
export interface RedisServer {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** Plain TCP port. */
  readonly port: number;
  /** Process id; gone (ESRCH) once `stop()` resolves. */
  readonly pid: number;
  /** The server's temp dir (working dir, Unix socket, cluster config); removed on stop. */
  readonly dir: string;
  /** Present when started with `unixSocket: true`. */
  readonly unixSocketPath?: string;
  /** Present when started with `tls: true`. */
  readonly tls?: TlsEndpoint;
  /** The default user's password, when started with `password`. */
  readonly password?: string;
  /** ACL users created at start-up, when started with `aclUsers`. */
  readonly users?: readonly AclUser[];
  /** Output captured from the process so far (its tail), for diagnostics. */
  output(): string;
  /**
   * Stops the process: SIGTERM, then SIGKILL after 5 s. Resolves once it has
   * exited and its temp dir is removed. Idempotent.
   */
  stop(): Promise<void>;
  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startStandalone}. */
export interface StandaloneOptions {
  /** Also listen on a Unix socket in the server's temp dir (mode 700). */
  readonly unixSocket?: boolean;
  /** Also listen for TLS on a second port, with test certificates; client certificates optional. */
  readonly tls?: boolean;
  /** `requirepass` for the default user. */
  readonly password?: string;
  /** ACL users to create. */
  readonly aclUsers?: readonly AclUser[];
  /** More `--name value` arguments, appended last so they win. */
  readonly extraArgs?: readonly string[];
}

/** Options for {@link startCluster}. */
export interface ClusterOptions {
  /** Number of primaries (at least 3, as redis-cli requires). Default 3. */
  readonly primaries?: number;
  /** Replicas per primary. Default 1. */
  readonly replicasPerPrimary?: number;
  /** `cluster-node-timeout`; lower means faster failure detection in failover tests. Default 5000. */
  readonly nodeTimeoutMs?: number;
  /** More `--name value` arguments for every node, appended last. */
  readonly extraArgs?: readonly string[];
}

/** A running cluster owned by this test process. */
export interface RedisCluster {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** All nodes, in start order. */
  readonly nodes: readonly RedisServer[];
  /** Nodes that were primaries when the cluster became ready. */
  readonly primaries: readonly RedisServer[];
  /** Nodes that were replicas when the cluster became ready. */
  readonly replicas: readonly RedisServer[];
  /** `{ host, port }` of every node, for a client's start-up nodes. */
  readonly startupNodes: readonly { readonly host: string; readonly port: number }[];
  /** Stops every node (in parallel). Idempotent. */
  stop(): Promise<void>;
  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A spawned process this test process is responsible for (see {@link spawnRedis}). */
export interface ManagedProcess {
  /** Process id. */
  readonly pid: number;
  /** Its temp dir, removed by `stop()`. */
  readonly dir: string;
  /** The Node handle, for tests that need to signal it directly (SIGSTOP for a stall, say). */
  readonly child: ChildProcess;
  /** Output captured so far (tail). */
  readonly output: () => string;
  /** SIGTERM, SIGKILL after 5 s; resolves once exited and the dir is removed. Idempotent. */
  readonly stop: () => Promise<void>;
}

/** Every started process that has not exited yet, by pid. */
const registry = new Map<number, ManagedProcess>();

/**
 * Every server temp dir not yet removed. Kept apart from the registry because
 * a process leaves the registry when it exits, before `stop()` has removed its
 * dir; a signal in that gap must still find the dir.
 */
const liveDirs = new Set<string>();

/** How long a signalled process gives its servers to stop gracefully before SIGKILL. */
const SIGNAL_GRACE_MS = 1_000;

let hooksInstalled = false;
let signalled = false;

/** SIGKILLs everything still registered and removes every live dir; synchronous. */
function killAllNow(): void {
  for (const managed of registry.values()) {
    try {
      process.kill(managed.pid, 'SIGKILL');
    } catch {
      // Already gone: nothing to do.
    }
  }
  registry.clear();
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

/** Ends the process by `signal`, the way it would have ended without our handler. */
function reraise(signal: NodeJS.Signals): void {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.kill(process.pid, signal);
}

function onSignal(signal: NodeJS.Signals): void {
  if (signalled) {
    // A second signal (a test runner escalating, a second Ctrl-C): no more patience.
    killAllNow();
    removeGeneratedCertificates();
    reraise(signal);
    return;
  }
  signalled = true;
  // Graceful first, but bounded: whoever sent the signal may escalate soon.
  const grace = new Promise<void>((resolve) => setTimeout(resolve, SIGNAL_GRACE_MS));
  void Promise.race([stopAll(), grace])
    .catch(() => undefined)
    .finally(() => {
      killAllNow();
      removeGeneratedCertificates();
      reraise(signal);
    });
}

/** Installs the exit and signal backstops once, on the first start. */
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Stops every process this test process started and has not stopped yet. */
export async function stopAll(): Promise<void> {
  await Promise.all([...registry.values()].map((managed) => managed.stop()));
}

/** Thrown when a process exits or times out before logging its ready line. */
class StartError extends Error {
  override readonly name = 'StartError';
  constructor(
    message: string,
    /** The process's captured output. */
    readonly output: string,
  ) {
    super(`${message}\n--- output ---\n${output}`);
  }
}

/** True when a failed start was a bind race worth retrying with new ports. */
function isPortConflict(error: unknown): boolean {
  return error instanceof StartError && /Address already in use|Could not create server TCP listening socket/.test(error.output);
}

/** Options for {@link spawnRedis}. */
export interface SpawnOptions {
  /** Executable; default `redis-server`. */
  readonly command?: string;
  /** Full argument list. */
  readonly args: readonly string[];
  /** The process's temp dir; removed when it stops. */
  readonly dir: string;
  /** Text that marks readiness on stdout. Default: redis-server's ready line. */
  readonly readyText?: string;
}

/**
 * Spawns a redis-server (or redis-sentinel) process, registers it, and
 * resolves once `readyText` appears on its output. Rejects with the captured
 * output if the process exits first or does not get ready within 10 s (and
 * then makes sure it is dead). The building block for the `start*`
 * functions; exported for topologies added later (sentinel).
 */
export function spawnRedis(options: SpawnOptions): Promise<ManagedProcess> {
  installHooks();
  liveDirs.add(options.dir);
  const readyText = options.readyText ?? READY_LINE;
  const child = spawn(options.command ?? 'redis-server', options.args, {
    cwd: options.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let captured = '';
  // The last few characters of the previous chunk, so a ready line split across chunks is still found.
  let carry = '';
  let ready = false;
  let onReady: (() => void) | undefined;
  const capture = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    captured += text;
    if (captured.length > MAX_OUTPUT_CHARS) captured = captured.slice(-MAX_OUTPUT_CHARS);
    if (!ready) {
      const window = carry + text;
      if (window.includes(readyText)) {
        ready = true;
        onReady?.();
      }
      carry = window.slice(-readyText.length);
    }
  };
  // Keep draining the pipes for the whole life of the process: a full pipe would block the server's logging.
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);

  let exited = child.exitCode !== null || child.signalCode !== null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      if (child.pid !== undefined) registry.delete(child.pid);
      resolve();
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Without a pid the spawn itself failed: there is no process and no 'exit' to wait for.
      if (!exited && child.pid !== undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exit;
        clearTimeout(timer);
      }
      await rm(options.dir, { recursive: true, force: true });
      liveDirs.delete(options.dir);
    })();
    return stopping;
  };

  return new Promise<ManagedProcess>((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      // Only a start can fail here; a later 'error' or exit is the test's business, not a reason to stop the server.
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      void stop().finally(() => reject(new StartError(message, captured)));
    };
    const deadline = setTimeout(
      () => fail(`${options.command ?? 'redis-server'} not ready within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    child.once('error', (error) => fail(`could not spawn ${options.command ?? 'redis-server'}: ${error.message}`));
    // 'close' rather than 'exit': by then the pipes are drained, so the captured output is complete.
    child.once('close', (code, signal) => {
      if (!ready) fail(`exited before ready (code ${String(code)}, signal ${String(signal)})`);
    });
    const pid = child.pid;
    if (pid === undefined) return; // 'error' follows and rejects.
    const managed: ManagedProcess = { pid, dir: options.dir, child, output: () => captured, stop };
    registry.set(pid, managed);
    onReady = () => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      // From here on the process must not keep the test process alive by itself; see the module comment.
      child.unref();
      for (const stream of [child.stdout, child.stderr]) {
        if (stream instanceof net.Socket) stream.unref();
      }
      resolve(managed);
    };
    if (ready) onReady();
  });
}

/** Makes a fresh temp dir for one server. */
export function makeServerDir(label: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `coredis-${label}-`));
}

/** Wraps a managed process with the public server shape. */
export function toServer(managed: ManagedProcess, fields: Omit<RedisServer, 'pid' | 'dir' | 'output' | 'stop' | typeof Symbol.asyncDispose>): RedisServer {
  return {
    ...fields,
    pid: managed.pid,
    dir: managed.dir,
    output: managed.output,
    stop: managed.stop,
    [Symbol.asyncDispose]: managed.stop,
  };
}

/** Runs `attempt` again on a port conflict, up to {@link PORT_RETRIES} times. */
export async function retryOnPortConflict<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= PORT_RETRIES || !isPortConflict(error)) throw error;
    }
  }
}

/**
 * Starts one standalone redis-server on free loopback ports.
 *
 * @param options - extra listeners and auth; see {@link StandaloneOptions}.
 * @returns the running server; call `stop()` in `after`.
 */
export async function startStandalone(options: StandaloneOptions = {}): Promise<RedisServer> {
  const certificates = options.tls === true ? await makeCertificates() : undefined;
  return retryOnPortConflict(async () => {
    const port = await freePort();
    const tlsPort = certificates === undefined ? undefined : await freePort();
    const dir = await makeServerDir(`redis-${port}`);
    const args = baseArgs(port, dir);
    const unixSocketPath = options.unixSocket === true ? path.join(dir, 'redis.sock') : undefined;
    if (unixSocketPath !== undefined) {
      args.push('--unixsocket', unixSocketPath, '--unixsocketperm', '700');
    }
    if (certificates !== undefined && tlsPort !== undefined) {
      args.push(
        '--tls-port', String(tlsPort),
        '--tls-cert-file', certificates.files.serverCert,
        '--tls-key-file', certificates.files.serverKey,
        '--tls-ca-cert-file', certificates.files.caCert,
        // Optional: a client may present a certificate (then it must verify) or none.
        '--tls-auth-clients', 'optional',
      );
    }
    if (options.password !== undefined) args.push('--requirepass', options.password);
    for (const user of options.aclUsers ?? []) {
      // Each `--user` becomes a `user` config line; each rule is its own argument, so no quoting is needed.
      const rules = user.rules.split(/\s+/).filter((rule) => rule !== '');
      args.push('--user', user.name, 'reset', 'on', `>${user.password}`, ...rules);
    }
    args.push(...(options.extraArgs ?? []));
    let managed: ManagedProcess;
    try {
      managed = await spawnRedis({ args, dir });
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return toServer(managed, {
      host: HOST,
      port,
      ...(unixSocketPath === undefined ? {} : { unixSocketPath }),
      ...(certificates === undefined || tlsPort === undefined
        ? {}
        : {
            tls: {
              port: tlsPort,
              caCert: certificates.caCert,
              clientCert: certificates.clientCert,
              clientKey: certificates.clientKey,
              files: certificates.files,
            },
          }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.aclUsers === undefined ? {} : { users: options.aclUsers }),
    });
  });
}

/** How {@link rawCommandAs} connects. */
export interface RawCommandOptions {
  /** Connect to the TLS port with the test CA and client certificate. */
  readonly tls?: boolean;
  /** Connect over the Unix socket. */
  readonly unixSocket?: boolean;
  /** ACL user to authenticate as (needs `password`). */
  readonly user?: string;
  /** Password; `null` = do not authenticate even if the server has a password. Default: the server's password. */
  readonly password?: string | null;
  /** Follow cluster redirections (`redis-cli -c`). */
  readonly cluster?: boolean;
}

/**
 * Runs one command with `redis-cli` against `server`, as the given user or
 * over the given transport, and returns its raw stdout without the final
 * newline. Rejects when redis-cli fails or the reply is an error (`-e`).
 */
export function rawCommandAs(
  server: RedisServer,
  options: RawCommandOptions,
  ...args: readonly string[]
): Promise<string> {
  const cli: string[] = ['-e'];
  if (options.unixSocket === true) {
    if (server.unixSocketPath === undefined) throw new Error('rawCommandAs: server has no Unix socket');
    cli.push('-s', server.unixSocketPath);
  } else if (options.tls === true) {
    if (server.tls === undefined) throw new Error('rawCommandAs: server has no TLS port');
    cli.push(
      '-h', server.host, '-p', String(server.tls.port), '--tls',
      '--cacert', server.tls.files.caCert, '--cert', server.tls.files.clientCert, '--key', server.tls.files.clientKey,
    );
  } else {
    cli.push('-h', server.host, '-p', String(server.port));
  }
  if (options.cluster === true) cli.push('-c');
  const password = options.password === undefined ? server.password : options.password;
  if (options.user !== undefined) cli.push('--user', options.user);
  // The password goes through the environment, which redis-cli reads without its "-a is insecure" warning.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['REDISCLI_AUTH'];
  if (password !== undefined && password !== null) env['REDISCLI_AUTH'] = password;
  cli.push(...args);
  return new Promise((resolve, reject) => {
    execFile('redis-cli', cli, { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`redis-cli ${args.join(' ')} failed: ${stdout}${stderr}`, { cause: error }));
        return;
      }
      resolve(stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout);
    });
  });
}

/**
 * Runs one command with `redis-cli` over the plain port (authenticating as
 * the default user when the server has a password) and returns its raw stdout
 * without the final newline. For looking at a server from the side — CLIENT
 * LIST, INFO commandstats — without the client under test.
 */
export function rawCommand(server: RedisServer, ...args: readonly string[]): Promise<string> {
  return rawCommandAs(server, {}, ...args);
}

/** Parses `INFO`/`CLUSTER INFO` style `key:value` lines. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** One line of `CLUSTER NODES`. */
interface ClusterNodeLine {
  readonly id: string;
  readonly port: number;
  readonly flags: readonly string[];
  readonly primaryId: string;
  readonly linkState: string;
  readonly slots: string;
}

function parseClusterNodes(text: string): ClusterNodeLine[] {
  const nodes: ClusterNodeLine[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const [id, address, flags, primaryId, , , , linkState, ...slots] = fields;
    if (id === undefined || address === undefined || flags === undefined || primaryId === undefined || linkState === undefined) continue;
    // address is ip:port@cport[,hostname]
    const port = Number(address.slice(address.lastIndexOf(':') + 1).split('@')[0]);
    nodes.push({
      id,
      port,
      flags: flags.split(',').filter((flag) => flag !== 'myself'),
      primaryId,
      linkState,
      // Migrating/importing markers ("[slot->-id]") are transient; only owned ranges matter.
      slots: slots.filter((slot) => !slot.startsWith('[')).join(' '),
    });
  }
  return nodes.sort((a, b) => a.id.localeCompare(b.id));
}

/** What one node says about the cluster, or why it is not ready. */
async function nodeView(node: RedisServer, expectedNodes: number): Promise<{ topology: string; nodes: ClusterNodeLine[] } | string> {
  const [info, nodesText] = await Promise.all([rawCommand(node, 'CLUSTER', 'INFO'), rawCommand(node, 'CLUSTER', 'NODES')]);
  const fields = parseInfo(info);
  if (fields.get('cluster_state') !== 'ok') return `:${node.port} cluster_state:${fields.get('cluster_state') ?? '?'}`;
  const nodes = parseClusterNodes(nodesText);
  if (nodes.length !== expectedNodes) return `:${node.port} knows ${nodes.length}/${expectedNodes} nodes`;
  const unhealthy = nodes.find(
    (line) => line.linkState !== 'connected' || line.flags.some((flag) => /fail|handshake|noaddr/.test(flag)),
  );
  if (unhealthy !== undefined) return `:${node.port} sees :${unhealthy.port} as ${unhealthy.flags.join(',')} ${unhealthy.linkState}`;
  // The canonical form excludes link and epoch details, which legitimately differ between viewers.
  const topology = nodes
    .map((line) => `${line.id} ${line.port} ${line.flags.includes('master') ? 'master' : 'replica'} ${line.primaryId} ${line.slots}`)
    .join('\n');
  return { topology, nodes };
}

/** One poll: the agreed node lines when ready, else the reason it is not. */
async function clusterNotReadyReason(nodes: readonly RedisServer[]): Promise<string | { nodes: ClusterNodeLine[] }> {
  const views = await Promise.all(nodes.map((node) => nodeView(node, nodes.length).catch((error: unknown) => `:${node.port} ${String(error)}`)));
  const problem = views.find((view): view is string => typeof view === 'string');
  if (problem !== undefined) return problem;
  const settled = views.filter((view): view is { topology: string; nodes: ClusterNodeLine[] } => typeof view !== 'string');
  const first = settled[0];
  if (first === undefined) return 'no nodes';
  if (settled.some((view) => view.topology !== first.topology)) return 'nodes disagree on the topology';
  // Replicas must have finished their initial sync, or reads from them (READONLY) see nothing.
  const replicaPorts = new Set(first.nodes.filter((line) => !line.flags.includes('master')).map((line) => line.port));
  const replicas = nodes.filter((node) => replicaPorts.has(node.port));
  const links = await Promise.all(replicas.map((node) => rawCommand(node, 'INFO', 'replication').catch(() => '')));
  const lagging = replicas.find((node, index) => parseInfo(links[index] ?? '').get('master_link_status') !== 'up');
  if (lagging !== undefined) return `replica :${lagging.port} has no link to its primary yet`;
  return { nodes: first.nodes };
}

/**
 * Waits until every node reports `cluster_state:ok`, all agree on nodes,
 * roles and slots, no node is failing, and every replica's link to its
 * primary is up. Use after a failover or resharding as well as at start-up.
 *
 * @param nodes - every node of the cluster.
 * @param timeoutMs - how long to wait before rejecting with the last reason.
 * @returns the primaries and replicas as the cluster now sees them.
 */
export async function waitForClusterReady(
  nodes: readonly RedisServer[],
  timeoutMs: number = CLUSTER_READY_TIMEOUT_MS,
): Promise<{ primaries: RedisServer[]; replicas: RedisServer[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await clusterNotReadyReason(nodes);
    if (typeof result !== 'string') {
      const primaryPorts = new Set(result.nodes.filter((line) => line.flags.includes('master')).map((line) => line.port));
      return {
        primaries: nodes.filter((node) => primaryPorts.has(node.port)),
        replicas: nodes.filter((node) => !primaryPorts.has(node.port)),
      };
    }
    if (Date.now() >= deadline) throw new Error(`cluster not ready within ${timeoutMs} ms: ${result}`);
    await delay(CLUSTER_POLL_INTERVAL_MS);
  }
}

/** Starts one cluster-mode node on a port pair from {@link freePorts}. */
async function startClusterNode(nodeTimeoutMs: number, extraArgs: readonly string[]): Promise<RedisServer> {
  return retryOnPortConflict(async () => {
    const [port] = await freePorts(1);
    if (port === undefined) throw new Error('freePorts(1) returned nothing');
    const dir = await makeServerDir(`cluster-${port}`);
    const args = [
      ...baseArgs(port, dir),
      '--cluster-enabled', 'yes',
      '--cluster-config-file', path.join(dir, 'nodes.conf'),
      '--cluster-node-timeout', String(nodeTimeoutMs),
      ...extraArgs,
    ];
    let managed: ManagedProcess;
    try {
      managed = await spawnRedis({ args, dir });
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return toServer(managed, { host: HOST, port });
  });
}

/**
 * Starts a cluster: `primaries × (1 + replicasPerPrimary)` nodes, joined with
 * `redis-cli --cluster create`, resolved once {@link waitForClusterReady}
 * agrees. All nodes are stopped if any step fails.
 *
 * @param options - shape and timing; see {@link ClusterOptions}.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<RedisCluster> {
  const primaryCount = options.primaries ?? 3;
  const replicasPerPrimary = options.replicasPerPrimary ?? 1;
  const total = primaryCount * (1 + replicasPerPrimary);
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 5000;
  const started = await Promise.allSettled(
    Array.from({ length: total }, () => startClusterNode(nodeTimeoutMs, options.extraArgs ?? [])),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    await new Promise<void>((resolve, reject) => {
      execFile(
        'redis-cli',
        [
          '--cluster', 'create', ...nodes.map((node) => `${node.host}:${node.port}`),
          '--cluster-replicas', String(replicasPerPrimary), '--cluster-yes',
        ],
        { encoding: 'utf8', timeout: CLUSTER_READY_TIMEOUT_MS },
        (error, stdout, stderr) => {
          if (error === null) resolve();
          else reject(new Error(`redis-cli --cluster create failed:\n${stdout}${stderr}`, { cause: error }));
        },
      );
    });
    const { primaries, replicas } = await waitForClusterReady(nodes);
    return {
      host: HOST,
      nodes,
      primaries,
      replicas,
      startupNodes: nodes.map((node) => ({ host: node.host, port: node.port })),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
