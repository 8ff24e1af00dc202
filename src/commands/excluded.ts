/**
 * The commands of the specification that are not methods of the command surface, each with the
 * reason. They stay in the command table, so `sendCommand` and the features that own them
 * (pipelines, transactions, pubsub, monitor, the connection handshake) can route them.
 *
 * The generator reads this module; the guard test checks that every command of the table is
 * either a method or excluded here.
 *
 * @module
 */

const CONNECTION_STATE = "changes the state of the connection, which a multiplexed client shares";

/** Excluded commands by full name, with the reason. */
export const EXCLUDED_COMMANDS: Readonly<Record<string, string>> = Object.freeze({
  ASKING: `${CONNECTION_STATE}; the cluster client sends it before a command redirected by ASK`,
  AUTH: `${CONNECTION_STATE}; the connection handshake sends it (options username, password, credentialProvider)`,
  "CLIENT CACHING": `${CONNECTION_STATE}; client-side caching (option cache) owns it`,
  "CLIENT REPLY": `${CONNECTION_STATE}: replies would no longer match requests`,
  "CLIENT TRACKING": `${CONNECTION_STATE}; client-side caching (option cache) owns it`,
  DEBUG: "its arguments are not described by the specification; use sendCommand",
  DISCARD: `${CONNECTION_STATE}; pipeline({ transaction: true }) and transaction() own it`,
  EXEC: `${CONNECTION_STATE}; pipeline({ transaction: true }) and transaction() own it`,
  HELLO: `${CONNECTION_STATE}; the connection handshake sends it (option protocolVersion)`,
  MONITOR: `${CONNECTION_STATE}: it turns the connection into a stream of monitor lines`,
  MULTI: `${CONNECTION_STATE}; pipeline({ transaction: true }) and transaction() own it`,
  PSUBSCRIBE: `${CONNECTION_STATE}; pubsub() owns it`,
  PSYNC: "replication protocol, not a client command",
  PUNSUBSCRIBE: `${CONNECTION_STATE}; pubsub() owns it`,
  QUIT: `${CONNECTION_STATE}; close() ends connections`,
  READONLY: `${CONNECTION_STATE}; the cluster client sends it on replica connections (option readFromReplicas)`,
  READWRITE: `${CONNECTION_STATE}; the cluster client owns it`,
  REPLCONF: "replication protocol, not a client command",
  RESET: CONNECTION_STATE,
  SELECT: `${CONNECTION_STATE}; the connection handshake sends it (option db)`,
  SSUBSCRIBE: `${CONNECTION_STATE}; shardedPubsub() owns it`,
  SUBSCRIBE: `${CONNECTION_STATE}; pubsub() owns it`,
  SUNSUBSCRIBE: `${CONNECTION_STATE}; shardedPubsub() owns it`,
  SYNC: "replication protocol, not a client command",
  UNSUBSCRIBE: `${CONNECTION_STATE}; pubsub() owns it`,
  UNWATCH: `${CONNECTION_STATE}; transaction() owns it`,
  WATCH: `${CONNECTION_STATE}; transaction() owns it`,
});

/** Excluded groups, with the reason. */
export const EXCLUDED_GROUPS: Readonly<Record<string, string>> = Object.freeze({
  sentinel: "Sentinel commands belong to the Sentinel client",
});

/** Why a container command (`CLIENT`, `CONFIG` …) is not a method. */
export const CONTAINER_REASON = "a container: only its subcommands are commands";

/**
 * Why a command is not a method, or `undefined` when it is one.
 *
 * @param name - full upper-case name (`CLIENT REPLY`)
 * @param group - the specification's group
 * @param isContainer - whether the command only groups subcommands
 */
export function exclusionReason(name: string, group: string, isContainer: boolean): string | undefined {
  return EXCLUDED_COMMANDS[name] ?? EXCLUDED_GROUPS[group] ?? (isContainer ? CONTAINER_REASON : undefined);
}
