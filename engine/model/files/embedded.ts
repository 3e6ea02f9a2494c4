// The models that ship inside Reverie: nsfwjs's InceptionV3 and MobileNetV2, read offline from the
// npm package's UMD .min.js files (a model module plus base64 shard modules).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ModelLoadError } from '../../shared/errors.ts';
import { checkGroupSizes, filesOf, parseModelJson, type ModelFiles } from './modelJson.ts';

export interface EmbeddedModel {
  /** npm package holding the model, and the folder inside it */
  packageName: string;
  folder: string;
  description: string;
  userDefinedMetadata: Record<string, unknown>;
}

export const EMBEDDED_MODELS: Record<string, EmbeddedModel> = {
  inception_v3: {
    packageName: 'nsfwjs',
    folder: 'dist/models/inception_v3',
    description: 'InceptionV3 (Keras 2.2.4) from nsfwjs 4.3: ImageNet weights through mixed5, fine-tuned for nsfwjs from mixed6 onwards.',
    userDefinedMetadata: { trainedOn: 'ImageNet (through mixed5), fine-tuned for nsfwjs after', inputRange: [-1, 1] },
  },
  // GantMan/nsfw_model training/mobilenetv2_transfer: Keras MobileNetV2(weights='imagenet'), frozen, then
  // fine-tuned from block_11_expand on; the saved trainable flags say the same. Input [-1, 1] is Keras
  // MobileNetV2's preprocessing, which its ImageNet layers learned (nsfwjs itself feeds [0, 1]).
  mobilenet_v2: {
    packageName: 'nsfwjs',
    folder: 'dist/models/mobilenet_v2',
    description: 'MobileNetV2 (Keras 2.2.4, alpha 1.0, 224) from nsfwjs 4.3: ImageNet weights through block_10, fine-tuned for nsfwjs from block_11 onwards.',
    userDefinedMetadata: { trainedOn: 'ImageNet (through block_10), fine-tuned for nsfwjs after', inputRange: [-1, 1] },
  },
};

/** The package's root folder; its `exports` block deep paths, so walk up from its main file. */
function packageRoot(name: string): string {
  const require = createRequire(import.meta.url);
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir;
  }
  throw new ModelLoadError(name, 'package root not found above its main file.');
}

/** The installed folder of an embedded model's files. */
export function embeddedFolder(key: string): string {
  const entry = EMBEDDED_MODELS[key];
  if (!entry) throw new ModelLoadError(`embedded:${key}`, `no such embedded model; known: ${Object.keys(EMBEDDED_MODELS).join(', ')}.`);
  return join(packageRoot(entry.packageName), entry.folder);
}

/** Loads an embedded model from its UMD .min.js files (model + base64 shards), offline. */
export function loadEmbedded(key: string): ModelFiles {
  const folder = embeddedFolder(key);
  const entry = EMBEDDED_MODELS[key]!;
  const require = createRequire(import.meta.url);
  // Drop each module from require's cache after use so its 7 MB source string can be collected.
  const load = (file: string): unknown => {
    if (!existsSync(file)) throw new ModelLoadError(file, 'embedded model file missing from the installed package.');
    const out = require(file) as unknown;
    delete require.cache[file];
    return out;
  };
  const modelFile = join(folder, 'model.min.js');
  const model = load(modelFile) as { modelTopology?: unknown; weightsManifest?: unknown };
  const json = parseModelJson(modelFile, JSON.stringify({ modelTopology: model.modelTopology, weightsManifest: model.weightsManifest }));
  const parts: Uint8Array[] = [];
  for (const g of json.groups) {
    const names = g.paths.map((p) => join(folder, `${p}.min.js`));
    const bufs = names.map((name) => {
      const b64 = load(name);
      if (typeof b64 !== 'string') throw new ModelLoadError(name, 'does not export a base64 string.');
      return Buffer.from(b64, 'base64');
    });
    checkGroupSizes(names, bufs.map((b) => b.byteLength), g.weights, modelFile);
    parts.push(...bufs);
  }
  return filesOf(`embedded:${key}`, { ...json, userDefinedMetadata: { ...entry.userDefinedMetadata } }, parts);
}
