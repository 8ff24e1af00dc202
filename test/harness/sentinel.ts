/**
 * A sentinel set for tests: one primary, one replica and three sentinels (`redis-server
 * sentinel.conf --sentinel`), each on free loopback ports, ready once every sentinel says so —
 * it monitors the primary, knows the replica, and knows the two other sentinels. Helpers fail the
 * primary over (SENTINEL FAILOVER) and wait for every sentinel to name the new one. Everything is
 * stopped by PID, even when tests fail (the registry of `servers.ts`).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeCertificates } from './certs.js';
import { freePort } from './ports.js';
import {
  makeServerDir,
  parseInfo,
  rawCommand,
  retryOnPortConflict,
  spawnRedis,
  startStandalone,
  toServer,
  type RedisServer,
} from './servers.js';
import { until } from './wait.js';

/** The name the sentinels monitor the primary by. */
export const PRIMARY_NAME = 'mymaster';

/** Options for {@link startSentinelSet}. */
export interface SentinelSetOptions {
  /** `down-after-milliseconds`: how long the primary may be silent before it is down. Default 1 000. */
  readonly downAfterMs?: number;
  /** `failover-timeout`. Default 5 000. */
  readonly failoverTimeoutMs?: number;
  /**
   * Passwords everywhere: the data servers require {@link SENTINEL_AUTH}'s `dataPassword` of the
   * default user and have the ACL user `app`; the sentinels require `sentinelPassword` and have
   * the ACL user `watcher`; sentinels and the replica are configured to authenticate.
   */
  readonly auth?: boolean;
  /**
   * TLS everywhere the client goes: the data servers and the sentinels also listen for TLS
   * (test certificates, one CA), replicate and monitor over it (`tls-replication yes`), so the
   * sentinels name TLS ports; `sentinelAddresses` are the sentinels' TLS ports. The plain ports
   * stay open for the harness's own checks.
   */
  readonly tls?: boolean;
}

/** The credentials of a set started with `auth: true`. */
export const SENTINEL_AUTH = {
  dataPassword: 'data-secret',
  appUser: { name: 'app', password: 'app-secret', rules: '~* &* +@all' },
  sentinelPassword: 'sentinel-secret',
  watcherUser: { name: 'watcher', password: 'watcher-secret' },
} as const;

/** A running sentinel set owned by this test process. */
export interface SentinelSet {
  readonly name: string;
  /** The primary and the replica as started (after a failover, the roles are swapped). */
  readonly primary: RedisServer;
  readonly replica: RedisServer;
  readonly sentinels: readonly RedisServer[];
  /** `{ host, port }` of each sentinel, for a client's `sentinels` option. */
  readonly sentinelAddresses: readonly { readonly host: string; readonly port: number }[];
  /** Stops every process (in parallel). Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts one sentinel monitoring `primary`; resolves once it logs that it monitors it. */
async function startSentinel(primary: RedisServer, options: Required<SentinelSetOptions>): Promise<RedisServer> {
  const certificates = options.tls ? await makeCertificates() : undefined;
  const auth = options.auth
    ? [
        `sentinel auth-pass ${PRIMARY_NAME} ${SENTINEL_AUTH.dataPassword}`,
        `requirepass ${SENTINEL_AUTH.sentinelPassword}`,
        `sentinel sentinel-pass ${SENTINEL_AUTH.sentinelPassword}`,
        `user ${SENTINEL_AUTH.watcherUser.name} on >${SENTINEL_AUTH.watcherUser.password} allchannels +@all`,
      ]
    : [];
  return retryOnPortConflict(async () => {
    const port = await freePort();
    const tlsPort = certificates === undefined ? undefined : await freePort();
    const tls =
      certificates === undefined
        ? []
        : [
            `tls-port ${tlsPort}`,
            `tls-cert-file ${certificates.files.serverCert}`,
            `tls-key-file ${certificates.files.serverKey}`,
            `tls-ca-cert-file ${certificates.files.caCert}`,
            'tls-auth-clients optional',
            'tls-replication yes',
          ];
    const dir = await makeServerDir(`sentinel-${port}`);
    const config = path.join(dir, 'sentinel.conf');
    // Sentinels rewrite their configuration file: it lives in their own dir.
    await writeFile(
      config,
      [
        `port ${port}`,
        `bind ${primary.host}`,
        `dir ${dir}`,
        'logfile ""',
        ...tls,
        `sentinel monitor ${PRIMARY_NAME} ${primary.host} ${dataPort(primary)} 2`,
        `sentinel down-after-milliseconds ${PRIMARY_NAME} ${options.downAfterMs}`,
        `sentinel failover-timeout ${PRIMARY_NAME} ${options.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${PRIMARY_NAME} 1`,
        ...auth,
        '',
      ].join('\n'),
    );
    const managed = await spawnRedis({ args: [config, '--sentinel'], dir, readyText: `+monitor master ${PRIMARY_NAME}` });
    return toServer(managed, {
      host: primary.host,
      port,
      ...(options.auth ? { password: SENTINEL_AUTH.sentinelPassword } : {}),
      ...(certificates === undefined || tlsPort === undefined
        ? {}
        : { tls: { port: tlsPort, caCert: certificates.caCert, clientCert: certificates.clientCert, clientKey: certificates.clientKey, files: certificates.files } }),
    });
  });
}

/** The port the sentinels know a data server by: its TLS port in a TLS set. */
export function dataPort(server: RedisServer): number {
  return server.tls?.port ?? server.port;
}

/** Lines of a redis-cli reply (one element per line). */
function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** The primary `sentinel` names now (`SENTINEL GET-MASTER-ADDR-BY-NAME`), as a port. */
export async function primaryPortOf(sentinel: RedisServer): Promise<number> {
  const [, port] = lines(await rawCommand(sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', PRIMARY_NAME));
  return Number(port);
}

/** Whether `sentinel` knows `replicas` replicas and `others` other sentinels of the primary. */
async function sentinelReady(sentinel: RedisServer, replicas: number, others: number): Promise<boolean> {
  const master = lines(await rawCommand(sentinel, 'SENTINEL', 'MASTER', PRIMARY_NAME));
  const field = (name: string): string | undefined => master[master.indexOf(name) + 1];
  return Number(field('num-slaves')) >= replicas && Number(field('num-other-sentinels')) >= others && field('flags') === 'master';
}

/**
 * Starts a primary, its replica (ready when its link is up), and three sentinels, ready when each
 * knows the replica and the two others. Everything started is stopped if a step fails.
 */
export async function startSentinelSet(options: SentinelSetOptions = {}): Promise<SentinelSet> {
  const settings = {
    downAfterMs: options.downAfterMs ?? 1_000,
    failoverTimeoutMs: options.failoverTimeoutMs ?? 5_000,
    auth: options.auth ?? false,
    tls: options.tls ?? false,
  };
  const dataTls = settings.tls ? { tls: true, replication: ['--tls-replication', 'yes'] } : { tls: false, replication: [] };
  const dataAuth = settings.auth ? { password: SENTINEL_AUTH.dataPassword, aclUsers: [SENTINEL_AUTH.appUser] } : {};
  const replicaAuth = settings.auth ? ['--masterauth', SENTINEL_AUTH.dataPassword] : [];
  const started: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((server) => server.stop()));
  };
  try {
    // Each may become the other's replica after a failover: both know the primary's password.
    const primary = await startStandalone({ ...dataAuth, tls: dataTls.tls, extraArgs: [...replicaAuth, ...dataTls.replication] });
    started.push(primary);
    const replica = await startStandalone({
      ...dataAuth,
      tls: dataTls.tls,
      extraArgs: ['--replicaof', primary.host, String(dataPort(primary)), ...replicaAuth, ...dataTls.replication],
    });
    started.push(replica);
    await until(
      async () => parseInfo(await rawCommand(replica, 'INFO', 'replication')).get('master_link_status') === 'up',
      'the replica linked to the primary',
      { withinMs: 10_000, everyMs: 20 },
    );
    const sentinels = await Promise.all([0, 1, 2].map(() => startSentinel(primary, settings)));
    started.push(...sentinels);
    await until(
      async () => (await Promise.all(sentinels.map((sentinel) => sentinelReady(sentinel, 1, 2)))).every(Boolean),
      'every sentinel knows the replica and the two other sentinels',
      { withinMs: 20_000, everyMs: 50 },
    );
    return {
      name: PRIMARY_NAME,
      primary,
      replica,
      sentinels,
      sentinelAddresses: sentinels.map((sentinel) => ({ host: sentinel.host, port: sentinel.tls?.port ?? sentinel.port })),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Fails the current primary over (`SENTINEL FAILOVER` on one sentinel) and resolves with the new
 * primary once every sentinel names it and it says it is a primary.
 */
export async function sentinelFailover(set: SentinelSet, withinMs = 20_000): Promise<RedisServer> {
  const [first] = set.sentinels;
  if (first === undefined) throw new Error('no sentinel');
  const before = await primaryPortOf(first);
  await rawCommand(first, 'SENTINEL', 'FAILOVER', PRIMARY_NAME);
  const next = before === dataPort(set.primary) ? set.replica : set.primary;
  await until(
    async () =>
      (await Promise.all(set.sentinels.map(primaryPortOf))).every((port) => port === dataPort(next)) &&
      parseInfo(await rawCommand(next, 'INFO', 'replication')).get('role') === 'master',
    `every sentinel names ${next.port} and it is a primary`,
    { withinMs, everyMs: 50 },
  );
  return next;
}
