// One ipcMain handler per invoke channel of the contract, each refusing frames that are not our
// page, answering envelopes (errors keep their type name); host events go out on their own channels.
import { invokeChannels, type Handlers, type HostEvent } from '../contract/channels.ts';
import type { Envelope } from '../contract/api.ts';
import { errorInfo } from '../host/protocol.ts';
import type { ElectronMain, IpcMainInvokeEvent, WebContents } from './electronTypes.ts';
import { isTrustedSender } from './security.ts';

export async function answer(handlers: Handlers, channel: keyof Handlers, event: IpcMainInvokeEvent, request: unknown): Promise<Envelope<unknown>> {
  if (!isTrustedSender(event.senderFrame?.url)) {
    return { ok: false, error: { name: 'SecurityError', message: `Refused ${channel} from ${event.senderFrame?.url ?? 'an unknown frame'}.` } };
  }
  try {
    const handler = handlers[channel] as (r: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(request) };
  } catch (err) {
    return { ok: false, error: errorInfo(err) };
  }
}

export function registerIpc(ipcMain: Pick<ElectronMain['ipcMain'], 'handle' | 'removeHandler'>, handlers: Handlers): () => void {
  for (const channel of invokeChannels) ipcMain.handle(channel, (event, request) => answer(handlers, channel, event, request));
  return () => {
    for (const channel of invokeChannels) ipcMain.removeHandler(channel);
  };
}

/** Sends host events to a window's page, on the contract's event channel names only. */
export function forwardEvents(contents: WebContents): (event: HostEvent) => void {
  return (event) => {
    if (!contents.isDestroyed()) contents.send(event.channel, event.payload);
  };
}
