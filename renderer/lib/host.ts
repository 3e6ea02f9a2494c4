// Connects the renderer to its host: Electron's preload bridge when present, else browser mode.
import { apiFromBridge, buildApi, type BridgeApi } from '../../contract/api.ts';
import type { ReverieApi } from '../../contract/channels.ts';
import type { HostMode } from '../../contract/types.ts';
import { SESSION_META } from '../../contract/browserAuth.ts';
import { HttpTransport } from './httpTransport.ts';

export interface Connection {
  api: ReverieApi;
  mode: HostMode;
  /** Browser mode only: the transport, for connection status. */
  http: HttpTransport | null;
}

/**
 * The session credential arrives once, in the page that the printed URL's single-use token opened
 * (a meta tag); it is kept in this origin's storage (other ports of 127.0.0.1 cannot read it), and
 * the spent token is removed from the address bar.
 */
function takeSession(): string | null {
  const meta = document.querySelector<HTMLMetaElement>(`meta[name="${SESSION_META}"]`);
  const url = new URL(window.location.href);
  if (url.searchParams.has('token')) {
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url);
  }
  if (meta?.content) {
    localStorage.setItem('reverie-session', meta.content);
    meta.remove();
    return meta.content;
  }
  return localStorage.getItem('reverie-session');
}

export function connect(): Connection {
  const bridge = (window as unknown as { reverie?: BridgeApi }).reverie;
  if (bridge) return { api: apiFromBridge(bridge), mode: 'electron', http: null };
  const http = new HttpTransport(window.location.origin, takeSession());
  return { api: buildApi(http), mode: 'browser', http };
}
