/**
 * A scripted fake Redis on a `net.Server` (127.0.0.1, kernel-chosen port) for
 * fault tests: replies that are broken, late, missing, cut off, or followed by
 * a dropped or half-closed socket — things a real server will not do on cue.
 *
 * Two levels:
 * - {@link startFakeServer} with a raw handler `(socket, ctx) => …` owns the
 *   socket completely;
 * - {@link replyToCommands} builds such a handler from a function of each
 *   parsed command, `(argv, ctx) => reply`, and answers the connection
 *   handshake (HELLO, CLIENT SETINFO/SETNAME, SELECT, AUTH, PING) itself unless
 *   that function handles them.
 *
 * ```ts
 * const fake = await startFakeServer(replyToCommands((argv) =>
 *   argv[0] === 'GET' ? null : undefined)); // GET stalls the connection; the rest is default
 * after(() => fake.close());
 * ```
 *
 * @module
 */
import net from 'node:net';

/** Loopback only. */
const HOST = '127.0.0.1';

/** What a raw handler learns about its connection. */
export interface FakeConnectionContext {
  /** 0-based order in which this connection was accepted. */
  readonly index: number;
  /** The server that accepted it. */
  readonly server: FakeServer;
}

/** Owns one accepted socket. Errors it throws or rejects with are recorded in `server.errors` and close the socket. */
export type FakeHandler = (socket: net.Socket, ctx: FakeConnectionContext) => void | Promise<void>;

/** A running fake server. */
export interface FakeServer {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The kernel-chosen port. */
  readonly port: number;
  /** Every socket accepted so far, in order (closed ones included). */
  readonly connections: readonly net.Socket[];
  /** Every command parsed by {@link replyToCommands} handlers, across connections, in arrival order. */
  readonly commands: string[][];
  /** Errors thrown by handlers; a test can assert this stays empty. */
  readonly errors: unknown[];
  /** Resolves with the `index`-th accepted socket (0-based), now or once it is accepted. */
  connectionAt(index: number): Promise<net.Socket>;
  /** Destroys every socket and stops listening. Idempotent. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a fake server whose every accepted socket is given to `handler`.
 * All sockets are tracked and destroyed by `close()`.
 */
export function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const connections: net.Socket[] = [];
  const errors: unknown[] = [];
  const waiters = new Map<number, ((socket: net.Socket) => void)[]>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const server = net.createServer();
  const fake: FakeServer = {
    host: HOST,
    port: 0,
    connections,
    commands: [],
    errors,
    connectionAt(index) {
      const existing = connections[index];
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve) => {
        const list = waiters.get(index) ?? [];
        list.push(resolve);
        waiters.set(index, list);
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const socket of connections) socket.destroy();
        // close() waits for connections to end, which the destroys above guarantee.
        server.close(() => resolve());
      });
      return closing;
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };

  server.on('connection', (socket) => {
    // A client resetting the connection is normal in fault tests; without a listener it would crash the process.
    socket.on('error', () => undefined);
    if (closed) {
      socket.destroy();
      return;
    }
    const index = connections.push(socket) - 1;
    for (const resolve of waiters.get(index) ?? []) resolve(socket);
    waiters.delete(index);
    const fail = (error: unknown): void => {
      errors.push(error);
      socket.destroy();
    };
    try {
      const result = handler(socket, { index, server: fake });
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: HOST, port: 0 }, () => {
      server.off('error', reject);
      const address = server.address();
      if (typeof address !== 'object' || address === null) {
        reject(new Error('fake server: no TCP address'));
        return;
      }
      resolve(Object.assign(fake, { port: address.port }));
    });
  });
}

// ---------------------------------------------------------------------------
// Incoming command parser
// ---------------------------------------------------------------------------

/** Thrown by {@link CommandParser} on input a real server would reject. */
export class FakeProtocolError extends Error {
  override readonly name = 'FakeProtocolError';
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Incremental parser for what clients send: RESP arrays of bulk strings, plus
 * inline commands (`PING\r\n`) as redis-server accepts them. Input may arrive
 * split anywhere or with several commands in one chunk.
 */
export class CommandParser {
  #buffer: Buffer = Buffer.alloc(0);

  /**
   * Adds `chunk` and returns every command now complete, as argv arrays of raw bytes.
   *
   * @throws FakeProtocolError on malformed input (the buffer is then unusable).
   */
  pushBuffers(chunk: Buffer): Buffer[][] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const commands: Buffer[][] = [];
    let offset = 0;
    for (;;) {
      const parsed = this.#parseOne(offset);
      if (parsed === undefined) break;
      offset = parsed.next;
      if (parsed.argv.length > 0) commands.push(parsed.argv);
    }
    // Keep only the unparsed tail; subarray avoids copying it.
    this.#buffer = this.#buffer.subarray(offset);
    return commands;
  }

  /** Like {@link pushBuffers}, with each argument decoded as UTF-8. */
  push(chunk: Buffer): string[][] {
    return this.pushBuffers(chunk).map((argv) => argv.map((arg) => arg.toString('utf8')));
  }

  /** Bytes received but not yet part of a complete command. */
  get pendingBytes(): number {
    return this.#buffer.length;
  }

  /** Index just past the CRLF ending the line at `start`, with the line; undefined if incomplete. */
  #line(start: number): { text: string; next: number } | undefined {
    const lf = this.#buffer.indexOf(LF, start);
    if (lf === -1) return undefined;
    const end = lf > start && this.#buffer[lf - 1] === CR ? lf - 1 : lf;
    return { text: this.#buffer.toString('latin1', start, end), next: lf + 1 };
  }

  #parseOne(start: number): { argv: Buffer[]; next: number } | undefined {
    if (start >= this.#buffer.length) return undefined;
    if (this.#buffer[start] !== 0x2a /* '*' */) {
      const line = this.#line(start);
      if (line === undefined) return undefined;
      const argv = line.text.split(/[ \t]+/).filter((arg) => arg !== '').map((arg) => Buffer.from(arg, 'latin1'));
      return { argv, next: line.next };
    }
    const header = this.#line(start);
    if (header === undefined) return undefined;
    const count = parseLength(header.text.slice(1), 'multibulk');
    const argv: Buffer[] = [];
    let position = header.next;
    for (let i = 0; i < count; i++) {
      if (position >= this.#buffer.length) return undefined;
      if (this.#buffer[position] !== 0x24 /* '$' */) {
        throw new FakeProtocolError(`expected '$', got '${String.fromCharCode(this.#buffer[position] ?? 0)}'`);
      }
      const bulkHeader = this.#line(position);
      if (bulkHeader === undefined) return undefined;
      const length = parseLength(bulkHeader.text.slice(1), 'bulk');
      const end = bulkHeader.next + length;
      if (end + 2 > this.#buffer.length) return undefined;
      if (this.#buffer[end] !== CR || this.#buffer[end + 1] !== LF) {
        throw new FakeProtocolError('bulk string not terminated by CRLF');
      }
      argv.push(this.#buffer.subarray(bulkHeader.next, end));
      position = end + 2;
    }
    return { argv, next: position };
  }
}

function parseLength(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new FakeProtocolError(`invalid ${what} length '${text}'`);
  return Number(text);
}

// ---------------------------------------------------------------------------
// Reply encoders
// ---------------------------------------------------------------------------

type Encodable = Buffer | string;

const crlf = '\r\n';

/** Byte builders for replies; each returns one complete RESP value. */
export const resp = {
  /** `+text` */
  simple: (text: string): Buffer => Buffer.from(`+${text}${crlf}`),
  /** `-message` (message includes the code, e.g. `ERR oops`). */
  error: (message: string): Buffer => Buffer.from(`-${message}${crlf}`),
  /** `:n` */
  integer: (value: number | bigint): Buffer => Buffer.from(`:${value}${crlf}`),
  /** `$len` bulk string; `null` gives the RESP2 null bulk `$-1`. */
  bulk: (value: Encodable | null): Buffer => {
    if (value === null) return Buffer.from(`$-1${crlf}`);
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    return Buffer.concat([Buffer.from(`$${bytes.length}${crlf}`), bytes, Buffer.from(crlf)]);
  },
  /** `*n` of already-encoded items; `null` gives the RESP2 null array `*-1`. */
  array: (items: readonly Buffer[] | null): Buffer =>
    items === null ? Buffer.from(`*-1${crlf}`) : Buffer.concat([Buffer.from(`*${items.length}${crlf}`), ...items]),
  /** RESP3 `%n` map of already-encoded key/value pairs. */
  map: (entries: readonly (readonly [Buffer, Buffer])[]): Buffer =>
    Buffer.concat([Buffer.from(`%${entries.length}${crlf}`), ...entries.flat()]),
  /** RESP3 `>n` push of already-encoded items. */
  push: (items: readonly Buffer[]): Buffer => Buffer.concat([Buffer.from(`>${items.length}${crlf}`), ...items]),
  /** RESP3 `_` null. */
  null: (): Buffer => Buffer.from(`_${crlf}`),
  /** RESP3 `#t` / `#f`. */
  boolean: (value: boolean): Buffer => Buffer.from(`#${value ? 't' : 'f'}${crlf}`),
  /** RESP3 `,` double. */
  double: (value: number): Buffer => Buffer.from(`,${Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan'}${crlf}`),
} as const;

// ---------------------------------------------------------------------------
// Per-command scripting
// ---------------------------------------------------------------------------

/**
 * What a command replier returns:
 * - `Buffer`/`string`: raw bytes to write (use {@link resp} to build them; `''` writes nothing and carries on);
 * - `null`: no reply, and the connection stalls: later commands are read but never answered, as
 *   with a hung server (answering them would pair replies with the wrong commands);
 * - `undefined`: not handled here; the default handshake replies apply, else `-ERR unknown command`.
 */
export type ReplyValue = Buffer | string | null | undefined;

/** What a command replier learns about its command. */
export interface CommandContext extends FakeConnectionContext {
  /** The connection, e.g. for {@link destroyMidReply} or {@link halfClose}. */
  readonly socket: net.Socket;
  /** 0-based position of this command on its connection. */
  readonly commandIndex: number;
  /** Protocol negotiated on this connection so far (2 until a `HELLO 3`). */
  readonly protocol: 2 | 3;
}

/** Replies to one command; may be async to answer late (replies still go out in command order). */
export type CommandReplier = (argv: string[], ctx: CommandContext) => ReplyValue | Promise<ReplyValue>;

/**
 * The `HELLO` reply of a 7.0 standalone master, in RESP3 (map) or RESP2 (flat array).
 *
 * @param id - the client id to report.
 */
export function helloReply(protocol: 2 | 3, id: number): Buffer {
  const fields: [string, Buffer][] = [
    ['server', resp.bulk('redis')],
    ['version', resp.bulk('7.0.0')],
    ['proto', resp.integer(protocol)],
    ['id', resp.integer(id)],
    ['mode', resp.bulk('standalone')],
    ['role', resp.bulk('master')],
    ['modules', resp.array([])],
  ];
  return protocol === 3
    ? resp.map(fields.map(([key, value]) => [resp.bulk(key), value] as const))
    : resp.array(fields.flatMap(([key, value]) => [resp.bulk(key), value]));
}

/**
 * The replies used when the user's replier returns `undefined`: a healthy
 * handshake, PING, and `-ERR unknown command` for the rest.
 */
function defaultReply(argv: readonly string[], ctx: CommandContext, setProtocol: (protocol: 2 | 3) => void): Buffer {
  const name = (argv[0] ?? '').toUpperCase();
  const sub = (argv[1] ?? '').toUpperCase();
  switch (name) {
    case 'HELLO': {
      // HELLO without a version keeps the current protocol, as the server does.
      const requested = argv[1] === undefined ? ctx.protocol : Number(argv[1]);
      if (requested !== 2 && requested !== 3) return resp.error('NOPROTO unsupported protocol version');
      setProtocol(requested);
      return helloReply(requested, ctx.index + 1);
    }
    case 'CLIENT':
      if (sub === 'SETINFO' || sub === 'SETNAME') return resp.simple('OK');
      if (sub === 'ID') return resp.integer(ctx.index + 1);
      return resp.error(`ERR unknown subcommand '${argv[1] ?? ''}'. Try CLIENT HELP.`);
    case 'SELECT':
    case 'AUTH':
      return resp.simple('OK');
    case 'PING':
      return argv[1] === undefined ? resp.simple('PONG') : resp.bulk(argv[1]);
    default:
      return resp.error(`ERR unknown command '${argv[0] ?? ''}', with args beginning with: `);
  }
}

/**
 * Builds a handler that parses each command (split or coalesced) and answers
 * it with `replier`, in order, falling back to the default handshake replies
 * when `replier` returns `undefined`. Every command is also appended to
 * `server.commands`. Malformed input gets `-ERR Protocol error` and a closed
 * socket, as from redis-server.
 */
export function replyToCommands(replier: CommandReplier): FakeHandler {
  return (socket, connection) => {
    const parser = new CommandParser();
    let protocol: 2 | 3 = 2;
    let stalled = false;
    let commandIndex = 0;
    // Replies are chained so an async replier cannot reorder them.
    let queue: Promise<void> = Promise.resolve();

    const answer = async (argv: string[]): Promise<void> => {
      if (stalled || socket.destroyed) return;
      const ctx: CommandContext = { ...connection, socket, commandIndex: commandIndex++, protocol };
      let reply = await replier(argv, ctx);
      if (reply === undefined) reply = defaultReply(argv, ctx, (negotiated) => (protocol = negotiated));
      if (reply === null) {
        stalled = true;
        return;
      }
      if (reply.length > 0 && socket.writable) socket.write(reply);
    };

    socket.on('data', (chunk: Buffer) => {
      let commands: string[][];
      try {
        commands = parser.push(chunk);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        socket.end(resp.error(`ERR Protocol error: ${message}`));
        return;
      }
      for (const argv of commands) {
        connection.server.commands.push(argv);
        queue = queue.then(() => answer(argv)).catch((error: unknown) => {
          connection.server.errors.push(error);
          socket.destroy();
        });
      }
    });
  };
}

/**
 * Writes the first `bytes` of `reply` (default: half, at least one byte) and
 * destroys the socket once they are flushed — a server dying mid-reply.
 * Return `null` from the replier after calling it.
 */
export function destroyMidReply(socket: net.Socket, reply: Encodable, bytes?: number): void {
  const data = typeof reply === 'string' ? Buffer.from(reply) : reply;
  const cut = Math.min(data.length, Math.max(1, bytes ?? Math.floor(data.length / 2)));
  // Destroying only after the write callback makes sure the partial bytes actually reach the client.
  socket.write(data.subarray(0, cut), () => socket.destroy());
}

/**
 * Sends `data` (if any) and then FIN: the server's write side closes while
 * the client may still write — a half-closed connection.
 */
export function halfClose(socket: net.Socket, data?: Encodable): void {
  if (data === undefined) socket.end();
  else socket.end(data);
}
