// The embedded InceptionV3, loaded once per test file (about a second); tests share it read-only.
import { initBackend } from '../../engine/backend.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import type { DreamModel } from '../../engine/model/types.ts';

let model: Promise<DreamModel> | undefined;

export async function embeddedModel(): Promise<DreamModel> {
  await initBackend('wasm');
  model ??= loadDreamModel('inception_v3');
  return model;
}
