// Picks the tfjs backend once per process: tfjs-node when it is installed (native, multi-threaded),
// else wasm (SIMD, one thread in Node), with cpu as a last resort; webgl only where a DOM exists.
import * as tf from '@tensorflow/tfjs-core';
// The umbrella package is what registers tfjs-core's gradient functions in Node builds.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { ReverieError } from './shared/errors.ts';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu' | 'webgl';
export type BackendChoice = BackendName | 'auto';
export const backendChoices: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgl'];

export class BackendUnavailableError extends ReverieError {
  override name = 'BackendUnavailableError';
}

let tfjsNodeTried: Promise<boolean> | undefined;

/** Registers the 'tensorflow' backend if @tensorflow/tfjs-node (an optional dependency) loads here. */
function tryTfjsNode(): Promise<boolean> {
  tfjsNodeTried ??= import('@tensorflow/tfjs-node' as string).then(
    () => tf.findBackend('tensorflow') !== null,
    () => false,
  );
  return tfjsNodeTried;
}

/** Selects and initialises a backend; returns the name of the one now active. */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendName> {
  const current = tf.getBackend() as BackendName | undefined;
  if (choice === 'auto') {
    if (current === 'tensorflow' || current === 'wasm') return current;
    if (await tryTfjsNode()) {
      if (await tf.setBackend('tensorflow')) return 'tensorflow';
    }
    if (await tf.setBackend('wasm')) return 'wasm';
    if (await tf.setBackend('cpu')) return 'cpu';
    throw new BackendUnavailableError('No tfjs backend could be initialised (tried tensorflow, wasm, cpu).');
  }
  if (current === choice) return choice;
  if (choice === 'tensorflow' && !(await tryTfjsNode())) {
    throw new BackendUnavailableError(
      'Backend "tensorflow" needs @tensorflow/tfjs-node, which is not installed here; use --backend wasm or auto.',
    );
  }
  if (choice === 'webgl') {
    if (typeof (globalThis as { document?: unknown }).document === 'undefined') {
      throw new BackendUnavailableError('Backend "webgl" is only available in the app window (browser or Electron renderer).');
    }
    await import('@tensorflow/tfjs-backend-webgl');
  }
  let ok = false;
  try {
    ok = await tf.setBackend(choice);
  } catch (err) {
    throw new BackendUnavailableError(`Backend "${choice}" failed to initialise: ${(err as Error).message}`);
  }
  if (!ok) throw new BackendUnavailableError(`Backend "${choice}" failed to initialise.`);
  return choice;
}

export function activeBackend(): string {
  return tf.getBackend();
}
