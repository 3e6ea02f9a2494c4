// Electron's carrier for the window device: the binary frames of browser mode's /api/window socket
// (engine/windowDevice/frames.ts) on one IPC channel each way, and what preload exposes to the page.
export const WINDOW_FRAME_CHANNEL = 'window-device.frame';

/** window[WINDOW_BRIDGE_KEY] in Electron: the page's end of the window device's link. */
export const WINDOW_BRIDGE_KEY = 'reverieWindow';

export interface WindowFrameBridge {
  send(frame: Uint8Array): void;
  /** Frames from the host; returns the unsubscribe. */
  listen(listener: (frame: Uint8Array) => void): () => void;
}

/** A Uint8Array from any realm (contextBridge and IPC copy arrays across worlds; instanceof would not see them). */
export function isFrameBytes(value: unknown): value is Uint8Array {
  return Object.prototype.toString.call(value) === '[object Uint8Array]';
}
