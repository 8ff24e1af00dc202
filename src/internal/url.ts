/**
 * Parses connection URLs into plain option objects:
 * - `redis://[[username]:password@]host[:port][/db][?protocol=2&clientName=…]`
 * - `rediss://…` — the same over TLS
 * - `unix://[[username]:password@]/path/to/socket[?db=1]`
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/** What a URL can say about a connection. */
export interface UrlOptions {
  host?: string;
  port?: number;
  unixSocketPath?: string;
  tls?: boolean;
  username?: string;
  password?: string;
  db?: number;
  protocolVersion?: 2 | 3;
  clientName?: string;
}

/** Parses a `redis://`, `rediss://` or `unix://` URL. The error never repeats the URL (it may hold a password). */
export function parseRedisUrl(url: string): UrlOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError("the connection URL could not be parsed");
  }
  const options: UrlOptions = {};
  const scheme = parsed.protocol;
  if (scheme === "redis:" || scheme === "rediss:") {
    const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
    if (host !== "") options.host = host;
    if (parsed.port !== "") options.port = Number(parsed.port);
    if (scheme === "rediss:") options.tls = true;
    const path = parsed.pathname.replace(/^\//, "");
    if (path !== "") options.db = parseDb(path);
  } else if (scheme === "unix:") {
    options.unixSocketPath = decodeURIComponent(parsed.pathname);
  } else {
    throw new InvalidArgumentError(`connection URL scheme must be redis:, rediss: or unix:, got ${scheme}`);
  }
  if (parsed.username !== "") options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== "") options.password = decodeURIComponent(parsed.password);
  const db = parsed.searchParams.get("db");
  if (db !== null) options.db = parseDb(db);
  const protocol = parsed.searchParams.get("protocol");
  if (protocol !== null) {
    if (protocol !== "2" && protocol !== "3") throw new InvalidArgumentError("URL protocol must be 2 or 3");
    options.protocolVersion = protocol === "2" ? 2 : 3;
  }
  const clientName = parsed.searchParams.get("clientName") ?? parsed.searchParams.get("client_name");
  if (clientName !== null) options.clientName = clientName;
  return options;
}

function parseDb(text: string): number {
  const db = Number(text);
  if (!Number.isInteger(db) || db < 0) throw new InvalidArgumentError(`URL database must be an integer >= 0, got ${text}`);
  return db;
}
