// An HTTP server of a test's own on 127.0.0.1 (the model downloads' stand-in for the internet).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on a free loopback port; resolves with the server's base URL (no trailing slash). */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes it at once, kept-alive and half-sent responses included. */
export async function closeLoopback(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
}
