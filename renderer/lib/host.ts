// Connects the renderer to its host: Electron's preload bridge when present, else browser mode.
import { apiFromBridge, buildApi, type BridgeApi } from '../../contract/api.ts';
import type { ReverieApi } from '../../contract/channels.ts';
import type { HostMode } from '../../contract/types.ts';
import { HttpTransport } from './httpTransport.ts';

export interface Connection {
  api: ReverieApi;
  mode: HostMode;
  /** Browser mode only: the transport, for connection status. */
  http: HttpTransport | null;
}

/** The launch token arrives once in the URL; it is kept for this tab and removed from the address bar. */
function takeToken(): string | null {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token) {
    sessionStorage.setItem('reverie-token', token);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url);
    return token;
  }
  return sessionStorage.getItem('reverie-token');
}

export function connect(): Connection {
  const bridge = (window as unknown as { reverie?: BridgeApi }).reverie;
  if (bridge) return { api: apiFromBridge(bridge), mode: 'electron', http: null };
  const http = new HttpTransport(window.location.origin, takeToken());
  return { api: buildApi(http), mode: 'browser', http };
}
