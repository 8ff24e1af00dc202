/**
 * Where the examples connect: REDIS_HOST / REDIS_PORT, or localhost:6379.
 * `npm run examples` sets them to a throwaway server when nothing answers there.
 */
export interface ExampleLocation {
  host: string;
  port: number;
}

export function exampleLocation(): ExampleLocation {
  return { host: process.env["REDIS_HOST"] ?? "127.0.0.1", port: Number(process.env["REDIS_PORT"] ?? 6379) };
}

/** Whether this module is the entry point (`node --import tsx examples/x.ts`). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === new URL(`file://${process.argv[1]}`).href;
}
