// A uniform view of model files, whether embedded in the nsfwjs package, in a folder, or behind a URL.
// Weights stay raw (concatenated shards + specs): the consumer decodes them with tf.io.decodeWeights.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelLoadError } from '../../shared/errors.ts';
import { cachedDownload, defaultCacheDir, listCached, type DownloadOptions } from './cache.ts';
import { catalogueEntry } from './registry.ts';
import { EMBEDDED_MODELS, loadEmbedded } from './embedded.ts';
import { type ModelFiles, specsByteLength, parseModelJson, checkGroupSizes, filesOf } from './modelJson.ts';

export { EMBEDDED_MODELS, embeddedFolder, loadEmbedded, type EmbeddedModel } from './embedded.ts';

export { defaultCacheDir };

export type LoadOptions = DownloadOptions;

/** Reads and checks a model folder (or a model.json inside one). */
export async function readModelFolder(jsonPath: string, id: string, opts: LoadOptions = {}): Promise<ModelFiles> {
  const folder = dirname(jsonPath);
  if (!existsSync(folder)) throw new ModelLoadError(folder, 'folder not found.');
  const text = await readFile(jsonPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ModelLoadError(jsonPath, err.code === 'ENOENT' ? 'model.json not found.' : `cannot read (${err.code}).`);
  });
  const json = parseModelJson(jsonPath, text);
  const total = json.groups.reduce((a, g) => a + specsByteLength(jsonPath, g.weights), 0);
  const parts: Uint8Array[] = [];
  let loaded = 0;
  for (const g of json.groups) {
    const names = g.paths.map((p) => join(folder, p));
    const sizes: number[] = [];
    for (const name of names) {
      opts.signal?.throwIfAborted();
      const size = await stat(name).then((s) => (s.isFile() ? s.size : -1), () => -1);
      if (size < 0) throw new ModelLoadError(name, 'shard file missing (listed in the weightsManifest of model.json).');
      sizes.push(size);
    }
    checkGroupSizes(names, sizes, g.weights, jsonPath);
    for (const name of names) {
      const buf = await readFile(name);
      parts.push(buf);
      opts.onProgress?.((loaded += buf.byteLength), total);
    }
  }
  return filesOf(id, json, parts);
}

/** The shards model.json lists and their byte total: what a download fetches. */
export function downloadPlan(file: string, text: string): { files: string[]; totalBytes: number } {
  const { groups } = parseModelJson(file, text);
  return { files: groups.flatMap((g) => g.paths), totalBytes: groups.reduce((a, g) => a + specsByteLength(file, g.weights), 0) };
}

/** Downloads (or reuses) a URL's model through the cache; `id` names the result. */
function fromUrl(url: string, id: string, opts: LoadOptions): Promise<ModelFiles> {
  // Progress counts the download only, not the re-read of the cached files.
  const read = (folder: string) => readModelFolder(join(folder, 'model.json'), id, opts.signal ? { signal: opts.signal } : {});
  return cachedDownload(url, opts, downloadPlan, read);
}

/**
 * spec: '' | 'inception_v3' | 'embedded:<name>' → embedded; a catalogue name (registry.ts) or
 * 'http(s)://…/model.json' → downloaded into the cache (offline once cached); the name of a model
 * added from a folder (`reverie models add PATH`) → its cached copy; anything else is a folder or a
 * model.json path (file:// URLs too). Names win over same-named folders in the working directory;
 * write ./name for those.
 */
export async function loadModelFiles(spec: string, opts: LoadOptions = {}): Promise<ModelFiles> {
  opts.signal?.throwIfAborted();
  const s = spec.trim();
  if (s === '' || s.startsWith('embedded:') || Object.hasOwn(EMBEDDED_MODELS, s)) {
    return loadEmbedded(s === '' ? 'inception_v3' : s.replace(/^embedded:/, ''));
  }
  const entry = catalogueEntry(s);
  if (entry && entry.name === s) {
    const files = await fromUrl(entry.url, entry.name, { ...opts, name: entry.name });
    const known = { trainedOn: 'imagenet', inputRange: [...entry.inputRange], defaultInputSize: entry.inputSize };
    return { ...files, userDefinedMetadata: { ...files.userDefinedMetadata, ...known } };
  }
  if (/^https?:\/\//i.test(s)) return fromUrl(s, s, opts);
  if (/^[\w.-]+$/.test(s) && !existsSync(s)) {
    const added = (await listCached(opts.cacheDir)).find((e) => e.name === s);
    if (added) return readModelFolder(join(added.folder, 'model.json'), s, opts);
  }
  const path = resolve(s.startsWith('file:') ? fileURLToPath(s) : s);
  const isJson = path.toLowerCase().endsWith('.json');
  const jsonPath = isJson ? path : join(path, 'model.json');
  return readModelFolder(jsonPath, isJson && !path.endsWith('/model.json') ? path : dirname(jsonPath), opts);
}

