// Browser mode: the contract over HTTP (POST /api/<channel>) and a WebSocket of events
// (/api/events), the built renderer at /, and result files at /files/. Loopback only, token-gated.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { isInvokeChannel, type InvokeChannel } from '../contract/channels.ts';
import type { Envelope } from '../contract/api.ts';
import { fromWire, toWire } from '../contract/wire.ts';
import type { Service } from '../host/service.ts';
import { fileLimit, Gate, MAX_CONCURRENT_UPLOADS, requestLimit } from '../host/limits.ts';
import { SERVED_DATA_FOLDERS, redactPaths, safeFileName } from '../host/files.ts';
import { errorInfo } from '../host/protocol.ts';
import { isBug, statusFor } from './status.ts';
import { isAllowedHost, isAllowedOrigin, securityHeaders } from './guard.ts';
import { Credentials, EVENTS_PROTOCOL, parseCookies, SESSION_HEADER, SESSION_META, sessionFromProtocols, viewCookieName } from './credentials.ts';
import { drain, HttpError, readBody } from './body.ts';
import { serveFile } from '../host/staticFiles.ts';
import { ATLAS_FOLDERS_URL, atlasFileRequest } from '../host/atlasFolders.ts';
import { answerWhere, whereMeta } from './where.ts';
import { serveWindowModel, WINDOW_MODEL_PREFIX } from './windowModelRoute.ts';
import { attachWindowSocket, WINDOW_SOCKET_PATH, windowSocketServer } from './windowSocket.ts';

export interface AppServerOptions {
  service: Service;
  /** The launch token: printed in the URL, good for one page load. */
  token: string;
  rendererDir: string;
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Signs tab sessions (the data folder's, so a restart knows them); absent: this launch's own. */
  secret?: string;
  /** Ports a tab asks where Reverie went if it loses this one (server/where.ts). */
  probePorts?: readonly number[];
}

export interface AppServer {
  server: Server;
  port: number;
  url: string;
  /** File-carrying calls being read or handled, and those waiting unread for a slot. */
  readonly uploads: { readonly inFlight: number; readonly queued: number };
  close(): Promise<void>;
}

const TOKEN_ADVICE = 'Open the address printed in the terminal (…/?token=…).';

/** index.html carrying `extra` meta tags and this page's session credential, which the page moves to its own storage. */
async function indexWithSession(rendererDir: string, session: string | null, extra: string): Promise<string | null> {
  const html = await readFile(join(rendererDir, 'index.html'), 'utf8').catch(() => null);
  if (html === null) return html;
  const meta = `${extra}${session === null ? '' : `<meta name="${SESSION_META}" content="${session}">`}`;
  const head = /<head[^>]*>/i.exec(html);
  return head ? html.replace(head[0], `${head[0]}${meta}`) : `${meta}${html}`;
}

export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const { service } = options;
  let port = options.port;
  const credentials = new Credentials(options.token, options.secret);
  const probe = options.probePorts ?? [];
  const uploads = new Gate(MAX_CONCURRENT_UPLOADS);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024, handleProtocols: (offered) => (offered.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false) });
  const windowSockets = windowSocketServer();
  const privateRoots: Array<[string, string]> = [[options.dataDir, '<data folder>'], [homedir(), '~']];

  /** Host, then Origin: the refusal, or null when the request may go on to its credential check. */
  const refusal = (req: IncomingMessage): [number, string] | null => {
    if (!isAllowedHost(req.headers.host, port)) return [421, 'This server only answers to the address it printed (127.0.0.1).'];
    if (!isAllowedOrigin(req.headers.origin, port)) return [403, 'Requests from other sites are refused.'];
    return null;
  };
  const header = (req: IncomingMessage, name: string): string | undefined => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const hasSession = (req: IncomingMessage): boolean => credentials.isSession(header(req, SESSION_HEADER));
  const hasView = (req: IncomingMessage): boolean => credentials.isView(parseCookies(header(req, 'cookie')).get(viewCookieName(port))) || hasSession(req);

  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...(status === 413 ? { connection: 'close' } : {}) });
    res.end(body);
  };

  const call = async (req: IncomingMessage, channel: InvokeChannel): Promise<unknown> => {
    const request = fromWire((await readBody(req, requestLimit(channel))) || '{}');
    const handler = service.handlers[channel] as (r: unknown) => Promise<unknown>;
    return handler(request);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> => {
    let result: Envelope<unknown>;
    let status = 200;
    try {
      if (req.method !== 'POST') throw new HttpError(405, 'API calls are POST requests.');
      if (!isInvokeChannel(channel)) throw new HttpError(404, `There is no channel "${channel}".`);
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'API calls send application/json.');
      // Calls that carry a file wait here, unread, while others are uploading.
      const value = fileLimit(channel) > 0 ? await uploads.run(() => call(req, channel)) : await call(req, channel);
      result = { ok: true, value };
    } catch (err) {
      drain(req);
      status = statusFor(err);
      const e = err instanceof Error ? err : new Error(String(err));
      if (isBug(status)) process.stderr.write(`reverie: ${channel}: ${e.stack ?? e.message}\n`);
      const message = isBug(status) ? 'Internal error (the terminal running Reverie has the details).' : redactPaths(e.message, privateRoots);
      result = { ok: false, error: err instanceof HttpError ? { name: 'RequestError', message } : { ...errorInfo(e), message } };
    }
    send(res, status, toWire(result), 'application/json');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(securityHeaders(port, probe))) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Asked from a tab of another port: it lost its server and looks for it.
    if (isAllowedHost(req.headers.host, port) && answerWhere(req, res, credentials.instance)) return;
    const refused = refusal(req);
    if (refused) return send(res, ...refused);
    const path = url.pathname;
    if (path.startsWith('/api/')) {
      if (!hasSession(req)) return send(res, 401, `API calls need this page's session credential. ${TOKEN_ADVICE}`);
      return handleApi(req, res, path.slice('/api/'.length));
    }
    if (path.startsWith(WINDOW_MODEL_PREFIX)) {
      if (!hasSession(req)) return send(res, 401, `The model's files need this page's session credential. ${TOKEN_ADVICE}`);
      return serveWindowModel(req, res, service, path.slice(WINDOW_MODEL_PREFIX.length));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.');
    if (path === '/' || path === '/index.html') {
      const token = url.searchParams.get('token');
      let session: string | null = null;
      if (token !== null) {
        const opened = credentials.open(token);
        if (opened.use === 'wrong') return send(res, 401, `This is not this launch's token. ${TOKEN_ADVICE}`);
        if (opened.use === 'used') return send(res, 401, 'This token was already used: it opens Reverie once. Go back to the tab it opened, or restart Reverie for a new address.');
        session = opened.session!;
        res.setHeader('set-cookie', `${viewCookieName(port)}=${opened.view!}; HttpOnly; SameSite=Strict; Path=/`);
      } else if (!hasView(req)) {
        return send(res, 401, `Open Reverie with its token first. ${TOKEN_ADVICE}`);
      }
      const html = await indexWithSession(options.rendererDir, session, whereMeta(credentials.instance, probe));
      if (html === null) return send(res, 500, 'The interface is not built (dist/renderer/index.html is missing).');
      return send(res, 200, html, 'text/html; charset=utf-8');
    }
    if (!hasView(req)) return send(res, 401, `Open Reverie with its token first. ${TOKEN_ADVICE}`);
    if (path.startsWith('/files/')) {
      const rest = path.slice('/files/'.length);
      const folder = rest.split('/')[0] ?? '';
      const download = url.searchParams.get('download');
      // An atlas folder the user opened: its pictures, from that folder only.
      const atlas = folder === ATLAS_FOLDERS_URL ? atlasFileRequest(rest.slice(folder.length + 1), service.atlasFolders) : null;
      if (atlas && (await serveFile(res, atlas.root, atlas.urlPath, { cache: 'private' }))) return;
      // The real path must stay inside the served folder itself, not merely the data folder.
      if (SERVED_DATA_FOLDERS.has(folder) && (await serveFile(res, join(options.dataDir, folder), rest.slice(folder.length + 1), { cache: 'private', ...(download ? { download: safeFileName(download) } : {}) }))) return;
      return send(res, 404, 'Not found.');
    }
    if (await serveFile(res, options.rendererDir, path, { cache: path.startsWith('/assets/') ? 'immutable' : 'no-store' })) return;
    return send(res, 404, 'Not found.');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`reverie: ${req.url ?? ''}: ${(err as Error).stack ?? String(err)}\n`);
      if (!res.headersSent) send(res, 500, 'Internal error (the terminal running Reverie has the details).');
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isWindow = url.pathname === WINDOW_SOCKET_PATH;
    let refused = url.pathname === '/api/events' || isWindow ? refusal(req) : ([404, 'Not found.'] as [number, string]);
    // Browsers cannot set headers on a WebSocket: the page offers its session as a subprotocol.
    if (!refused && !credentials.isSession(sessionFromProtocols(req.headers['sec-websocket-protocol']))) refused = [401, `The event socket needs this page's session credential. ${TOKEN_ADVICE}`];
    if (refused) {
      socket.end(`HTTP/1.1 ${refused[0]} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refused[1]}`);
      return;
    }
    if (isWindow) return windowSockets.handleUpgrade(req, socket, head, (ws) => attachWindowSocket(ws, service.window));
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
    uploads,
    url: `http://127.0.0.1:${port}/?token=${options.token}`,
    close: async () => {
      for (const client of [...wss.clients, ...windowSockets.clients]) client.terminate();
      wss.close();
      windowSockets.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
