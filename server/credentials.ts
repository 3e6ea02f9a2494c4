// Browser mode's credentials. The launch token in the printed URL opens one page load, once: that
// load is answered with a session credential (for /api and the event socket, sent only as a header
// or WebSocket subprotocol by our own page, which keeps it in this origin's storage) and a view
// cookie (for the page, its assets and /files/ only). Cookies are shared by every port of
// 127.0.0.1, so the cookie can never call the API; the token in history and scrollback is dead.
// Sessions and views are signed with the data folder's secret (launchState.ts), so a restarted
// server still knows the tabs it opened before; a new secret forgets them all.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { SESSION_PROTOCOL_PREFIX } from '../contract/browserAuth.ts';

export { EVENTS_PROTOCOL, SESSION_HEADER, SESSION_META, SESSION_PROTOCOL_PREFIX } from '../contract/browserAuth.ts';

export function viewCookieName(port: number): string {
  // Cookies ignore ports, so two instances on one machine need distinct names.
  return `reverie_view_${port}`;
}

function same(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

/** The session credential an event-socket upgrade offers among its subprotocols. */
export function sessionFromProtocols(header: string | string[] | undefined): string | undefined {
  const list = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((p) => p.trim());
  return list.find((p) => p.startsWith(SESSION_PROTOCOL_PREFIX))?.slice(SESSION_PROTOCOL_PREFIX.length);
}

export type TokenUse = 'opened' | 'used' | 'wrong';

type Kind = 'session' | 'view';
const ID_LENGTH = 24;

export class Credentials {
  private tokenUsed = false;

  /** `secret`: the data folder's (kept across launches); a random one forgets every tab at exit. */
  constructor(
    private readonly token: string,
    private readonly secret: string = randomBytes(32).toString('base64url'),
  ) {}

  private sign(kind: Kind, id: string): string {
    return createHmac('sha256', this.secret).update(`${kind}:${id}`).digest('base64url');
  }

  /** A random id (24 base64url characters) followed by its signature (43). */
  private issue(kind: Kind): string {
    const id = randomBytes(18).toString('base64url');
    return `${id}${this.sign(kind, id)}`;
  }

  private verify(kind: Kind, given: string | undefined): boolean {
    if (given === undefined || given.length <= ID_LENGTH) return false;
    return same(this.sign(kind, given.slice(0, ID_LENGTH)), given.slice(ID_LENGTH));
  }

  /** Spends the launch token: 'opened' with fresh credentials the first time, 'used' after. */
  open(given: string): { use: TokenUse; session?: string; view?: string } {
    if (!same(this.token, given)) return { use: 'wrong' };
    if (this.tokenUsed) return { use: 'used' };
    this.tokenUsed = true;
    return { use: 'opened', session: this.issue('session'), view: this.issue('view') };
  }

  /** May call the API and open the event socket. */
  isSession(given: string | undefined): boolean {
    return this.verify('session', given);
  }

  /** May load the page, its assets and result files (never the API). */
  isView(given: string | undefined): boolean {
    return this.verify('view', given);
  }

  /** Names this data folder's server to a tab that lost it (where.ts), without revealing the secret. */
  get instance(): string {
    return createHmac('sha256', this.secret).update('instance').digest('base64url').slice(0, 22);
  }
}
