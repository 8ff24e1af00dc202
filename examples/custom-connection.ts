/**
 * A custom connection class: subclass BaseConnection, supply openStream(), and pass the class to
 * a pool with its own options, which the pool hands to its constructor.
 * Run: node --import tsx examples/custom-connection.ts
 */
import { connect, type Socket } from "node:net";
import { BaseConnection, ConnectionPool, Redis, type BaseConnectionOptions } from "coredis";
import { exampleLocation, isMain, type ExampleLocation } from "./location.js";

interface CountingConnectionOptions extends BaseConnectionOptions {
  host: string;
  port: number;
  /** Called each time a socket opens. */
  onOpen: (count: number) => void;
}

/** A TCP connection that counts the sockets it opens and keeps them alive with TCP keep-alive. */
class CountingConnection extends BaseConnection {
  static opened = 0;
  readonly #options: CountingConnectionOptions;

  constructor(options: CountingConnectionOptions) {
    super(options);
    this.#options = options;
  }

  protected override openStream(signal: AbortSignal): Promise<Socket> {
    const { host, port, onOpen } = this.#options;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, signal, keepAlive: true, noDelay: true });
      socket.once("error", reject).once("connect", () => {
        socket.off("error", reject);
        onOpen(++CountingConnection.opened);
        resolve(socket);
      });
    });
  }
}

export async function main({ host, port }: ExampleLocation): Promise<string> {
  const opened: number[] = [];
  const pool = new ConnectionPool({
    connectionClass: CountingConnection,
    host,
    port,
    onOpen: (count) => opened.push(count),
    maxConnections: 4,
  });
  await using _ = await pool.connect();
  await using client = new Redis({ connectionPool: pool });
  await client.set("custom:greeting", "hello");
  return `custom connection said ${await client.get("custom:greeting")}; sockets opened: ${opened.length}`;
}

if (isMain(import.meta.url)) console.log(await main(exampleLocation()));
