/**
 * Where a connection goes. Locations are plain values: they name a server and nothing else, so they
 * can appear in error messages without leaking credentials.
 *
 * @module
 */

/** A server reached over TCP (optionally with TLS). */
export class TCPLocation {
  readonly kind = "tcp" as const;
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}
  /** `host:port`, as used in messages. IPv6 hosts are bracketed. */
  toString(): string {
    return this.host.includes(":") ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }
}

/** A server reached over a Unix domain socket. */
export class UnixDomainSocketLocation {
  readonly kind = "unix" as const;
  constructor(readonly path: string) {}
  /** `unix:/path`, as used in messages. */
  toString(): string {
    return `unix:${this.path}`;
  }
}

/** Any location a built-in connection class understands. */
export type Location = TCPLocation | UnixDomainSocketLocation;
