// The compute backends a user can choose, in words, and which one is fastest on this machine.
// Speeds are the measured per-step costs of ENGINE-NOTES.md (InceptionV3, 299x299, 2 cores).
import { createRequire } from 'node:module';
import type { BackendChoice } from '../backend.ts';

export interface BackendInfo {
  choice: BackendChoice;
  /** One line: what it is and what it costs. */
  description: string;
  /** Whether it can run in this process (tfjs-node installed; webgl never: the engine runs in Node). */
  available: boolean;
}

const DESCRIPTIONS: Record<BackendChoice, string> = {
  auto: 'picks the fastest available: tensorflow if installed, else wasm, else cpu',
  tensorflow: 'native TensorFlow via @tensorflow/tfjs-node, multi-threaded; the fastest where it is installed',
  wasm: 'WebAssembly with SIMD (XNNPACK), no install; dream steps run natively on every core through onnxruntime-node where it loads (about 0.15 s per step at 299 px on 2 cores; 0.55 s on wasm alone)',
  cpu: 'plain JavaScript reference kernels; always works, roughly 25x slower than wasm',
  webgl: 'not for the engine, which runs in Node; the GPU through WebGL2 is the Device setting "window-webgl" (or "window", the window\'s best hardware GPU): the app window\'s gradient worker computes the dream\'s tiles',
};

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

export function backendInfos(): BackendInfo[] {
  const dom = typeof (globalThis as { document?: unknown }).document !== 'undefined';
  const available: Record<BackendChoice, boolean> = { auto: true, tensorflow: installed('@tensorflow/tfjs-node'), wasm: true, cpu: true, webgl: dom };
  return (Object.keys(DESCRIPTIONS) as BackendChoice[]).map((choice) => ({ choice, description: DESCRIPTIONS[choice], available: available[choice] }));
}

/** The backend 'auto' resolves to here. */
export function fastestBackend(): Exclude<BackendChoice, 'auto'> {
  return backendInfos().find((b) => b.choice === 'tensorflow')!.available ? 'tensorflow' : 'wasm';
}
