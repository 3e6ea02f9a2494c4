// The window device over Electron IPC: the page's gradient worker and the host's WindowDevice trade
// the same binary frames as browser mode's /api/window socket (engine/windowDevice/frames.ts), on one
// channel each way. A load of the page is one link: a reload or navigation, a crashed renderer or a
// closed window ends it, and the host then computes what it held on the CPU route.
import { isFrameBytes, WINDOW_FRAME_CHANNEL } from '../contract/windowIpc.ts';
import type { WindowDevice } from '../host/windowDevice.ts';
import { isTrustedSender } from './security.ts';

export interface WindowIpcEvent {
  sender: { id: number };
  senderFrame?: { url: string } | null;
}

/** The part of ipcMain this uses (typed here so it builds and tests without Electron). */
export interface WindowIpcMain {
  on(channel: string, listener: (event: WindowIpcEvent, frame: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: WindowIpcEvent, frame: unknown) => void): unknown;
}

/** The part of the window's webContents this uses. */
export interface WindowContents {
  id: number;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
  on(event: 'did-start-navigation', listener: (details: { isSameDocument?: boolean; isMainFrame?: boolean }) => void): unknown;
  on(event: 'destroyed' | 'render-process-gone', listener: () => void): unknown;
}

/** Links `contents`' page to `device`; returns the unlink (the service closing). */
export function linkWindowIpc(ipcMain: WindowIpcMain, device: Pick<WindowDevice, 'attachFrames'>, contents: WindowContents): () => void {
  let link: ReturnType<WindowDevice['attachFrames']> | null = null;
  const end = (): void => {
    link?.closed();
    link = null;
  };
  const onFrame = (event: WindowIpcEvent, frame: unknown): void => {
    if (event.sender.id !== contents.id || !isTrustedSender(event.senderFrame?.url)) return;
    if (!isFrameBytes(frame)) return;
    // The first frame of a page's load (its 'hello') opens its link.
    link ??= device.attachFrames((out) => {
      if (!contents.isDestroyed()) contents.send(WINDOW_FRAME_CHANNEL, out);
    });
    link.receive(frame);
  };
  ipcMain.on(WINDOW_FRAME_CHANNEL, onFrame);
  // The page that held the link is gone the moment another document starts loading in its place.
  contents.on('did-start-navigation', (details) => {
    if (details.isSameDocument !== true && details.isMainFrame !== false) end();
  });
  contents.on('destroyed', end);
  contents.on('render-process-gone', end);
  return () => {
    ipcMain.removeListener(WINDOW_FRAME_CHANNEL, onFrame);
    end();
  };
}
