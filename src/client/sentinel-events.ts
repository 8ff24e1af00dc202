/**
 * What Redis Sentinel's announcements (its pubsub channels) and replies mean for a service.
 * Pure: text in, values out.
 *
 * Payloads, as Sentinel formats them (`sentinelEvent` with `%@`):
 * - an instance that is a master: `master <name> <ip> <port>`;
 * - any other: `<type> <name> <ip> <port> @ <master-name> <master-ip> <master-port>`;
 * - `+switch-master`: `<master-name> <old-ip> <old-port> <new-ip> <new-port>`.
 *
 * @module
 */
import { TCPLocation } from "../connection/location.js";
import type { RESPValue } from "../protocol/values.js";
import type { SentinelEvent } from "../pool/sentinel-pool.js";

/** The channels a watch subscribes to on each sentinel. */
export const WATCHED_CHANNELS: readonly string[] = [
  "+switch-master",
  "+selected-slave",
  "-failover-abort-not-elected",
  "-failover-abort-no-good-slave",
  "-failover-abort-slave-timeout",
  "+sdown",
];

/** The service an announcement is about and what it means for its pools; `undefined` when it means nothing to them. */
export function parseAnnouncement(channel: string, payload: string): { service: string; event: SentinelEvent } | undefined {
  const words = payload.split(" ");
  if (channel === "+switch-master") {
    const [service, , , host, port] = words;
    if (service === undefined || host === undefined || port === undefined) return undefined;
    return { service, event: { kind: "switch", to: new TCPLocation(host, Number(port)) } };
  }
  const at = words.indexOf("@");
  // About a master itself: `master <name> <ip> <port>`; about another instance: its master follows `@`.
  const service = at === -1 ? (words[0] === "master" ? words[1] : undefined) : words[at + 1];
  if (service === undefined) return undefined;
  if (channel === "+selected-slave") return { service, event: { kind: "promoting" } };
  if (channel.startsWith("-failover-abort-")) return { service, event: { kind: "aborted" } };
  if (channel === "+sdown" && words[0] === "slave" && at !== -1) {
    const [, , host, port] = words;
    if (host === undefined || port === undefined) return undefined;
    return { service, event: { kind: "replica-down", replica: new TCPLocation(host, Number(port)) } };
  }
  return undefined;
}

/** The address in a `SENTINEL GET-MASTER-ADDR-BY-NAME` reply; `undefined` for a null (an unknown service). */
export function parseAddress(reply: RESPValue): TCPLocation | undefined {
  if (!Array.isArray(reply) || reply.length !== 2) return undefined;
  const [host, port] = reply.map(text);
  return new TCPLocation(host as string, Number(port));
}

/** The replicas in a `SENTINEL REPLICAS` reply that can serve: not down, disconnected or cut off from their primary. */
export function healthyReplicas(reply: RESPValue): TCPLocation[] {
  if (!Array.isArray(reply)) return [];
  const replicas: TCPLocation[] = [];
  for (const entry of reply) {
    const fields = fieldsOf(entry);
    const host = fields.get("ip");
    const port = Number(fields.get("port"));
    const flags = (fields.get("flags") ?? "").split(",");
    if (host === undefined || !Number.isInteger(port)) continue;
    if (flags.some((flag) => flag === "s_down" || flag === "o_down" || flag === "disconnected")) continue;
    if (fields.get("master-link-status") !== undefined && fields.get("master-link-status") !== "ok") continue;
    replicas.push(new TCPLocation(host, port));
  }
  return replicas;
}

/** A reply's string or number as text (a RESP2 number may come as either). */
function text(value: RESPValue | undefined): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString();
  return typeof value === "string" || typeof value === "number" || typeof value === "bigint" ? String(value) : "";
}

/** One instance's fields: a RESP3 map, or RESP2's flat list of names and values. */
function fieldsOf(entry: RESPValue): Map<string, string> {
  const fields = new Map<string, string>();
  if (entry instanceof Map) {
    for (const [name, value] of entry) fields.set(text(name), text(value));
  } else if (Array.isArray(entry)) {
    for (let i = 0; i + 1 < entry.length; i += 2) fields.set(text(entry[i]), text(entry[i + 1]));
  }
  return fields;
}
