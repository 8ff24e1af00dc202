/**
 * Argument builders of the `server` group.
 *
 * @module
 */
export { pushPairs } from "./common.js";
