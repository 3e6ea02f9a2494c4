// Which of the window's tfjs backends runs a job's tiles, from the Device setting and what the page
// said it offers. Software GPUs (SwiftShader and the like) are slower than our CPU route, so 'window'
// (auto) never picks one; naming the backend ('window-webgl', 'window-webgpu') uses it anyway.
import type { GpuAdapter, WindowDeviceSetting } from '../shared/device.ts';
import type { WindowBackend } from './protocol.ts';

export const windowDeviceSettings: readonly WindowDeviceSetting[] = ['window', 'window-webgl', 'window-webgpu'];

/** What a window device asks of the page: a backend by name, or the best hardware one. */
export type WindowBackendChoice = 'auto' | WindowBackend;

export interface WindowOffers {
  webgl: GpuAdapter | null;
  webgpu: GpuAdapter | null;
}

export function isWindowDevice(setting: string | undefined): setting is WindowDeviceSetting {
  return (windowDeviceSettings as readonly string[]).includes(setting ?? '');
}

export function windowBackendChoice(setting: WindowDeviceSetting): WindowBackendChoice {
  return setting === 'window-webgl' ? 'webgl' : setting === 'window-webgpu' ? 'webgpu' : 'auto';
}

export const backendWords: Record<WindowBackend, string> = { webgl: 'WebGL2', webgpu: 'WebGPU' };

/** The adapter in words, marked when it is software. */
export function adapterWords(a: GpuAdapter): string {
  return `${a.name}${a.software ? ', software GPU' : ''}`;
}

/** The backend `choice` runs on with these offers, or why it cannot run there. */
export function pickWindowBackend(choice: WindowBackendChoice, offers: WindowOffers): { backend: WindowBackend; adapter: GpuAdapter } | { refused: string } {
  if (choice !== 'auto') {
    const adapter = offers[choice];
    return adapter ? { backend: choice, adapter } : { refused: `The window offers no ${backendWords[choice]}.` };
  }
  for (const backend of ['webgpu', 'webgl'] as const) {
    const adapter = offers[backend];
    if (adapter && !adapter.software) return { backend, adapter };
  }
  const software = (['webgpu', 'webgl'] as const).flatMap((b) => (offers[b] ? [`${backendWords[b]} on ${offers[b].name}`] : []));
  return {
    refused: software.length
      ? `The window offers only a software GPU (${software.join('; ')}), which auto never picks; choose window-webgl or window-webgpu to use it.`
      : 'The window offers no WebGPU or WebGL2.',
  };
}
