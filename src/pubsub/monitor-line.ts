/**
 * Reads one line of MONITOR output:
 *
 * ```
 * 1339518083.107412 [0 127.0.0.1:60866] "keys" "*"
 * 1339518083.107412 [3 lua] "set" "k" "v\r\n"
 * 1339518083.107412 [0 unix:/tmp/redis.sock] "get" "caf\xc3\xa9"
 * ```
 * The time is seconds and microseconds, then the database and the client (its address, `lua`
 * for a script, `unix:<path>`), then every argument in double quotes, escaped as Redis's
 * `sdscatrepr` does: `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b`, and `\xNN` for every other byte
 * that is not printable ASCII (so a UTF-8 character arrives as `\xNN` bytes). Arguments are
 * decoded back to their bytes and read as UTF-8.
 *
 * @module
 */

/** One command the server ran, as MONITOR reports it. */
export interface MonitorCommand {
  /** When the server ran it: Unix time in seconds, with microseconds as the fraction. */
  readonly time: number;
  /** The database it ran in. */
  readonly db: number;
  /** Who sent it: the client's `ip:port`, `unix:<path>` for a Unix socket, or `lua` for a script. */
  readonly client: string;
  /** The command's name and arguments, as sent (the name in the case the client used). */
  readonly args: string[];
}

const QUOTE = 34;
const BACKSLASH = 92;
const SPACE = 32;
const OPEN_BRACKET = 91;
const HEX_BYTE = /^[0-9a-f]{2}$/i;

/** The characters after a backslash that stand for one byte, and that byte. */
const ESCAPES: Readonly<Record<string, number>> = { n: 10, r: 13, t: 9, a: 7, b: 8, "\\": 92, '"': 34 };

/** Parses one MONITOR line, or returns `undefined` for a line in another format. */
export function parseMonitorLine(line: string): MonitorCommand | undefined {
  const space = line.indexOf(" ");
  if (space <= 0 || line.charCodeAt(space + 1) !== OPEN_BRACKET) return undefined;
  const time = Number(line.slice(0, space));
  const dbEnd = line.indexOf(" ", space + 2);
  if (dbEnd === -1) return undefined;
  const db = Number(line.slice(space + 2, dbEnd));
  let close = line.indexOf('] "', dbEnd + 1);
  if (close === -1) {
    if (!line.endsWith("]")) return undefined;
    close = line.length - 1;
  }
  if (!Number.isFinite(time) || !Number.isInteger(db)) return undefined;
  const args = parseArguments(line, close + 2);
  if (args === undefined) return undefined;
  return { time, db, client: line.slice(dbEnd + 1, close), args };
}

/** The quoted arguments from `start` to the end of `line`, or `undefined` when malformed. */
function parseArguments(line: string, start: number): string[] | undefined {
  const args: string[] = [];
  const end = line.length;
  let i = start;
  while (i < end) {
    if (line.charCodeAt(i) !== QUOTE) return undefined;
    i++;
    const from = i;
    // Fast path: an argument without escapes is a slice of the line.
    while (i < end) {
      const c = line.charCodeAt(i);
      if (c === QUOTE || c === BACKSLASH) break;
      i++;
    }
    if (i >= end) return undefined;
    if (line.charCodeAt(i) === QUOTE) {
      args.push(line.slice(from, i));
    } else {
      const parsed = unescapeArgument(line, from, i);
      if (parsed === undefined) return undefined;
      args.push(parsed.value);
      i = parsed.end;
    }
    i++; // the closing quote
    if (i < end) {
      if (line.charCodeAt(i) !== SPACE) return undefined;
      i++;
    }
  }
  return args;
}

/**
 * An argument with escapes: `from` is its first character, `at` its first backslash. Returns its
 * value and the offset of its closing quote.
 */
function unescapeArgument(line: string, from: number, at: number): { value: string; end: number } | undefined {
  const bytes: number[] = [];
  for (let k = from; k < at; k++) bytes.push(line.charCodeAt(k));
  const end = line.length;
  let i = at;
  while (i < end) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) return { value: Buffer.from(bytes).toString("utf8"), end: i };
    if (c !== BACKSLASH) {
      bytes.push(c & 0xff);
      i++;
      continue;
    }
    const next = line[i + 1];
    if (next === undefined) return undefined;
    if (next === "x") {
      const hex = line.slice(i + 2, i + 4);
      if (!HEX_BYTE.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 4;
      continue;
    }
    const escaped = ESCAPES[next];
    // An escape sdscatrepr never writes: keep the character itself.
    bytes.push(escaped ?? next.charCodeAt(0) & 0xff);
    i += 2;
  }
  return undefined;
}
