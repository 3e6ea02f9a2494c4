// The browser-mode server's gatekeeping as pure functions: hosts, origins, tokens, paths, headers.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { contentSecurityPolicy, isAllowedHost, isAllowedOrigin, securityHeaders } from '../server/guard.ts';
import { Credentials, parseCookies, sessionFromProtocols, SESSION_PROTOCOL_PREFIX, viewCookieName } from '../server/credentials.ts';
import { displayPath, redactPaths, resolveInside, safeFileName } from '../host/files.ts';

describe('host and origin checks', () => {
  it('accepts only the address it listens on and prints, with our port (DNS rebinding protection)', () => {
    expect(isAllowedHost('127.0.0.1:4100', 4100)).toBe(true);
    // localhost may resolve to [::1], where another user's process could hold the same port.
    expect(isAllowedHost('localhost:4100', 4100)).toBe(false);
    expect(isAllowedHost('[::1]:4100', 4100)).toBe(false);
    expect(isAllowedHost('127.0.0.1:4101', 4100)).toBe(false);
    expect(isAllowedHost('evil.example:4100', 4100)).toBe(false);
    expect(isAllowedHost('127.0.0.1', 4100)).toBe(false);
    expect(isAllowedHost('192.168.1.2:4100', 4100)).toBe(false);
    expect(isAllowedHost(undefined, 4100)).toBe(false);
  });

  it('accepts a missing Origin and our own, refuses every other site', () => {
    expect(isAllowedOrigin(undefined, 4100)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:4100', 4100)).toBe(true);
    expect(isAllowedOrigin('http://localhost:4100', 4100)).toBe(false);
    expect(isAllowedOrigin('https://127.0.0.1:4100', 4100)).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:4101', 4100)).toBe(false);
    expect(isAllowedOrigin('http://evil.example', 4100)).toBe(false);
    expect(isAllowedOrigin('null', 4100)).toBe(false);
  });
});

describe('credentials', () => {
  it('opens one page load with the launch token, then never again; a wrong token opens nothing', () => {
    const c = new Credentials('abc123');
    for (const wrong of ['', 'abc12', 'abc1234', 'abc124']) expect(c.open(wrong)).toEqual({ use: 'wrong' });
    const first = c.open('abc123');
    expect(first.use).toBe('opened');
    expect(c.open('abc123')).toEqual({ use: 'used' });
    expect(c.isSession(first.session)).toBe(true);
    expect(c.isView(first.view)).toBe(true);
  });

  it('keeps the API credential and the view cookie apart, and takes neither from the token', () => {
    const c = new Credentials('abc123');
    const { session, view } = c.open('abc123');
    expect(session).not.toBe(view);
    expect(c.isSession(view)).toBe(false);
    expect(c.isView(session)).toBe(false);
    expect(c.isSession('abc123')).toBe(false);
    expect(c.isSession(undefined)).toBe(false);
    expect(c.isSession(`${session!}x`)).toBe(false);
  });

  it('a restart with the data folder’s secret still knows the tabs it opened; another secret does not', () => {
    const first = new Credentials('t1', 's'.repeat(43));
    const { session, view } = first.open('t1');
    const restarted = new Credentials('t2', 's'.repeat(43));
    expect(restarted.isSession(session)).toBe(true);
    expect(restarted.isView(view)).toBe(true);
    expect(restarted.open('t1')).toEqual({ use: 'wrong' }); // the old launch token stays dead
    expect(restarted.instance).toBe(first.instance);
    const other = new Credentials('t3', 'o'.repeat(43));
    expect(other.isSession(session)).toBe(false);
    expect(other.instance).not.toBe(first.instance);
    expect(restarted.isSession(`${session!.slice(0, 24)}${'A'.repeat(43)}`)).toBe(false); // a forged signature
    expect(restarted.isSession(`x${session!}`)).toBe(false);
  });

  it('reads the session from the socket subprotocols and cookies by our port-specific name', () => {
    expect(sessionFromProtocols(`reverie.events, ${SESSION_PROTOCOL_PREFIX}s3cret`)).toBe('s3cret');
    expect(sessionFromProtocols('reverie.events')).toBeUndefined();
    expect(sessionFromProtocols(undefined)).toBeUndefined();
    expect(viewCookieName(4100)).not.toBe(viewCookieName(4200));
    expect(parseCookies('a=1; b = 2;c=x=y').get('c')).toBe('x=y');
  });
});

describe('resolveInside', () => {
  const root = '/srv/data';
  it('maps plain paths below the root', () => {
    expect(resolveInside(root, 'gallery/a/result.png')).toBe(join(root, 'gallery/a/result.png'));
    expect(resolveInside(root, '/assets/index.js')).toBe(join(root, 'assets/index.js'));
  });
  it.each([
    '../etc/passwd',
    'gallery/../../etc/passwd',
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e/%2e%2e/etc/passwd',
    'gallery/..%5c..%5cwin.ini',
    'gallery\\..\\..\\x',
    '.hidden',
    'gallery/.entry.json.123.tmp',
    'a%00b',
    '%E0%A4%A',
    'C:/Windows/win.ini',
    '',
    '/',
  ])('refuses %j', (path) => {
    expect(resolveInside(root, path)).toBeNull();
  });
});

describe('headers', () => {
  it('sends a strict CSP: nothing by default, scripts and styles from us only, no inline code', () => {
    const csp = contentSecurityPolicy(4100);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('ws://127.0.0.1:4100');
    expect(csp).not.toContain('localhost');
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(csp).not.toMatch(/https?:/);
    const headers = securityHeaders(4100);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('DENY');
  });

  it('makes download names safe for Content-Disposition', () => {
    expect(safeFileName('cat-dream.png')).toBe('cat-dream.png');
    expect(safeFileName('../"evil"\r\nname.png')).toBe('evil-name.png');
    expect(safeFileName('...')).toBe('reverie.png');
  });
});

describe('no absolute paths in answers', () => {
  it('shows folders below home as ~/…, others by their last name only', () => {
    expect(displayPath('/home/ann/.local/share/reverie', '/home/ann')).toBe('~/.local/share/reverie');
    expect(displayPath('/home/ann', '/home/ann')).toBe('~');
    expect(displayPath('/srv/reverie-data', '/home/ann')).toBe('…/reverie-data');
    expect(displayPath('/home/annex/data', '/home/ann')).toBe('…/data');
  });

  it('replaces the data folder and home in error messages, the longer root first', () => {
    const roots: Array<[string, string]> = [['/home/ann', '~'], ['/home/ann/data', '<data folder>']];
    expect(redactPaths("ENOENT: no such file, open '/home/ann/data/gallery/x/entry.json'", roots)).toBe("ENOENT: no such file, open '<data folder>/gallery/x/entry.json'");
    expect(redactPaths('cannot read /home/ann/models/m.json', roots)).toBe('cannot read ~/models/m.json');
  });
});
