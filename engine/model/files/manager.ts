// The model manager behind `reverie models` and the app's model panel: what is installed (embedded +
// cache) and available (the catalogue), the download size before downloading, add and remove.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheKey, commitFolder, defaultCacheDir, listCached, removeCached, writeSource, type CacheEntry } from './cache.ts';
import { catalogueEntry, MODEL_CATALOGUE, type CatalogueEntry } from './registry.ts';
import { downloadPlan, EMBEDDED_MODELS, embeddedFolder, loadModelFiles, readModelFolder } from './source.ts';
import { parseModelJson } from './modelJson.ts';
import { ModelLoadError, ReverieError } from '../../shared/errors.ts';
import { readTextCapped } from './download.ts';

export class ModelManagerError extends ReverieError {
  override name = 'ModelManagerError';
}

export interface ModelListing {
  /** What to type after --model. */
  name: string;
  title: string;
  kind: 'embedded' | 'catalogue' | 'url' | 'folder';
  installed: boolean;
  format: 'layers-model' | 'graph-model';
  /** Bytes on disk when installed; null when not (see probeModel for the download size). */
  bytes: number | null;
  /** What the weights were trained on. */
  training: string;
  /** Whether class objectives are offered, and over which labels. */
  classes: string;
  url?: string;
  source?: string;
  license?: string;
  notes?: string;
}

export interface ManagerOptions {
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (loadedBytes: number, totalBytes: number | null) => void;
  fetchImpl?: typeof fetch;
}

async function folderBytes(folder: string): Promise<number> {
  const names = await readdir(folder);
  const sizes = await Promise.all(names.map((n) => stat(join(folder, n)).then((s) => (s.isFile() ? s.size : 0))));
  return sizes.reduce((a, b) => a + b, 0);
}

/** The format a cached model.json declares (or implies, as parseModelJson detects it). */
async function formatOf(folder: string): Promise<ModelListing['format']> {
  const path = join(folder, 'model.json');
  return readFile(path, 'utf8').then((text) => parseModelJson(path, text).format, () => 'layers-model');
}

const catalogueListing = (e: CatalogueEntry, cached: CacheEntry | undefined): ModelListing => ({
  name: e.name,
  title: e.title,
  kind: 'catalogue',
  installed: cached !== undefined,
  format: e.format,
  bytes: cached?.bytes ?? null,
  training: 'ImageNet',
  classes: e.format === 'layers-model' ? `ImageNet (${e.classes})` : 'not yet (graph model)',
  url: e.url,
  source: e.source,
  license: e.license,
  notes: e.notes,
});

/** Embedded models, then the catalogue (installed or not), then other downloaded or added models. */
export async function listModels(opts: Pick<ManagerOptions, 'cacheDir'> = {}): Promise<ModelListing[]> {
  const cached = await listCached(opts.cacheDir ?? defaultCacheDir());
  const embedded = await Promise.all(
    Object.entries(EMBEDDED_MODELS).map(async ([name, e]): Promise<ModelListing> => ({
      name,
      title: e.description,
      kind: 'embedded',
      installed: true,
      format: 'layers-model',
      bytes: await folderBytes(embeddedFolder(name)).catch(() => null),
      training: String(e.userDefinedMetadata['trainedOn']),
      classes: 'no (its nsfwjs head is not ImageNet)',
      source: `npm package ${e.packageName}, ${e.folder}`,
      license: 'MIT (nsfwjs)',
    })),
  );
  const known = new Set(MODEL_CATALOGUE.map((e) => e.url));
  const catalogue = MODEL_CATALOGUE.map((e) => catalogueListing(e, cached.find((c) => c.url === e.url)));
  const others = await Promise.all(cached
    .filter((c) => !known.has(c.url))
    .map(async (c): Promise<ModelListing> => ({
      name: c.name ?? c.url,
      title: c.url.startsWith('file:') ? `added from ${decodeURIComponent(new URL(c.url).pathname)}` : `downloaded from ${c.url}`,
      kind: c.url.startsWith('file:') ? 'folder' : 'url',
      installed: true,
      format: await formatOf(c.folder),
      bytes: c.bytes,
      training: 'unknown',
      classes: 'if it has an ImageNet head or declares classLabels',
      url: c.url,
    })));
  return [...embedded, ...catalogue, ...others];
}

export interface DownloadSize {
  name: string;
  url: string;
  /** model.json plus every shard. */
  totalBytes: number;
  files: number;
  installed: boolean;
}

/** The download size of a catalogue name or URL, from its model.json alone (no shard is fetched). */
export async function probeModel(spec: string, opts: ManagerOptions = {}): Promise<DownloadSize> {
  const entry = catalogueEntry(spec);
  const url = entry?.url ?? spec;
  if (!/^https?:\/\//i.test(url)) throw new ModelManagerError(`"${spec}" is neither a catalogue model (${MODEL_CATALOGUE.map((e) => e.name).join(', ')}) nor a URL.`);
  const cached = (await listCached(opts.cacheDir ?? defaultCacheDir())).find((c) => c.url === url);
  if (cached) return { name: entry?.name ?? cached.name ?? url, url, totalBytes: cached.bytes, files: cached.files.length + 1, installed: true };
  let text: string;
  try {
    const res = await (opts.fetchImpl ?? fetch)(url, opts.signal ? { signal: opts.signal } : {});
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    text = await readTextCapped(res, url);
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(url, `cannot read model.json (${(err as Error).message}).`);
  }
  const plan = downloadPlan(url, text);
  return { name: entry?.name ?? url, url, totalBytes: plan.totalBytes + Buffer.byteLength(text), files: plan.files.length + 1, installed: false };
}

function checkFreeName(name: string): void {
  if (Object.hasOwn(EMBEDDED_MODELS, name) || catalogueEntry(name)) throw new ModelManagerError(`"${name}" is the name of a built-in or catalogue model; choose another with --name.`);
  if (!/^[\w.-]+$/.test(name)) throw new ModelManagerError(`"${name}" is not a usable model name: use letters, digits, "_", "-" and ".".`);
}

/** A name names one model: another source under the same name is refused (the same source is reinstalled). */
async function checkUnusedName(name: string, url: string, root: string): Promise<void> {
  const taken = (await listCached(root)).find((c) => c.name === name && c.url !== url);
  if (taken) throw new ModelManagerError(`"${name}" already names the model from ${taken.url}; remove it first ("reverie models remove ${name}") or choose another name.`);
}

/**
 * Installs a catalogue name or URL (downloaded into the cache, with progress and resume) or a local
 * folder / model.json (copied into the cache under `name`, default the folder's name). Returns its listing.
 */
export async function addModel(spec: string, opts: ManagerOptions & { name?: string } = {}): Promise<ModelListing> {
  const root = opts.cacheDir ?? defaultCacheDir();
  const s = spec.trim();
  const find = async (url: string) => (await listModels({ cacheDir: root })).find((m) => m.url === url || m.name === s)!;
  if (Object.hasOwn(EMBEDDED_MODELS, s)) return (await listModels({ cacheDir: root })).find((m) => m.name === s)!;
  const entry = catalogueEntry(s);
  if (entry || /^https?:\/\//i.test(s)) {
    const name = entry?.name ?? opts.name;
    const url = entry?.url ?? s;
    if (!entry && name) {
      checkFreeName(name);
      await checkUnusedName(name, url, root);
    }
    await loadModelFiles(entry ? entry.name : url, { ...opts, cacheDir: root, ...(name ? { name } : {}) });
    return find(url);
  }
  const path = resolve(s);
  const jsonPath = path.toLowerCase().endsWith('.json') ? path : join(path, 'model.json');
  const folder = dirname(jsonPath);
  const name = opts.name ?? basename(folder);
  checkFreeName(name);
  await checkUnusedName(name, pathToFileURL(folder).href, root);
  await readModelFolder(jsonPath, folder, opts); // checks model.json and every shard before copying
  const url = pathToFileURL(folder).href;
  await mkdir(root, { recursive: true });
  const tmp = await mkdtemp(join(root, `${cacheKey(url)}.partial-`));
  try {
    const manifest = downloadPlan(jsonPath, await readFile(jsonPath, 'utf8')).files;
    await cp(jsonPath, join(tmp, 'model.json'));
    for (const f of manifest) {
      await mkdir(dirname(join(tmp, f)), { recursive: true });
      await cp(join(folder, f), join(tmp, f));
    }
    await writeSource(tmp, url, manifest, name);
    await commitFolder(tmp, join(root, cacheKey(url)));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return find(url);
}

/** Removes a downloaded or added model from the cache; embedded ones cannot be removed. */
export async function removeModel(spec: string, opts: Pick<ManagerOptions, 'cacheDir'> = {}): Promise<{ name: string; bytes: number }> {
  const root = opts.cacheDir ?? defaultCacheDir();
  const s = spec.trim();
  if (Object.hasOwn(EMBEDDED_MODELS, s)) throw new ModelManagerError(`${s} ships inside Reverie (embedded) and cannot be removed.`);
  const cached = await listCached(root);
  const hit = cached.find((c) => c.url === (catalogueEntry(s)?.url ?? s) || c.name === s);
  if (!hit) throw new ModelManagerError(`"${s}" is not installed; "reverie models" lists what is.`);
  return { name: hit.name ?? hit.url, bytes: await removeCached(hit.url, root) };
}
