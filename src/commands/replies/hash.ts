/**
 * Reply transforms of the `hash` group.
 *
 * @module
 */
export { toStringRecord as hgetall, toPairs as hrandfieldWithValues } from "./common.js";
