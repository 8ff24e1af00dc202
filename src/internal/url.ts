/**
 * Parses connection URLs into plain option objects:
 * - `redis://[[username]:password@]host[:port][/db][?option=value&…]`
 * - `rediss://…` — the same over TLS
 * - `unix://[[username]:password@]/path/to/socket[?option=value&…]`
 *
 * A username without a password (`redis://alice:@host`, `redis://alice@host`) is kept: the
 * connection then authenticates as that user with an empty password, which is how an ACL user
 * created with `nopass` is reached. Userinfo and the socket path are percent-decoded.
 *
 * Query options (every other key is refused with an {@link InvalidArgumentError}, never ignored;
 * a key given twice, under any of its spellings, is refused too):
 *
 * | key                                            | option            | value                        |
 * | ---------------------------------------------- | ----------------- | ---------------------------- |
 * | `db`                                           | `db`              | integer >= 0                 |
 * | `protocol`                                     | `protocolVersion` | `2` or `3`                   |
 * | `clientName`, `client_name`                    | `clientName`      | text                         |
 * | `connectTimeout`                               | `connectTimeout`  | integer milliseconds         |
 * | `streamTimeout`                                | `streamTimeout`   | integer milliseconds         |
 * | `maxIdleTime`                                  | `maxIdleTime`     | integer milliseconds         |
 * | `poolTimeout`, `timeout`                       | `poolTimeout`     | integer milliseconds         |
 * | `maxConnections`, `max_connections`            | `maxConnections`  | integer >= 1                 |
 * | `connect_timeout`, `socket_connect_timeout`    | `connectTimeout`  | seconds (fractions allowed)  |
 * | `stream_timeout`, `socket_timeout`             | `streamTimeout`   | seconds (fractions allowed)  |
 * | `max_idle_time`                                | `maxIdleTime`     | seconds (fractions allowed)  |
 * | `pool_timeout`                                 | `poolTimeout`     | seconds (fractions allowed)  |
 * | `noreply`, `noevict`, `notouch`                | the same          | `true/false/1/0/yes/no`      |
 *
 * camelCase durations are milliseconds, as everywhere in this library. The snake_case keys are
 * the spellings of coredis (Python) URLs, whose durations are seconds: they are converted, so a
 * URL written for coredis means the same here. `socket_timeout` and `socket_connect_timeout` are
 * redis-py's names for the same two settings (a silent socket while a reply is awaited, and the
 * time to connect) and are accepted as their aliases; the one difference, that blocking commands
 * are exempt from `streamTimeout`, only removes redis-py's spurious timeouts of a long BLPOP.
 * `timeout` is the name of a pool's own wait timeout, in milliseconds like the pool option.
 *
 * Errors name the part or the query key at fault, never a value or the URL: either may hold a
 * password.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/** What a URL can say about a connection, its pool and its client. Durations are milliseconds. */
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
  /** Milliseconds to open a connection and finish its handshake. */
  connectTimeout?: number;
  /** Milliseconds a connection with replies outstanding may stay silent. */
  streamTimeout?: number;
  /** Milliseconds an unused connection stays open. */
  maxIdleTime?: number;
  /** Most connections the pool opens. */
  maxConnections?: number;
  /**
   * Milliseconds a request waits for a free connection. The client's name for it; a pool calls
   * it `timeout` (`ConnectionPool.fromUrl` renames it).
   */
  poolTimeout?: number;
  noreply?: boolean;
  noevict?: boolean;
  notouch?: boolean;
}

type NumberOption = "db" | "connectTimeout" | "streamTimeout" | "maxIdleTime" | "maxConnections" | "poolTimeout";
type FlagOption = "noreply" | "noevict" | "notouch";
type QueryOption = NumberOption | FlagOption | "protocolVersion" | "clientName";

/** How one query key is read: the option it sets, and how its text becomes the value. */
interface QueryKey {
  readonly option: QueryOption;
  readonly apply: (into: UrlOptions, value: string, key: string) => void;
}

const integer = (option: NumberOption, min: number): QueryKey => ({
  option,
  apply: (into, value, key) => {
    into[option] = parseInteger(value, `option ${key}`, min);
  },
});
const milliseconds = (option: NumberOption): QueryKey => ({
  option,
  apply: (into, value, key) => {
    into[option] = parseInteger(value, `option ${key}`, 0, "a whole number of milliseconds");
  },
});
const seconds = (option: NumberOption): QueryKey => ({
  option,
  apply: (into, value, key) => {
    into[option] = parseSeconds(value, `option ${key}`);
  },
});
const flag = (option: FlagOption): QueryKey => ({
  option,
  apply: (into, value, key) => {
    into[option] = parseBoolean(value, `option ${key}`);
  },
});
const clientName: QueryKey = {
  option: "clientName",
  apply: (into, value) => {
    into.clientName = value;
  },
};

/** Every query key a URL may carry. A `Map`, so a key such as `__proto__` or `toString` is simply unknown. */
const QUERY_KEYS: ReadonlyMap<string, QueryKey> = new Map<string, QueryKey>([
  ["db", integer("db", 0)],
  [
    "protocol",
    {
      option: "protocolVersion",
      apply: (into, value) => {
        if (value !== "2" && value !== "3") throw new InvalidArgumentError("URL option protocol must be 2 or 3");
        into.protocolVersion = value === "2" ? 2 : 3;
      },
    },
  ],
  ["clientName", clientName],
  ["client_name", clientName],
  ["connectTimeout", milliseconds("connectTimeout")],
  ["streamTimeout", milliseconds("streamTimeout")],
  ["maxIdleTime", milliseconds("maxIdleTime")],
  ["poolTimeout", milliseconds("poolTimeout")],
  ["timeout", milliseconds("poolTimeout")],
  ["maxConnections", integer("maxConnections", 1)],
  ["max_connections", integer("maxConnections", 1)],
  ["connect_timeout", seconds("connectTimeout")],
  ["socket_connect_timeout", seconds("connectTimeout")],
  ["stream_timeout", seconds("streamTimeout")],
  ["socket_timeout", seconds("streamTimeout")],
  ["max_idle_time", seconds("maxIdleTime")],
  ["pool_timeout", seconds("poolTimeout")],
  ["noreply", flag("noreply")],
  ["noevict", flag("noevict")],
  ["notouch", flag("notouch")],
]);

/** Parses a `redis://`, `rediss://` or `unix://` URL. The error never repeats the URL (it may hold a password). */
export function parseRedisUrl(url: string): UrlOptions {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) throw new InvalidArgumentError("the connection URL could not be parsed");
  if (scheme === "unix") return parseUnixUrl(url);
  if (scheme === "redis" || scheme === "rediss") return parseTcpUrl(url, scheme === "rediss");
  // Only the scheme is named: it holds no secret, and it is what the user got wrong.
  throw new InvalidArgumentError(`connection URL scheme must be redis:, rediss: or unix:, got ${scheme}:`);
}

function parseTcpUrl(url: string, tls: boolean): UrlOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError("the connection URL could not be parsed");
  }
  if (parsed.hash !== "") throw new InvalidArgumentError("a connection URL takes no #fragment");
  const options: UrlOptions = {};
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host !== "") options.host = host;
  if (parsed.port !== "") options.port = Number(parsed.port);
  if (tls) options.tls = true;
  const path = parsed.pathname.replace(/^\//, "");
  if (path !== "") options.db = parseInteger(path, "database (the path)", 0);
  addCredentials(options, parsed.username, parsed.password);
  addQuery(options, parsed.search);
  return options;
}

/**
 * `unix://[user[:password]@]/path[?query]`, read by hand: WHATWG `URL` refuses an authority
 * with userinfo but no host (`unix://a:b@/path`), which is exactly the documented form.
 */
function parseUnixUrl(url: string): UrlOptions {
  let rest = url.slice("unix:".length);
  const hash = rest.indexOf("#");
  if (hash !== -1) throw new InvalidArgumentError("a connection URL takes no #fragment");
  const question = rest.indexOf("?");
  const query = question === -1 ? "" : rest.slice(question);
  if (question !== -1) rest = rest.slice(0, question);
  let username = "";
  let password = "";
  if (rest.startsWith("//")) {
    // The authority runs to the first "/", where the socket path begins, so an "@" in the path
    // stays in the path. Within the authority the last "@" ends the userinfo, which tolerates an
    // unencoded "@" in a password.
    const slash = rest.indexOf("/", 2);
    const authority = rest.slice(2, slash === -1 ? rest.length : slash);
    rest = slash === -1 ? "" : rest.slice(slash);
    const at = authority.lastIndexOf("@");
    const userinfo = at === -1 ? "" : authority.slice(0, at);
    if (authority.slice(at + 1) !== "") {
      throw new InvalidArgumentError("a unix: connection URL takes no host: write unix:///path or unix://user:password@/path");
    }
    const colon = userinfo.indexOf(":");
    username = colon === -1 ? userinfo : userinfo.slice(0, colon);
    password = colon === -1 ? "" : userinfo.slice(colon + 1);
  }
  const path = decodePart(rest, "socket path");
  if (!path.startsWith("/")) throw new InvalidArgumentError("a unix: connection URL needs an absolute socket path");
  const options: UrlOptions = { unixSocketPath: path };
  addCredentials(options, username, password);
  addQuery(options, query);
  return options;
}

/** Adds the (still percent-encoded) userinfo parts. An empty part is absent. */
function addCredentials(options: UrlOptions, username: string, password: string): void {
  if (username !== "") options.username = decodePart(username, "username");
  if (password !== "") options.password = decodePart(password, "password");
}

/** Reads every query key into `options`; refuses unknown keys and options given twice. */
function addQuery(options: UrlOptions, search: string): void {
  if (search === "" || search === "?") return;
  const given = new Map<QueryOption, string>();
  // URLSearchParams percent-decodes keys and values (and reads "+" as a space, as forms do).
  for (const [key, value] of new URLSearchParams(search)) {
    const spec = QUERY_KEYS.get(key);
    if (spec === undefined) {
      throw new InvalidArgumentError(
        `unknown connection URL option ${JSON.stringify(key)}; known: ${[...QUERY_KEYS.keys()].join(", ")}`,
      );
    }
    const earlier = given.get(spec.option);
    if (earlier !== undefined) {
      throw new InvalidArgumentError(
        earlier === key
          ? `connection URL option ${key} is given more than once`
          : `connection URL options ${earlier} and ${key} set the same thing; give one`,
      );
    }
    given.set(spec.option, key);
    if (spec.option === "db" && options.db !== undefined) {
      throw new InvalidArgumentError("the connection URL gives the database twice: in its path and as ?db=");
    }
    spec.apply(options, value, key);
  }
}

function decodePart(text: string, part: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidArgumentError(`the connection URL's ${part} is not valid percent-encoding`);
  }
}

/** Digits only: no sign, exponent, hex, blanks or fraction, which `Number()` would all let through. */
function parseInteger(text: string, subject: string, min: number, what = `an integer >= ${min}`): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`connection URL ${subject} must be ${what}`);
  }
  return value;
}

/** Seconds, as coredis (Python) URLs give them, to milliseconds. */
function parseSeconds(text: string, subject: string): number {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) {
    throw new InvalidArgumentError(`connection URL ${subject} must be a number of seconds >= 0`);
  }
  // Rounded to the microsecond, so 1.1 s is 1100 ms, not 1100.0000000000002.
  const ms = Math.round(Number(text) * 1_000_000) / 1_000;
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`connection URL ${subject} is too large`);
  return ms;
}

const TRUE_WORDS: ReadonlySet<string> = new Set(["true", "1", "yes"]);
const FALSE_WORDS: ReadonlySet<string> = new Set(["false", "0", "no"]);

function parseBoolean(text: string, subject: string): boolean {
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new InvalidArgumentError(`connection URL ${subject} must be one of true, false, 1, 0, yes, no (any case)`);
}
