// Browser mode's carrier for the window device: a WebSocket (/api/window) of binary frames
// (engine/windowDevice/frames.ts) between the host's job loop and this page's gradient worker.
// Electron would carry the same ToWindow/FromWindow messages over IPC. The link reconnects with
// backoff; the worker starts only when the host sends 'start' (a dream chose the window).
import { SESSION_HEADER, SESSION_PROTOCOL_PREFIX, WINDOW_MODEL_PATH, WINDOW_PROTOCOL } from '../../contract/browserAuth.ts';
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

export function linkWindowDevice(origin: string, session: string | null): void {
  let retryMs = 1000;
  const open = (): void => {
    const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/window`, [WINDOW_PROTOCOL, ...(session ? [`${SESSION_PROTOCOL_PREFIX}${session}`] : [])]);
    ws.binaryType = 'arraybuffer';
    const gpu = new WindowGpu(
      (name) => fetch(`${origin}${WINDOW_MODEL_PATH}${name}`, { headers: session ? { [SESSION_HEADER]: session } : {}, credentials: 'same-origin' }),
      (message) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(encodeFrame(message));
      },
    );
    ws.onopen = () => {
      retryMs = 1000;
      // What this window offers, for the Settings panel's device list (no model is loaded for it).
      void offers().then((hello) => ws.readyState === WebSocket.OPEN && ws.send(encodeFrame(hello)));
    };
    ws.onmessage = (event: MessageEvent<ArrayBuffer>) => {
      let message: ToWindow;
      try {
        message = decodeFrame(new Uint8Array(event.data)) as ToWindow;
      } catch {
        return; // not ours to answer: the host only sends well-formed frames
      }
      void gpu.handle(message);
    };
    ws.onclose = () => {
      gpu.stop();
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  };
  open();
}
