// One entry point for every model a user can name: embedded id, catalogue name, folder, model.json or URL.
import { EMBEDDED_MODELS, loadModelFiles } from './files/source.ts';
import type { ModelFiles } from './files/modelJson.ts';
import { loadGraphDreamModel } from './graphModel.ts';
import { LayersDreamModel } from './layersModel.ts';
import type { TrainingProvenance } from './layerList.ts';
import { attachClassLabels } from './classes.ts';
import { curatedLayerNames } from './curated.ts';
import type { DreamModel, Training } from '../shared/model.ts';

export const DEFAULT_MODEL = 'inception_v3';

export interface LoadModelOptions {
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (loadedBytes: number, totalBytes: number | null) => void;
  fetchImpl?: typeof fetch;
}

/** 'inception_v3' for 'embedded:inception_v3'; null for other models. */
function embeddedName(files: ModelFiles): string | null {
  const name = files.id.startsWith('embedded:') ? files.id.slice('embedded:'.length) : null;
  return name !== null && Object.hasOwn(EMBEDDED_MODELS, name) ? name : null;
}

function provenanceOf(files: ModelFiles, curated: readonly string[]): TrainingProvenance {
  // nsfwjs kept the ImageNet weights where layers are frozen and fine-tuned the rest (both models).
  if (embeddedName(files)) return { frozen: 'imagenet', trainable: 'fine-tuned', curated };
  const trainedOn = String(files.userDefinedMetadata?.['trainedOn'] ?? '').toLowerCase();
  const training: Training = trainedOn === 'imagenet' ? 'imagenet' : 'unknown';
  return { frozen: training, trainable: training, curated };
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
  const embedded = embeddedName(files);
  // Recipes name a model the way the user did: embedded and catalogue models by name, others by path/URL.
  const id = embedded ?? files.id;
  const model = LayersDreamModel.fromArtifacts(files.modelTopology, files.weightSpecs, files.weightData, {
    id,
    description: embedded ? EMBEDDED_MODELS[embedded]!.description : `TF.js layers model from ${files.id}`,
    inputRange: inputRangeOf(files),
    defaultInputSize: defaultSizeOf(files.modelTopology),
    provenance: provenanceOf(files, curatedLayerNames(id)),
  });
  attachClassLabels(model, files.userDefinedMetadata?.['classLabels']);
  return model;
}
