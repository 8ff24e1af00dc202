/**
 * `TCPConnection`: RESP over TCP, with optional TLS. It only opens the socket; everything else is
 * {@link BaseConnection}'s.
 *
 * @module
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions as TLSConnectionOptions } from "node:tls";
import { BaseConnection, type BaseConnectionOptions } from "./base-connection.js";
import { TCPLocation } from "./location.js";

/** Options of a {@link TCPConnection}. */
export interface TCPConnectionOptions extends BaseConnectionOptions {
  location: TCPLocation;
  /**
   * `true` for TLS with Node's defaults (the server's certificate is verified against the system's
   * CAs), or Node's TLS options (`ca`, `cert`, `key`, `servername` …). Off when left out.
   */
  tls?: boolean | TLSConnectionOptions;
}

/** A connection over TCP, or TLS over TCP. */
export class TCPConnection extends BaseConnection {
  readonly #location: TCPLocation;
  readonly #tls: boolean | TLSConnectionOptions;

  constructor(options: TCPConnectionOptions) {
    super(options);
    this.#location = options.location;
    this.#tls = options.tls ?? false;
  }

  protected override openStream(signal: AbortSignal): Promise<Socket> {
    const { host, port } = this.#location;
    return new Promise((resolve, reject) => {
      const tls = this.#tls;
      const socket =
        tls === false
          ? netConnect({ host, port, noDelay: true, signal })
          : tlsConnect({
              ...(tls === true ? {} : tls),
              host,
              port,
              // SNI must be a host name; Node refuses IP addresses there.
              ...(isIpAddress(host) ? {} : { servername: host }),
            });
      const ready = tls === false ? "connect" : "secureConnect";
      const onError = (error: Error): void => {
        socket.destroy();
        reject(error);
      };
      socket.once("error", onError);
      socket.once(ready, () => {
        socket.off("error", onError);
        socket.setNoDelay(true);
        resolve(socket);
      });
      if (tls !== false) signal.addEventListener("abort", () => socket.destroy(), { once: true });
    });
  }
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}
