/**
 * Argument builders of the `connection` group.
 *
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import type { RedisArgument } from "../../protocol/values.js";
import type { RedisInteger } from "../types.js";

/**
 * The filters of `CLIENT KILL`, keyed by their tokens lower-cased; every filter given must match.
 * Since Redis 2.8.12 (`maxage` since 7.4).
 */
export interface ClientKillFilters {
  readonly id?: RedisInteger | undefined;
  readonly type?: "normal" | "master" | "primary" | "slave" | "replica" | "pubsub" | undefined;
  readonly user?: RedisArgument | undefined;
  /** `ip:port` of the client. */
  readonly addr?: RedisArgument | undefined;
  /** `ip:port` of the local (server) side. */
  readonly laddr?: RedisArgument | undefined;
  readonly skipme?: "YES" | "NO" | undefined;
  readonly maxage?: RedisInteger | undefined;
}

/**
 * Pushes `CLIENT KILL`'s arguments: the old form (`ip:port`) when given a string or Buffer, else
 * one `TOKEN value` pair per filter, in the specification's order.
 *
 * @throws {InvalidArgumentError} for an object with no filter.
 */
export function pushClientKillFilters(argv: RedisArgument[], filters: RedisArgument | ClientKillFilters): void {
  if (typeof filters !== "object" || Buffer.isBuffer(filters)) {
    argv.push(filters);
    return;
  }
  const before = argv.length;
  if (filters.id !== undefined) argv.push("ID", filters.id);
  if (filters.type !== undefined) argv.push("TYPE", filters.type);
  if (filters.user !== undefined) argv.push("USER", filters.user);
  if (filters.addr !== undefined) argv.push("ADDR", filters.addr);
  if (filters.laddr !== undefined) argv.push("LADDR", filters.laddr);
  if (filters.skipme !== undefined) argv.push("SKIPME", filters.skipme);
  if (filters.maxage !== undefined) argv.push("MAXAGE", filters.maxage);
  if (argv.length === before) throw new InvalidArgumentError("CLIENT KILL needs at least one filter");
}
