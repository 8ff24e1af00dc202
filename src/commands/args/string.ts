/**
 * Argument builders of the `string` group.
 *
 * @module
 */
export { pushPairs } from "./common.js";
