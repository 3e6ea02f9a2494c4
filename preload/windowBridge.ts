// What preload exposes as window.reverieWindow: the window device's frames to and from the host, on
// their one IPC channel. The IPC event never reaches the page, and only Uint8Array frames pass.
import { isFrameBytes, WINDOW_FRAME_CHANNEL, type WindowFrameBridge } from '../contract/windowIpc.ts';

/** The part of ipcRenderer this uses (typed here so it builds and tests without Electron). */
export interface WindowIpcRenderer {
  send(channel: string, payload: unknown): void;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export function createWindowBridge(ipc: WindowIpcRenderer): WindowFrameBridge {
  return {
    send: (frame) => {
      if (isFrameBytes(frame)) ipc.send(WINDOW_FRAME_CHANNEL, frame);
    },
    listen: (listener) => {
      const forward = (_event: unknown, frame: unknown): void => {
        if (isFrameBytes(frame)) listener(frame);
      };
      ipc.on(WINDOW_FRAME_CHANNEL, forward);
      return () => void ipc.removeListener(WINDOW_FRAME_CHANNEL, forward);
    },
  };
}
