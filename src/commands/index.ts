/**
 * The commands layer's public face: the command table and lookups, the typed command classes
 * with their option types, the reply types of the transforms, and the exclusion list.
 *
 * @module
 */
export { CommandFlag } from "./command-spec.js";
export type { CommandSpec, KeySpec, RequestPolicy, ResponsePolicy } from "./command-spec.js";
export type { Apply, PromiseKind, ReplyContext, ReplyTransform, ReturnKind, StringType } from "./executor.js";
export { CONTAINER_REASON, EXCLUDED_COMMANDS, EXCLUDED_GROUPS, exclusionReason } from "./excluded.js";
export * from "./generated/index.js";
export type { NonEmptyArray, RedisFieldValues, RedisInteger, RedisRecord, ScoredMember } from "./types.js";
export type { ClientKillFilters } from "./args/connection.js";
export type { StreamsToRead } from "./args/stream.js";
export type { ClientTrackingInfo } from "./replies/connection.js";
export type { ClusterLink, ClusterShard, ClusterShardNode, ClusterSlotNode, ClusterSlotRange } from "./replies/cluster.js";
export type { GeoCoordinates, GeoSearchItem } from "./replies/geo.js";
export type { FunctionLibrary, FunctionStats, LibraryFunction } from "./replies/scripting.js";
export type {
  AclLogEntry,
  AclSelector,
  AclUser,
  CommandDoc,
  CommandDocArgument,
  CommandInfo,
  CommandKeySpec,
  InfoSections,
  LatencyHistogram,
  ModuleInfo,
} from "./replies/server.js";
export type {
  PendingStreamEntry,
  StreamEntry,
  XInfoConsumer,
  XInfoGroup,
  XInfoStream,
  XInfoStreamFull,
  XInfoStreamFullConsumer,
  XInfoStreamFullGroup,
} from "./replies/stream.js";
export type { LcsIdx, LcsMatch } from "./replies/string.js";
