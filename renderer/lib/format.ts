// Words and numbers as the UI shows them.
import type { Recipe } from '../../contract/types.ts';

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatEta(etaMs: number | null): string {
  if (etaMs === null || !Number.isFinite(etaMs)) return 'estimating…';
  if (etaMs < 1000) return 'almost done';
  return `about ${formatDuration(etaMs)} left`;
}

export function formatDate(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === now.toDateString()) return `Today ${time}`;
  return `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: d.getFullYear() === now.getFullYear() ? undefined : 'numeric' })} ${time}`;
}

/** "UnsupportedImageError" → "Unsupported image"; names users meet get their own words. */
const TITLES: Record<string, string> = {
  RecipeError: 'Recipe problem',
  ConnectionError: 'Connection lost',
  EngineCrashedError: 'The engine stopped',
  ImageTooSmallError: 'Image too small',
  ImageTooLargeError: 'Image too large',
  OutputWriteError: 'Could not save',
  BadRequestError: 'Request refused',
  NotFoundError: 'Not found',
  UnknownLayerError: 'Unknown layer',
  BackendUnavailableError: 'No compute backend',
};

export function errorTitle(name: string): string {
  if (TITLES[name]) return TITLES[name];
  const words = name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').trim();
  if (!words) return 'Something went wrong';
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

export function describeLayers(recipe: Pick<Recipe, 'layers' | 'channels' | 'classes'>): string {
  const parts = recipe.layers.map((l) => (l.weight === 1 ? l.name : `${l.name}×${l.weight}`));
  for (const c of recipe.channels) parts.push(`${c.layer}:${c.index}`);
  for (const c of recipe.classes ?? []) parts.push(`“${c.name}”`);
  return parts.join(' + ') || 'no layers';
}

export function describeRecipe(recipe: Recipe): string {
  return `${describeLayers(recipe)} · ${recipe.steps} steps · ${recipe.octaves} octave${recipe.octaves === 1 ? '' : 's'}`;
}

/** 1536 → "1.5 KB", 91_000_000 → "86.8 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * How a ready engine dreams, in one name used everywhere (badge, its tooltip, the Models panel):
 * "CPU" when dream steps run on the CPU in onnxruntime's native code beside the tfjs backend, else the
 * backend's name (wasm: the fallback when onnxruntime is absent).
 */
export function engineRoute(status: { backend: string; accelerator?: string | null; device?: string | null }): { name: string; detail: string } {
  // The app window's GPU says what stands behind it; after a fallback the device is the CPU's again.
  if (status.device === 'window') return { name: 'window', detail: status.accelerator ?? "the app window's GPU" };
  // A GPU device names itself (the accelerator text says which adapter, and whether it is software).
  if (status.device && status.device !== 'cpu' && status.device !== 'tfjs') return { name: status.device, detail: `the GPU (${status.accelerator ?? status.device})` };
  if (status.accelerator) return { name: 'CPU', detail: `the CPU (${status.accelerator})` };
  return { name: status.backend, detail: status.backend === 'wasm' ? 'wasm (WebAssembly on the CPU)' : status.backend };
}
