// Electron main's permission policy (main/permissions.ts) as plain functions: Electron's binary is
// not installed here, so this checks the handlers' decisions, not that Electron calls them.
import { describe, expect, it } from 'vitest';
import { allowPermission, permissionCheck, permissionRequest } from '../main/permissions.ts';

const PAGE = 'reverie://app/index.html';
const REFUSED = ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'pointerLock', 'midiSysex'];

function request(permission: string, contentsUrl: string | null, requestingUrl?: string): boolean | undefined {
  let granted: boolean | undefined;
  const contents = contentsUrl === null ? null : { getURL: () => contentsUrl };
  permissionRequest(contents, permission, (g) => (granted = g), requestingUrl === undefined ? undefined : { requestingUrl });
  return granted;
}

describe('permissions: a clipboard write from our page, nothing else', () => {
  it('grants clipboard-sanitized-write to reverie://app only', () => {
    expect(allowPermission('clipboard-sanitized-write', PAGE)).toBe(true);
    expect(allowPermission('clipboard-sanitized-write', 'reverie://app')).toBe(true); // an origin, as checks give it
    for (const other of ['https://evil.example/', 'reverie://other/index.html', 'reverie://user:pw@app/', 'file:///tmp/x.html', 'http://127.0.0.1:47474/', '', null, undefined, 'not a url']) {
      expect(allowPermission('clipboard-sanitized-write', other), String(other)).toBe(false);
    }
  });

  it('refuses every other permission, even to our page', () => {
    for (const permission of REFUSED) expect(allowPermission(permission, PAGE), permission).toBe(false);
  });

  it('request handler: decides on the requesting frame, else the web contents', () => {
    expect(request('clipboard-sanitized-write', PAGE, PAGE)).toBe(true);
    expect(request('clipboard-sanitized-write', PAGE)).toBe(true);
    expect(request('clipboard-sanitized-write', PAGE, 'https://evil.example/frame.html')).toBe(false);
    expect(request('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(request('clipboard-sanitized-write', null)).toBe(false);
    for (const permission of REFUSED) expect(request(permission, PAGE, PAGE), permission).toBe(false);
  });

  it('check handler: decides on the requesting URL, else the origin', () => {
    expect(permissionCheck(null, 'clipboard-sanitized-write', 'reverie://app', {})).toBe(true);
    expect(permissionCheck(null, 'clipboard-sanitized-write', 'reverie://app', { requestingUrl: PAGE })).toBe(true);
    expect(permissionCheck(null, 'clipboard-sanitized-write', 'https://evil.example', {})).toBe(false);
    expect(permissionCheck(null, 'clipboard-sanitized-write', 'reverie://app', { requestingUrl: 'https://evil.example/' })).toBe(false);
    for (const permission of REFUSED) expect(permissionCheck(null, permission, 'reverie://app'), permission).toBe(false);
  });
});
