/**
 * Free loopback ports for the servers the harness starts.
 *
 * A port is "free" when we can bind it on 127.0.0.1 right now. There is an
 * unavoidable window between our probe closing and redis-server binding, so
 * callers that spawn servers retry with new ports when the server reports
 * "Address already in use" (see `servers.ts`). To keep two servers of the same
 * test process from ever being handed the same port, every port returned here
 * is remembered and never returned again by this process.
 *
 * @module
 */
import net from 'node:net';

/** Loopback only: the servers bind 127.0.0.1 and nothing else. */
const HOST = '127.0.0.1';

/** Redis cluster's bus listens on the client port plus this offset. */
export const CLUSTER_BUS_OFFSET = 10000;

/** Highest TCP port number. */
const MAX_PORT = 65535;

/** How many probes we make before giving up, so a saturated host fails loudly. */
const MAX_ATTEMPTS = 200;

/** Ports already handed out in this process (and their bus ports, for cluster). */
const handedOut = new Set<number>();

/**
 * Binds `port` on 127.0.0.1 (0 = let the kernel choose) and closes it again.
 *
 * @returns the bound port, or `undefined` when it could not be bound.
 */
function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host: HOST, port }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * Returns a loopback TCP port that is free now and was not returned before by
 * this process.
 *
 * @throws Error when no such port is found after many attempts.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const port = await probe(0);
    if (port === undefined || handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`freePort: no free loopback port after ${MAX_ATTEMPTS} attempts`);
}

/**
 * Returns `n` distinct loopback ports such that every port `p` and its cluster
 * bus port `p + 10000` are both free now and neither was handed out before.
 *
 * @param n - how many ports (one per cluster node).
 * @throws Error when not enough such ports are found after many attempts.
 */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < n && attempt < MAX_ATTEMPTS * n; attempt++) {
    const port = await probe(0);
    if (port === undefined) continue;
    const bus = port + CLUSTER_BUS_OFFSET;
    // The kernel's ephemeral range reaches 60999, so the bus port may not exist.
    if (bus > MAX_PORT) continue;
    if (handedOut.has(port) || handedOut.has(bus)) continue;
    if ((await probe(bus)) !== bus) continue;
    handedOut.add(port);
    handedOut.add(bus);
    ports.push(port);
  }
  if (ports.length < n) {
    throw new Error(`freePorts: found only ${ports.length} of ${n} port pairs (p, p+${CLUSTER_BUS_OFFSET})`);
  }
  return ports;
}
