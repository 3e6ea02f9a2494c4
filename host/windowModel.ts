// The active model's files as the window's gradient worker reads them (read-only): model.json with
// the topology and weight specs, and the weights as one binary. The page builds the same graph the
// engine builds from these (engine/windowDevice/pageModel.ts). One model is kept at a time.
import { loadModelFiles } from '../engine/model/files/source.ts';
import type { WindowModelJson } from '../engine/windowDevice/pageModel.ts';

export interface WindowModelFiles {
  modelId: string;
  /** model.json for the window: JSON text of WindowModelJson. */
  json: string;
  weights: Uint8Array;
}

let cached: { key: string; files: Promise<WindowModelFiles> } | null = null;

/** The files of `model` (an embedded id, catalogue name or folder, as the engine names it). */
export function windowModelFiles(model: string, cacheDir: string): Promise<WindowModelFiles> {
  const key = `${model}\n${cacheDir}`;
  if (cached?.key !== key) {
    const files = loadModelFiles(model, { cacheDir }).then((f) => {
      const json: WindowModelJson = { format: f.format, modelTopology: f.modelTopology, weightSpecs: f.weightSpecs };
      return { modelId: model, json: JSON.stringify(json), weights: new Uint8Array(f.weightData) };
    });
    // A failed load is not remembered: the next request tries again.
    files.catch(() => {
      if (cached?.files === files) cached = null;
    });
    cached = { key, files };
  }
  return cached.files;
}
