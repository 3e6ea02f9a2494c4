// The browser-mode server's gatekeeping as pure functions: hosts, origins, tokens, paths, headers.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  contentSecurityPolicy,
  cookieName,
  isAllowedHost,
  isAllowedOrigin,
  parseCookies,
  securityHeaders,
  tokenFrom,
  tokenMatches,
} from '../server/guard.ts';
import { resolveInside, safeFileName } from '../host/files.ts';

describe('host and origin checks', () => {
  it('accepts only loopback names with our port (DNS rebinding protection)', () => {
    expect(isAllowedHost('127.0.0.1:4100', 4100)).toBe(true);
    expect(isAllowedHost('localhost:4100', 4100)).toBe(true);
    expect(isAllowedHost('LOCALHOST:4100', 4100)).toBe(true);
    expect(isAllowedHost('127.0.0.1:4101', 4100)).toBe(false);
    expect(isAllowedHost('evil.example:4100', 4100)).toBe(false);
    expect(isAllowedHost('127.0.0.1', 4100)).toBe(false);
    expect(isAllowedHost('192.168.1.2:4100', 4100)).toBe(false);
    expect(isAllowedHost(undefined, 4100)).toBe(false);
  });

  it('accepts a missing Origin and our own, refuses every other site', () => {
    expect(isAllowedOrigin(undefined, 4100)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:4100', 4100)).toBe(true);
    expect(isAllowedOrigin('http://localhost:4100', 4100)).toBe(true);
    expect(isAllowedOrigin('https://127.0.0.1:4100', 4100)).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:4101', 4100)).toBe(false);
    expect(isAllowedOrigin('http://evil.example', 4100)).toBe(false);
    expect(isAllowedOrigin('null', 4100)).toBe(false);
  });
});

describe('tokens', () => {
  it('compares exactly, refusing missing, shorter, longer and different tokens', () => {
    expect(tokenMatches('abc123', 'abc123')).toBe(true);
    expect(tokenMatches('abc123', undefined)).toBe(false);
    expect(tokenMatches('abc123', '')).toBe(false);
    expect(tokenMatches('abc123', 'abc12')).toBe(false);
    expect(tokenMatches('abc123', 'abc1234')).toBe(false);
    expect(tokenMatches('abc123', 'abc124')).toBe(false);
  });

  it('reads the token from the header first, then the query, then our port-specific cookie', () => {
    const url = new URL('http://127.0.0.1:4100/api/x?token=from-query');
    expect(tokenFrom(url, { 'x-reverie-token': 'from-header' }, 4100)).toBe('from-header');
    expect(tokenFrom(url, {}, 4100)).toBe('from-query');
    const bare = new URL('http://127.0.0.1:4100/files/a.png');
    expect(tokenFrom(bare, { cookie: `other=1; ${cookieName(4100)}=from-cookie` }, 4100)).toBe('from-cookie');
    expect(tokenFrom(bare, { cookie: `${cookieName(4200)}=another-instance` }, 4100)).toBeUndefined();
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
