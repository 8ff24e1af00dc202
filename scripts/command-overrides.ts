import type { CommandOverride } from "./codegen/override-types.js";
export const COMMAND_OVERRIDES: Readonly<Record<string, CommandOverride>> = {};
