// Browser mode: the contract over HTTP (POST /api/<channel>) and a WebSocket of events
// (/api/events), the built renderer at /, and result files at /files/. Loopback only, token-gated.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { isInvokeChannel } from '../contract/channels.ts';
import type { Envelope } from '../contract/api.ts';
import { fromWire, toWire } from '../contract/wire.ts';
import type { Service } from '../host/service.ts';
import { MAX_UPLOAD_BYTES, NotFoundError } from '../host/validate.ts';
import { errorInfo, isExpectedFailure } from '../host/protocol.ts';
import { SERVED_DATA_FOLDERS, safeFileName } from '../host/files.ts';
import { cookieName, isAllowedHost, isAllowedOrigin, securityHeaders, tokenFrom, tokenMatches } from './guard.ts';
import { serveFile } from '../host/staticFiles.ts';

export interface AppServerOptions {
  service: Service;
  token: string;
  rendererDir: string;
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
}

export interface AppServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** By class: what the user can fix is a 4xx, anything else a bug (500). */
function statusFor(err: unknown): number {
  if (err instanceof NotFoundError) return 404;
  if (err instanceof HttpError) return err.status;
  return isExpectedFailure(err) ? 400 : 500;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Base64 grows uploads by a third; allow for it.
    if (size > MAX_UPLOAD_BYTES * 1.4) throw new HttpError(413, 'The request is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const { service, token } = options;
  let port = options.port;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });

  /** Host, Origin and token, in that order; returns the refusal, or null when the request may pass. */
  const refusal = (req: IncomingMessage, url: URL): [number, string] | null => {
    if (!isAllowedHost(req.headers.host, port)) return [421, 'This server only answers to 127.0.0.1 or localhost.'];
    if (!isAllowedOrigin(req.headers.origin, port)) return [403, 'Requests from other sites are refused.'];
    if (!tokenMatches(token, tokenFrom(url, req.headers, port))) return [401, 'Open the address printed in the terminal: it carries this launch\'s token (…/?token=…).'];
    return null;
  };

  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> => {
    let result: Envelope<unknown>;
    let status = 200;
    try {
      if (req.method !== 'POST') throw new HttpError(405, 'API calls are POST requests.');
      if (!isInvokeChannel(channel)) throw new HttpError(404, `There is no channel "${channel}".`);
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'API calls send application/json.');
      const request = fromWire((await readBody(req)) || '{}');
      const handler = service.handlers[channel] as (r: unknown) => Promise<unknown>;
      result = { ok: true, value: await handler(request) };
    } catch (err) {
      status = statusFor(err);
      const e = err instanceof Error ? err : new Error(String(err));
      result = { ok: false, error: err instanceof HttpError ? { name: 'RequestError', message: e.message } : errorInfo(e) };
    }
    send(res, status, toWire(result), 'application/json');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(securityHeaders(port))) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refused = refusal(req, url);
    if (refused) return send(res, ...refused);
    const path = url.pathname;
    if (path.startsWith('/api/')) return handleApi(req, res, path.slice('/api/'.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.');
    if (path === '/' || path === '/index.html') {
      // The printed URL carries the token once; a cookie carries it for images, files and reloads.
      res.setHeader('set-cookie', `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      if (await serveFile(res, options.rendererDir, '/index.html', { cache: 'no-store' })) return;
      return send(res, 500, 'The interface is not built (dist/renderer/index.html is missing).');
    }
    if (path.startsWith('/files/')) {
      const rest = path.slice('/files/'.length);
      const download = url.searchParams.get('download');
      if (SERVED_DATA_FOLDERS.has(rest.split('/')[0] ?? '') && (await serveFile(res, options.dataDir, rest, { cache: 'private', ...(download ? { download: safeFileName(download) } : {}) }))) return;
      return send(res, 404, 'Not found.');
    }
    if (await serveFile(res, options.rendererDir, path, { cache: path.startsWith('/assets/') ? 'immutable' : 'no-store' })) return;
    return send(res, 404, 'Not found.');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, `Internal error: ${(err as Error).message}`);
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refused = url.pathname === '/api/events' ? refusal(req, url) : ([404, 'Not found.'] as [number, string]);
    if (refused) {
      socket.end(`HTTP/1.1 ${refused[0]} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refused[1]}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const unsubscribe = service.subscribe((event) => ws.send(toWire(event)));
      ws.on('close', unsubscribe);
      ws.on('error', unsubscribe);
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolvePromise());
  });
  port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
