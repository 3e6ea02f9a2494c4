// Which web permissions the window gets: one, writing a picture to the clipboard ("Copy" in the
// result view, navigator.clipboard.write), and only for our own page. Everything else (camera,
// microphone, notifications, reading the clipboard, ...) is refused, as Electron's checklist asks.
import type { PermissionCheckHandler, PermissionRequestHandler } from './electronTypes.ts';
import { isAppUrl } from './security.ts';

/** Chromium's name for an async clipboard write; reads ('clipboard-read') stay refused. */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** True when `permission` is one we grant and it is asked for by our own page (reverie://app). */
export function allowPermission(permission: string, requestingUrl: string | undefined | null): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}

/**
 * Requests say which frame asks in details.requestingUrl; without it, the web contents' own URL.
 * A frame of another origin inside our page (there are none; the CSP forbids them) would be refused.
 */
export const permissionRequest: PermissionRequestHandler = (contents, permission, callback, details) => {
  callback(allowPermission(permission, details?.requestingUrl ?? contents?.getURL?.()));
};

/** Checks (navigator.permissions.query, and Chromium before a write) name the asking origin. */
export const permissionCheck: PermissionCheckHandler = (_contents, permission, requestingOrigin, details) =>
  allowPermission(permission, details?.requestingUrl ?? requestingOrigin);
