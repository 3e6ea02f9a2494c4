// "Where is Reverie now?" A tab whose server restarted on another port (its old one was taken) asks
// the few ports Reverie tries (PROBE_PORTS) for GET /where; the answer names this data folder's
// server by an opaque instance id, so the tab can say plainly where its app went. Only pages of
// 127.0.0.1 may read the answer (CORS), and it reveals no credential.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { INSTANCE_META, PORTS_META, WHERE_PATH } from '../contract/browserAuth.ts';

/** The ports browser mode tries before any free one: $REVERIE_PORT_BASE (tests) or 47474, and the nine after it. */
export function probePorts(env: NodeJS.ProcessEnv = process.env): number[] {
  const base = Number(env['REVERIE_PORT_BASE']) || 47474;
  return Array.from({ length: 10 }, (_, i) => base + i);
}

/** Answers GET /where (true), or leaves the request alone (false). */
export function answerWhere(req: IncomingMessage, res: ServerResponse, instance: string): boolean {
  if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== WHERE_PATH || req.method !== 'GET') return false;
  const origin = req.headers.origin;
  const body = JSON.stringify({ app: 'reverie', instance });
  res.writeHead(200, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...(origin && /^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(origin) ? { 'access-control-allow-origin': origin, vary: 'origin' } : {}),
  });
  res.end(body);
  return true;
}

/** The meta tags that tell the page its server's instance id and the ports to look at after losing it. */
export function whereMeta(instance: string, ports: readonly number[]): string {
  return `<meta name="${INSTANCE_META}" content="${instance}"><meta name="${PORTS_META}" content="${ports.join(',')}">`;
}
