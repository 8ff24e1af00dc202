/**
 * Argument builders of the `hash` group.
 *
 * @module
 */
export { pushPairs } from "./common.js";
