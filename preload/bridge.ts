// What preload exposes as window.reverie: exactly one method per contract channel, each bound to
// its own IPC channel name. The IPC event object never reaches the page, only the payload.
import { buildBridge, type BridgeApi, type Envelope } from '../contract/api.ts';

/** The part of Electron's ipcRenderer that preload uses (typed here so it builds without Electron). */
export interface IpcRendererLike {
  invoke(channel: string, request: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export function createBridge(ipc: IpcRendererLike): BridgeApi {
  return buildBridge({
    invoke: (channel, request) => ipc.invoke(channel, request) as Promise<Envelope<unknown>>,
    subscribe: (channel, listener) => {
      const forward = (_event: unknown, payload: unknown): void => listener(payload);
      ipc.on(channel, forward);
      return () => void ipc.removeListener(channel, forward);
    },
  });
}
