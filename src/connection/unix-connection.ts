/**
 * `UnixDomainSocketConnection`: RESP over a Unix domain socket. It only opens the socket.
 *
 * @module
 */
import { connect as netConnect, type Socket } from "node:net";
import { BaseConnection, type BaseConnectionOptions } from "./base-connection.js";
import { UnixDomainSocketLocation } from "./location.js";

/** Options of a {@link UnixDomainSocketConnection}. */
export interface UnixDomainSocketConnectionOptions extends BaseConnectionOptions {
  location: UnixDomainSocketLocation;
}

/** A connection over a Unix domain socket. */
export class UnixDomainSocketConnection extends BaseConnection {
  readonly #path: string;

  constructor(options: UnixDomainSocketConnectionOptions) {
    super(options);
    this.#path = options.location.path;
  }

  protected override openStream(signal: AbortSignal): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ path: this.#path, signal });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(socket);
      });
    });
  }
}
