/**
 * What a new connection says before it carries any user command, as argv lists. Pure: the
 * connection sends them and reads the replies.
 *
 * RESP3 (the default): `HELLO 3 [AUTH user pass] [SETNAME name]`, then SELECT, CLIENT SETINFO,
 * CLIENT NO-EVICT / NO-TOUCH. RESP2, or a server that refuses HELLO: `AUTH`, `CLIENT SETNAME`,
 * then the same tail.
 *
 * @module
 */
import type { RedisArgument, RESPVersion } from "../protocol/values.js";

/** A username (optional: Redis's `default` user) and a password. */
export interface Credentials {
  username?: string;
  password: string;
}

/**
 * Supplies credentials for each new connection, so that rotating secrets (IAM tokens, vault
 * leases) are read when they are needed rather than fixed in the options.
 */
export type CredentialProvider = () => Credentials | Promise<Credentials>;

/** Where a connection's credentials can come from: its options, of which these three matter. */
export interface CredentialSources {
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly credentialProvider?: CredentialProvider | undefined;
}

/**
 * The credentials a new connection authenticates with, or `undefined` to send no AUTH at all.
 *
 * - `credentialProvider` wins over `username`/`password`: it is called (once per connection)
 *   and its answer used as is.
 * - A username is never dropped: without a password it is sent with an empty one, so an ACL
 *   user created with `nopass` (which accepts any password) is who the connection runs as,
 *   rather than silently `default`. An empty username counts as none, as in ioredis: it is
 *   what `process.env.REDIS_USER ?? ""` gives, and no ACL user can be named "".
 * - A password alone authenticates Redis's `default` user (`requirepass`).
 *
 * Pure apart from calling the provider: it reads nothing but its argument.
 */
export function credentialsFrom(options: CredentialSources): Credentials | Promise<Credentials> | undefined {
  if (options.credentialProvider !== undefined) return options.credentialProvider();
  const { username, password } = options;
  if (username !== undefined && username !== "") return { username, password: password ?? "" };
  if (password !== undefined) return { password };
  return undefined;
}

/** The settings a handshake applies. */
export interface HandshakeSettings {
  readonly protocolVersion: RESPVersion;
  readonly credentials: Credentials | undefined;
  readonly clientName: string | undefined;
  readonly db: number;
  readonly noevict: boolean;
  readonly notouch: boolean;
  readonly libName: string;
  readonly libVersion: string;
}

/** `HELLO 3 [AUTH user pass] [SETNAME name]`. */
export function helloCommand(settings: HandshakeSettings): RedisArgument[] {
  const argv: RedisArgument[] = ["HELLO", settings.protocolVersion];
  if (settings.credentials !== undefined) {
    argv.push("AUTH", settings.credentials.username ?? "default", settings.credentials.password);
  }
  if (settings.clientName !== undefined) argv.push("SETNAME", settings.clientName);
  return argv;
}

/** The RESP2 equivalent of HELLO's options: AUTH and CLIENT SETNAME. */
export function resp2Commands(settings: HandshakeSettings): RedisArgument[][] {
  const commands: RedisArgument[][] = [];
  const credentials = settings.credentials;
  if (credentials !== undefined) {
    commands.push(
      credentials.username === undefined
        ? ["AUTH", credentials.password]
        : ["AUTH", credentials.username, credentials.password],
    );
  }
  if (settings.clientName !== undefined) commands.push(["CLIENT", "SETNAME", settings.clientName]);
  return commands;
}

/** Commands whose failure must fail the connection: SELECT, NO-EVICT, NO-TOUCH. */
export function requiredTailCommands(settings: HandshakeSettings): RedisArgument[][] {
  const commands: RedisArgument[][] = [];
  if (settings.db !== 0) commands.push(["SELECT", settings.db]);
  if (settings.noevict) commands.push(["CLIENT", "NO-EVICT", "ON"]);
  if (settings.notouch) commands.push(["CLIENT", "NO-TOUCH", "ON"]);
  return commands;
}

/**
 * `CLIENT SETINFO` for the library's name and version. Servers before 7.2 answer with an error,
 * which the connection ignores: the information is a courtesy to operators, not a requirement.
 */
export function courtesyCommands(settings: HandshakeSettings): RedisArgument[][] {
  return [
    ["CLIENT", "SETINFO", "LIB-NAME", settings.libName],
    ["CLIENT", "SETINFO", "LIB-VER", settings.libVersion],
  ];
}

/** Whether an error reply to HELLO means "this server does not speak RESP3": fall back to RESP2. */
export function isHelloRefusal(message: string): boolean {
  return message.startsWith("NOPROTO") || message.startsWith("ERR unknown command");
}
