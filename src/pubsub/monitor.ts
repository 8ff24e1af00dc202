/**
 * `Monitor`: MONITOR on a leased connection, as an async iterable. (Stub: being written.)
 *
 * @module
 */
import type { LeaseSource } from "../pool/target.js";

/** MONITOR's stream of commands; see the module's description. */
export class Monitor {
  constructor(readonly source: LeaseSource) {}
}
