// The page's end of the window device, over whichever carrier the app has: browser mode's WebSocket
// (/api/window) or Electron's IPC (preload's window.reverieWindow), both carrying the binary frames of
// engine/windowDevice/frames.ts between the host's job loop and this page's gradient worker. The
// worker starts only when the host sends 'start' (a job chose the window).
import { SESSION_HEADER, SESSION_PROTOCOL_PREFIX, WINDOW_MODEL_PATH, WINDOW_PROTOCOL } from '../../contract/browserAuth.ts';
import type { WindowFrameBridge } from '../../contract/windowIpc.ts';
import { decodeFrame, encodeFrame } from '../../engine/windowDevice/frames.ts';
import type { FromWindow, ToWindow } from '../../engine/windowDevice/protocol.ts';
import { WindowGpu } from './windowGpu.ts';
import { webglAdapter, webgpuAdapter } from './backends.ts';

async function offers(): Promise<FromWindow> {
  let webgl = null;
  try {
    webgl = webglAdapter();
  } catch {
    // no WebGL2 here
  }
  const webgpu = await webgpuAdapter().catch(() => null);
  return { type: 'hello', webgl, webgpu };
}

/**
 * One link's life: say what this window offers, answer the host's frames, stop the worker at its end.
 * `heard` runs once the host has taken the offers (the Settings panel's device notes then name them).
 */
function serveLink(origin: string, session: string | null, send: (frame: Uint8Array) => void, heard: () => void): { frame(data: Uint8Array): void; closed(): void } {
  const gpu = new WindowGpu(
    (name) => fetch(`${origin}${WINDOW_MODEL_PATH}${name}`, { headers: session ? { [SESSION_HEADER]: session } : {}, credentials: 'same-origin' }),
    (message) => send(encodeFrame(message)),
  );
  // What this window offers, for the Settings panel's device list (no model is loaded for it).
  void offers().then((hello) => send(encodeFrame(hello)));
  return {
    frame: (data) => {
      let message: ToWindow;
      try {
        message = decodeFrame(data) as ToWindow;
      } catch {
        return; // not ours to answer: the host only sends well-formed frames
      }
      if (message.type === 'heard') heard();
      else void gpu.handle(message);
    },
    closed: () => gpu.stop(),
  };
}

/** Browser mode: the /api/window socket, reconnecting with backoff. */
export function linkWindowDevice(origin: string, session: string | null, heard: () => void): void {
  let retryMs = 1000;
  const open = (): void => {
    const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/window`, [WINDOW_PROTOCOL, ...(session ? [`${SESSION_PROTOCOL_PREFIX}${session}`] : [])]);
    ws.binaryType = 'arraybuffer';
    let link: ReturnType<typeof serveLink> | null = null;
    ws.onopen = () => {
      retryMs = 1000;
      link = serveLink(origin, session, (frame) => ws.readyState === WebSocket.OPEN && ws.send(frame), heard);
    };
    ws.onmessage = (event: MessageEvent<ArrayBuffer>) => link?.frame(new Uint8Array(event.data));
    ws.onclose = () => {
      link?.closed();
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  };
  open();
}

/** Electron: preload's bridge, one link for this load of the page (main ends it on reload or close). */
export function linkWindowIpc(origin: string, bridge: WindowFrameBridge, heard: () => void): void {
  const link = serveLink(origin, null, (frame) => bridge.send(frame), heard);
  bridge.listen((frame) => link.frame(frame));
}
