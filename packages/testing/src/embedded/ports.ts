import { createServer } from 'node:net';

/** Resolves true when nothing listens on host:port (probed by binding it for a moment). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port the OS considers free right now. PostgreSQL and Meilisearch cannot be told to pick one themselves
 * (port 0), so we ask the kernel and hand the answer over; the caller retries if someone races us to it.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not obtain a free port'))));
    });
  });
}

/** The preferred port when it is free, otherwise any free one; `moved` tells the caller to say so. */
export async function preferredOrFreePort(preferred: number | undefined): Promise<{ port: number; moved: boolean }> {
  if (preferred !== undefined && preferred > 0 && (await isPortFree(preferred)))
    return { port: preferred, moved: false };
  return { port: await findFreePort(), moved: preferred !== undefined && preferred > 0 };
}
