// The window devices as Settings lists them: the best hardware GPU of the app window, and each of its
// tfjs backends by name with the adapter behind it (marked when it is a software GPU). A backend the
// open window said it lacks cannot be chosen; before any window has said, each can.
import type { DeviceOption } from '../contract/models.ts';
import type { DeviceSetting } from '../engine/shared/device.ts';
import { engineCacheDevice } from '../engine/inspect/cache.ts';
import { adapterWords, backendWords, isWindowDevice, pickWindowBackend, windowBackendChoice, type WindowOffers } from '../engine/windowDevice/choice.ts';

const CPU_BEHIND = 'the CPU whenever no window can';

export function windowDeviceOptions(offers: WindowOffers | null): DeviceOption[] {
  const best = offers ? pickWindowBackend('auto', offers) : null;
  const bestNow = !best ? '' : 'refused' in best ? ': none in this window, so the CPU' : `: ${backendWords[best.backend]} on ${adapterWords(best.adapter)}`;
  const named = (backend: 'webgl' | 'webgpu'): DeviceOption => {
    const adapter = offers?.[backend];
    const found = offers === null ? '' : adapter ? `: ${adapterWords(adapter)}` : ': none in this window';
    return { choice: `window-${backend}`, available: !offers || adapter !== null, note: `the app window's ${backendWords[backend]}${found} (used even when it is a software GPU); ${CPU_BEHIND}` };
  };
  return [
    { choice: 'window', available: true, note: `the app window's best hardware GPU (WebGPU, then WebGL2; never a software GPU)${bestNow}; ${CPU_BEHIND}` },
    named('webgl'),
    named('webgpu'),
  ];
}

/**
 * The feature cache's key for work the engine is about to do on `setting`: the window backend the page
 * would run it on (as the job's tiles pick it), else the engine's own routes (also when no window can).
 */
export function featureCacheDevice(setting: DeviceSetting | undefined, offers: WindowOffers | null, engineRoute?: string | null): string {
  if (!isWindowDevice(setting) || !offers) return engineCacheDevice(engineRoute);
  const picked = pickWindowBackend(windowBackendChoice(setting), offers);
  return 'refused' in picked ? engineCacheDevice(engineRoute) : `window-${picked.backend}`;
}
