import type { SpecCommand } from "./spec.js";
export function emitCommandFiles(commands: readonly SpecCommand[]): Map<string, string> {
  void commands;
  return new Map();
}
