/**
 * `PubSub`: a pubsub instance on a leased connection. (Stub: being written.)
 *
 * @module
 */
import type { StringType } from "../commands/executor.js";
import type { LeaseSource } from "../pool/target.js";

/** What `client.pubsub()` subscribes to at once. */
export interface PubSubOptions {
  /** Channels to subscribe to (SUBSCRIBE). */
  channels?: readonly string[];
  /** Patterns to subscribe to (PSUBSCRIBE). */
  patterns?: readonly string[];
}

/** A pubsub instance; see the module's description. */
export class PubSub<S extends StringType = string> {
  constructor(
    readonly source: LeaseSource,
    readonly decodeStrings: boolean,
    readonly options: PubSubOptions = {},
  ) {}

  /** @internal */
  declare readonly stringType: S;
}
