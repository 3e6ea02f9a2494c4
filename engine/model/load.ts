// One entry point for every model a user can name: embedded id, folder, model.json or URL.
import { loadModelFiles, type ModelFiles } from './source.ts';
import { loadGraphDreamModel } from './graphModel.ts';
import { LayersDreamModel } from './layersModel.ts';
import type { TrainingProvenance } from './catalogue.ts';
import type { DreamModel, Training } from './types.ts';

export const DEFAULT_MODEL = 'inception_v3';

export interface LoadModelOptions {
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (loadedBytes: number, totalBytes: number | null) => void;
}

function provenanceOf(files: ModelFiles): TrainingProvenance {
  // nsfwjs kept InceptionV3's ImageNet weights where layers are frozen and fine-tuned the rest.
  if (files.id === 'embedded:inception_v3') return { frozen: 'imagenet', trainable: 'fine-tuned' };
  const trainedOn = String(files.userDefinedMetadata?.['trainedOn'] ?? '').toLowerCase();
  const training: Training = trainedOn === 'imagenet' ? 'imagenet' : 'unknown';
  return { frozen: training, trainable: training };
}

function inputRangeOf(files: ModelFiles): readonly [number, number] {
  const r = files.userDefinedMetadata?.['inputRange'];
  if (Array.isArray(r) && r.length === 2) {
    const [lo, hi] = r as unknown[];
    if (typeof lo === 'number' && typeof hi === 'number' && lo < hi) return [lo, hi];
  }
  return [-1, 1];
}

/** The square input size a layers model declares (batch_input_shape), else 224. */
function defaultSizeOf(topology: unknown): number {
  const layers = (topology as { model_config?: { config?: { layers?: Array<{ config?: { batch_input_shape?: unknown[] } }> } } }).model_config?.config?.layers;
  const h = layers?.[0]?.config?.batch_input_shape?.[1];
  return typeof h === 'number' && h > 0 ? h : 224;
}

export async function loadDreamModel(spec: string = DEFAULT_MODEL, options: LoadModelOptions = {}): Promise<DreamModel> {
  const files = await loadModelFiles(spec, options);
  if (files.format === 'graph-model') return loadGraphDreamModel(files);
  const embedded = files.id === 'embedded:inception_v3';
  return LayersDreamModel.fromArtifacts(files.modelTopology, files.weightSpecs, files.weightData, {
    id: embedded ? DEFAULT_MODEL : files.id,
    description: embedded
      ? 'InceptionV3 (Keras), from nsfwjs: ImageNet weights through mixed5, fine-tuned after'
      : `TF.js layers model from ${files.id}`,
    inputRange: inputRangeOf(files),
    defaultInputSize: defaultSizeOf(files.modelTopology),
    provenance: provenanceOf(files),
  });
}
