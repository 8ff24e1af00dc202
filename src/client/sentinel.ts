/**
 * `Sentinel`: clients for the services a Redis Sentinel deployment watches, that follow its
 * failovers.
 *
 * ```ts
 * await using sentinel = new Sentinel({ sentinels: [{ host: "10.0.0.1", port: 26379 }, "10.0.0.2:26379"] });
 * await using primary = sentinel.primaryFor("mymaster");   // writes; follows failovers
 * await using replica = sentinel.replicaFor("mymaster");   // reads from a replica
 * ```
 *
 * How it works:
 * - **Discovery** asks the sentinels in turn (`SENTINEL GET-MASTER-ADDR-BY-NAME`, `SENTINEL
 *   REPLICAS`), each within `sentinelOptions.timeout`; the first that answers goes first next
 *   time. When none answers, the call rejects with a {@link SentinelError} naming each
 *   sentinel's own failure. A primary's connections confirm its role with `ROLE` in their
 *   handshake (see `SentinelConnectionPool`).
 * - **The watch.** While any of its clients' pools is open, the instance is subscribed on every
 *   sentinel to the announcements that move a pool (`+switch-master`, `+selected-slave`,
 *   `-failover-abort-…`, `+sdown`): the first sentinel to speak is heard, whichever led the
 *   failover, and a sentinel going away costs nothing while another one stays. A subscription
 *   re-established after a loss makes every pool ask again (an announcement may have been missed).
 *   Nothing stays open once the last pool closed: an application that closed its clients exits.
 * - **Options.** The client options (credentials, `db`, `tls`, timeouts, `maxConnections` …)
 *   apply to the data servers; `sentinelOptions` to the sentinels, which otherwise share `tls`
 *   and nothing else (sentinels usually have no ACL users of the data servers).
 *
 * @module
 */
import type { ConnectionOptions as TLSConnectionOptions } from "node:tls";
import type { StringType } from "../commands/executor.js";
import type { CredentialProvider } from "../connection/handshake.js";
import { TCPLocation } from "../connection/location.js";
import { InvalidArgumentError, SentinelError } from "../errors.js";
import { assertDuration } from "../internal/validate.js";
import {
  SentinelConnectionPool,
  type SentinelDirectory,
  type SentinelEvent,
  type SentinelEventListener,
  type SentinelRole,
} from "../pool/sentinel-pool.js";
import type { PubSub } from "../pubsub/pubsub.js";
import { poolOptionsFor, validateRedisOptions, type RedisClientOptions, type RedisConnectionOptions } from "./options.js";
import type { CommandClient } from "./command-client.js";
import { Redis } from "./redis.js";
import { WATCHED_CHANNELS, healthyReplicas, parseAddress, parseAnnouncement } from "./sentinel-events.js";

/** A sentinel's address: `{ host, port }` or `"host:port"`. */
export type SentinelAddress = { readonly host: string; readonly port: number } | string;

/** How to reach the sentinels themselves. Durations are milliseconds. */
export interface SentinelConnectionOptions {
  /** ACL user on the sentinels. */
  username?: string;
  /** Password on the sentinels (`requirepass` in sentinel.conf, or the user's). */
  password?: string;
  /** Credentials for each new sentinel connection; wins over `username`/`password`. */
  credentialProvider?: CredentialProvider;
  /** TLS to the sentinels. @defaultValue the data servers' `tls` */
  tls?: boolean | TLSConnectionOptions;
  /** Milliseconds to connect to one sentinel. @defaultValue 2 000 */
  connectTimeout?: number;
  /** Milliseconds one sentinel has to answer a question before the next one is asked. @defaultValue 2 000 */
  timeout?: number;
  /** RESP version spoken with the sentinels. @defaultValue 3 */
  protocolVersion?: 2 | 3;
  /** Connection name on the sentinels. */
  clientName?: string;
}

/** Options of a {@link Sentinel}: the sentinels, how to reach them, and the options of the clients it makes. */
export type SentinelOptions<S extends StringType = string> = RedisClientOptions<S> &
  Omit<RedisConnectionOptions, "host" | "port" | "unixSocketPath" | "connectionPoolClass"> & {
    /** The sentinels to ask, in order. */
    sentinels: readonly SentinelAddress[];
    /** How to reach the sentinels. */
    sentinelOptions?: SentinelConnectionOptions;
    /**
     * Milliseconds a request that could not be sent waits for the service's new server (a
     * failover in progress); a call's own `timeout` still applies. @defaultValue 30 000
     */
    failoverTimeout?: number;
  };

const DEFAULT_SENTINEL_TIMEOUT_MS = 2_000;

/** Clients for the services a set of sentinels watches; see the module's description. */
export class Sentinel<S extends StringType = string> implements SentinelDirectory, AsyncDisposable {
  readonly #options: SentinelOptions<S>;
  /** The sentinels, the one that answered last first. */
  #sentinels: TCPLocation[];
  /** One client per sentinel, while the instance is in use. */
  readonly #clients = new Map<string, Redis>();
  /** The subscription on each sentinel, while any pool watches. */
  readonly #watches = new Map<string, PubSub>();
  readonly #listeners = new Map<string, Set<SentinelEventListener>>();
  /** Pools watching plus questions in flight: the sentinels' connections stay open while it is above 0. */
  #users = 0;
  #closed = false;

  constructor(options: SentinelOptions<S>) {
    if (!Array.isArray(options.sentinels) || options.sentinels.length === 0) {
      throw new InvalidArgumentError("sentinels must list at least one sentinel address");
    }
    assertDuration("failoverTimeout", options.failoverTimeout);
    assertDuration("sentinelOptions.timeout", options.sentinelOptions?.timeout);
    assertDuration("sentinelOptions.connectTimeout", options.sentinelOptions?.connectTimeout);
    validateRedisOptions(options);
    this.#options = options;
    this.#sentinels = options.sentinels.map(toLocation);
  }

  /** The sentinels, in the order they are asked now (the last one that answered first). */
  get sentinels(): readonly TCPLocation[] {
    return this.#sentinels;
  }

  /**
   * A client of the service's primary, on a {@link SentinelConnectionPool} of its own that follows
   * failovers; closing the client closes its pool. `options` override the instance's client options.
   */
  primaryFor(service: string, options: RedisClientOptions<S> = {}): Redis<S> {
    return this.#clientOf(service, "primary", options);
  }

  /** A client of one of the service's replicas (its primary when none is healthy), as {@link Sentinel.primaryFor}. */
  replicaFor(service: string, options: RedisClientOptions<S> = {}): Redis<S> {
    return this.#clientOf(service, "replica", options);
  }

  /** Where the service's primary is, by the first sentinel that knows. */
  discoverPrimary(service: string): Promise<TCPLocation> {
    return this.#use(() => this.#ask(service, "the primary", async (client) => parseAddress(await client.sendCommand(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", service]))));
  }

  /** The service's healthy replicas, by the first sentinel that knows the service. */
  discoverReplicas(service: string): Promise<TCPLocation[]> {
    return this.#use(() => this.#ask(service, "the replicas", async (client) => healthyReplicas(await client.sendCommand(["SENTINEL", "REPLICAS", service]))));
  }

  /** {@link SentinelDirectory}: the primary, or a healthy replica other than `avoid` (else the primary). */
  async locate(service: string, role: SentinelRole, avoid?: TCPLocation): Promise<TCPLocation> {
    if (role === "primary") return this.discoverPrimary(service);
    const replicas = (await this.discoverReplicas(service)).filter((replica) => avoid === undefined || replica.toString() !== avoid.toString());
    if (replicas.length === 0) return this.discoverPrimary(service);
    return replicas[Math.floor(Math.random() * replicas.length)] as TCPLocation;
  }

  /** {@link SentinelDirectory}: the service's announcements, heard on every sentinel, until the returned function is called. */
  watch(service: string, listener: SentinelEventListener): () => void {
    let listeners = this.#listeners.get(service);
    if (listeners === undefined) this.#listeners.set(service, (listeners = new Set()));
    listeners.add(listener);
    this.#users++;
    this.#startWatches();
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(service);
      this.#release();
    };
  }

  /** Closes the connections to the sentinels. Clients made by the instance stop following failovers. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#closeConnections();
  }

  /** `await using sentinel = …`: the same as {@link Sentinel.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #clientOf(service: string, role: SentinelRole, overrides: RedisClientOptions<S>): Redis<S> {
    if (this.#closed) throw new InvalidArgumentError("the Sentinel instance is closed");
    const { sentinels: _sentinels, sentinelOptions: _sentinelOptions, failoverTimeout, ...options } = this.#options;
    const pool = new SentinelConnectionPool({
      ...poolOptionsFor(options),
      service,
      role,
      directory: this,
      ...definedOnly({ failoverTimeout }),
    });
    const { decodeResponses, encoding, retryPolicy, captureCallerStack, cache } = { ...options, ...overrides };
    return new Redis<S>({ connectionPool: pool, ...definedOnly({ cache, decodeResponses, encoding, retryPolicy, captureCallerStack }) });
  }

  /**
   * Asks the sentinels in turn until one gives an answer; the one that did goes first next time.
   * A sentinel that does not know the service (a null reply) counts as a failure.
   */
  async #ask<T>(service: string, what: string, question: (client: CommandClient) => Promise<T | undefined>): Promise<T> {
    const failures: string[] = [];
    const errors: unknown[] = [];
    for (const sentinel of [...this.#sentinels]) {
      try {
        const answer = await question(this.#clientFor(sentinel).withOptions({ timeout: this.#options.sentinelOptions?.timeout ?? DEFAULT_SENTINEL_TIMEOUT_MS }));
        if (answer !== undefined) {
          if (this.#sentinels[0] !== sentinel) this.#sentinels = [sentinel, ...this.#sentinels.filter((other) => other !== sentinel)];
          return answer;
        }
        failures.push(`${sentinel.toString()}: does not know ${service}`);
      } catch (error) {
        errors.push(error);
        failures.push(`${sentinel.toString()}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    throw new SentinelError(`no sentinel named ${what} of ${service} (${failures.join("; ")})`, {
      cause: errors.length === 0 ? undefined : new AggregateError(errors, "each sentinel's failure"),
    });
  }

  /** The client of one sentinel, made on first use. */
  #clientFor(sentinel: TCPLocation): Redis {
    const key = sentinel.toString();
    let client = this.#clients.get(key);
    if (client === undefined) {
      const sentinelOptions = this.#options.sentinelOptions ?? {};
      const tls = sentinelOptions.tls ?? this.#options.tls;
      client = new Redis({
        host: sentinel.host,
        port: sentinel.port,
        connectTimeout: sentinelOptions.connectTimeout ?? DEFAULT_SENTINEL_TIMEOUT_MS,
        maxConnections: 2, // one for questions, one for the watch
        ...definedOnly({
          username: sentinelOptions.username,
          password: sentinelOptions.password,
          credentialProvider: sentinelOptions.credentialProvider,
          protocolVersion: sentinelOptions.protocolVersion,
          clientName: sentinelOptions.clientName,
          tls,
        }),
      });
      this.#clients.set(key, client);
    }
    return client;
  }

  /** Subscribes on every sentinel not subscribed yet. */
  #startWatches(): void {
    for (const sentinel of this.#sentinels) {
      const key = sentinel.toString();
      if (this.#watches.has(key)) continue;
      const pubsub = this.#clientFor(sentinel).pubsub({ channels: [...WATCHED_CHANNELS] });
      this.#watches.set(key, pubsub);
      void this.#readWatch(pubsub);
    }
  }

  /** Passes one sentinel's announcements to the pools of their service, until the subscription closes. */
  async #readWatch(pubsub: PubSub): Promise<void> {
    try {
      for await (const item of pubsub) {
        if (item.type === "resubscribed") {
          this.#tellAll({ kind: "resync" });
          continue;
        }
        if (item.type !== "message") continue;
        const announcement = parseAnnouncement(item.channel, item.data);
        if (announcement !== undefined) this.#tell(announcement.service, announcement.event);
      }
    } catch {
      // Closed with the instance, or refused for good (NOPERM): the other sentinels still speak,
      // and the pools' own failures send them to ask.
    }
  }

  #tell(service: string, event: SentinelEvent): void {
    for (const listener of [...(this.#listeners.get(service) ?? [])]) listener(event);
  }

  #tellAll(event: SentinelEvent): void {
    for (const service of [...this.#listeners.keys()]) this.#tell(service, event);
  }

  async #use<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new SentinelError("the Sentinel instance is closed");
    this.#users++;
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  /** One user fewer; the last one closes the sentinels' connections. */
  #release(): void {
    this.#users--;
    if (this.#users === 0) void this.#closeConnections();
  }

  async #closeConnections(): Promise<void> {
    const watches = [...this.#watches.values()];
    const clients = [...this.#clients.values()];
    this.#watches.clear();
    this.#clients.clear();
    await Promise.all(watches.map((pubsub) => pubsub.close().catch(() => undefined)));
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  }
}

function toLocation(address: SentinelAddress): TCPLocation {
  if (typeof address !== "string") return new TCPLocation(address.host, address.port);
  const colon = address.lastIndexOf(":");
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port)) throw new InvalidArgumentError(`a sentinel address must be "host:port", not ${JSON.stringify(address)}`);
  return new TCPLocation(address.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port);
}

/** The fields of `values` that are set: options passed on without writing `undefined` into them. */
function definedOnly<T extends object>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
