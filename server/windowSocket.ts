// /api/window: the page's end of the window device in browser mode. Binary frames carry the
// window protocol; the host's WindowDevice decodes them and owns what they mean.
import { WebSocketServer, type WebSocket } from 'ws';
import { WINDOW_PROTOCOL } from '../contract/browserAuth.ts';
import type { WindowDevice } from '../host/windowDevice.ts';

export const WINDOW_SOCKET_PATH = '/api/window';
/** A gradient of a 1024x1024 tile is 12 MiB; anything past this is not ours. */
const MAX_FRAME = 64 * 1024 * 1024;

export function windowSocketServer(): WebSocketServer {
  return new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, handleProtocols: (offered) => (offered.has(WINDOW_PROTOCOL) ? WINDOW_PROTOCOL : false) });
}

export function attachWindowSocket(ws: WebSocket, device: WindowDevice): void {
  const link = device.attachFrames((frame) => ws.send(frame));
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return ws.close(1003, 'binary frames only');
    if (!link.receive(new Uint8Array(data as Buffer))) ws.close(1007, 'not a window frame');
  });
  ws.on('close', () => link.closed());
  ws.on('error', () => link.closed());
}
