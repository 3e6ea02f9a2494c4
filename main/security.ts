// Electron's security checklist as data and small functions, each tested without Electron:
// isolation and sandbox, a strict CSP, only our own scheme loaded, no navigation or new windows,
// permissions (permissions.ts: all refused but a clipboard write from our page), and IPC answered
// only for frames of our own page.
import type { PreventableEvent, WebContents } from './electronTypes.ts';

export const APP_SCHEME = 'reverie';
export const APP_HOST = 'app';
/** The page and its files are one origin: reverie://app/ (renderer) and reverie://app/files/ (data). */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export const SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: false, bypassCSP: false };

export const WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
});

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function parse(url: string | undefined | null): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for our own page (reverie://app/…); custom schemes have an opaque origin, so compare parts. */
export function isAppUrl(url: string | undefined | null): boolean {
  const u = parse(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/** IPC is answered only for a frame showing our page. */
export function isTrustedSender(frameUrl: string | undefined | null): boolean {
  return isAppUrl(frameUrl);
}

/** The app is one page: in-app reloads pass, any other navigation is refused. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

export const denyWindowOpen = (): { action: 'deny' } => ({ action: 'deny' });

/** Applied to every web contents the app creates (windows, and anything a page might attach). */
export function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(denyWindowOpen);
  const blockNavigation = (event: PreventableEvent, url: string): void => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  };
  contents.on('will-navigate', blockNavigation);
  contents.on('will-redirect', blockNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
