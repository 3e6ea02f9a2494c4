// Downloads a model.json and its shards into a per-URL cache folder. Files land in a temp folder that is
// renamed into place only after every file arrived and checked out, so a folder that exists is complete.
// Each file's SHA-256 is recorded in source.json and verified before a cached copy is reused.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ModelLoadError } from '../../shared/errors.ts';
import { downloadFile, MAX_MODEL_BYTES, MAX_MODEL_JSON_BYTES } from './download.ts';

export interface DownloadOptions {
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (loadedBytes: number, totalBytes: number | null) => void;
  fetchImpl?: typeof fetch;
  /** Recorded in source.json, so `reverie models` can show and remove the entry by name. */
  name?: string;
  /** Known SHA-256 per file (paths relative to model.json, 'model.json' included): a mismatch is refused. */
  expectedSha256?: Record<string, string>;
}

/** What model.json asks for: shard paths relative to it, and their byte total if known. */
export interface DownloadPlan {
  files: string[];
  totalBytes: number | null;
}

export interface CachedFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** source.json: where a cache folder came from and what it holds. */
export interface SourceRecord {
  url: string;
  name?: string;
  downloadedAt: string;
  /** The shards (model.json is `modelJson`). */
  files: CachedFile[];
  modelJson?: CachedFile;
}

const STALE_PARTIAL_MS = 60 * 60 * 1000;

/** $REVERIE_CACHE_DIR, else $XDG_CACHE_HOME/reverie/models, else ~/.cache/reverie/models. */
export function defaultCacheDir(): string {
  const env = (k: string) => process.env[k] || undefined;
  return env('REVERIE_CACHE_DIR') ?? join(env('XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'reverie', 'models');
}

/** The cache folder name for a URL: first 16 hex digits of its SHA-256. */
export function cacheKey(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

/** A shard's URL: relative to model.json, with model.json's query (TF Hub's ?tfjs-format=file) kept, as tfjs does. */
export function shardUrl(modelJsonUrl: string, path: string): string {
  const u = new URL(path, modelJsonUrl);
  // However the path is spelled, the shard must sit in model.json's folder (or below it) on the same server.
  const folder = new URL('.', modelJsonUrl);
  if (u.origin !== folder.origin || !u.pathname.startsWith(folder.pathname)) throw new ModelLoadError(modelJsonUrl, `weightsManifest path ${JSON.stringify(path)} leaves the model's folder.`);
  if (!u.search) u.search = new URL(modelJsonUrl).search;
  return u.href;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function readSource(folder: string): Promise<SourceRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(join(folder, 'source.json'), 'utf8')) as SourceRecord;
    return typeof r.url === 'string' && Array.isArray(r.files) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The first file whose bytes no longer match their recorded SHA-256 (copies made before checksums pass). */
export async function verifyCached(folder: string, record: SourceRecord): Promise<string | null> {
  for (const f of [...(record.modelJson ? [{ ...record.modelJson, path: 'model.json' }] : []), ...record.files]) {
    if (!f.sha256) continue;
    const actual = await sha256File(join(folder, f.path)).catch(() => 'missing');
    if (actual !== f.sha256) return f.path;
  }
  return null;
}

/** Hashes the folder's files and writes source.json: the last step before it is renamed into place. */
export async function writeSource(folder: string, url: string, files: readonly string[], name?: string): Promise<SourceRecord> {
  const entry = async (path: string): Promise<CachedFile> => ({ path, bytes: (await stat(join(folder, path))).size, sha256: await sha256File(join(folder, path)) });
  const record: SourceRecord = { url, ...(name ? { name } : {}), downloadedAt: new Date().toISOString(), files: await Promise.all(files.map(entry)), modelJson: await entry('model.json') };
  await writeFile(join(folder, 'source.json'), JSON.stringify(record, null, 2));
  return record;
}

/** Moves a finished temp folder over the final one (another process may have finished first: ours wins). */
export async function commitFolder(tmp: string, final: string): Promise<void> {
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final).catch(() => undefined);
}

/**
 * Opens the cached copy of `url` with no network access when it is complete and its checksums hold;
 * otherwise downloads it (plan() lists the shards named by model.json) and opens the fresh copy.
 * Errors: ModelLoadError naming the URL at fault; an abort rejects with the signal's reason.
 */
export async function cachedDownload<T>(
  url: string,
  opts: DownloadOptions,
  plan: (file: string, modelJsonText: string) => DownloadPlan,
  open: (folder: string) => Promise<T>,
): Promise<T> {
  const root = opts.cacheDir ?? defaultCacheDir();
  const key = cacheKey(url);
  const final = join(root, key);
  const cached = await readSource(final);
  if (cached?.url === url && (await verifyCached(final, cached)) === null) {
    try {
      return await open(final);
    } catch (err) {
      if (!(err instanceof ModelLoadError)) throw err;
    }
  }
  if (cached) await rm(final, { recursive: true, force: true }); // corrupted on disk: fetch it again
  opts.signal?.throwIfAborted();
  await mkdir(root, { recursive: true });
  await removeStalePartials(root, key);
  const tmp = await mkdtemp(join(root, `${key}.partial-`));
  try {
    const fetchImpl = opts.fetchImpl ?? fetch;
    await downloadFile(fetchImpl, url, join(tmp, 'model.json'), { signal: opts.signal, maxBytes: MAX_MODEL_JSON_BYTES });
    await checkPinned(opts, tmp, 'model.json', url);
    const p = plan(url, await readFile(join(tmp, 'model.json'), 'utf8'));
    if (p.totalBytes !== null && p.totalBytes > MAX_MODEL_BYTES) throw new ModelLoadError(url, `its weights take ${p.totalBytes} bytes, more than the ${MAX_MODEL_BYTES} Reverie downloads.`);
    let loaded = 0;
    opts.onProgress?.(0, p.totalBytes);
    for (const f of p.files) {
      const dest = join(tmp, f);
      await mkdir(dirname(dest), { recursive: true });
      // The shards together hold exactly the weights model.json declares: none may bring more.
      const room = (p.totalBytes ?? MAX_MODEL_BYTES) - loaded;
      await downloadFile(fetchImpl, shardUrl(url, f), dest, { signal: opts.signal, maxBytes: room, onBytes: (n) => opts.onProgress?.((loaded += n), p.totalBytes) });
      await checkPinned(opts, tmp, f, shardUrl(url, f));
    }
    let result: T;
    try {
      result = await open(tmp);
    } catch (err) {
      // Name the remote file, not the temp copy.
      if (err instanceof ModelLoadError && err.file.startsWith(tmp)) {
        const rel = err.file.slice(tmp.length + 1).replaceAll('\\', '/');
        throw new ModelLoadError(rel === 'model.json' || rel === '' ? url : shardUrl(url, rel), err.problem);
      }
      throw err;
    }
    await writeSource(tmp, url, p.files, opts.name);
    await commitFolder(tmp, final);
    return result;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function checkPinned(opts: DownloadOptions, folder: string, path: string, url: string): Promise<void> {
  const want = opts.expectedSha256?.[path];
  if (!want) return;
  const got = await sha256File(join(folder, path));
  if (got !== want.toLowerCase()) throw new ModelLoadError(url, `checksum mismatch: SHA-256 ${got}, expected ${want} (corrupt or changed file).`);
}

/** Temp folders left by killed processes; recent ones may belong to a download still running. */
async function removeStalePartials(root: string, key: string): Promise<void> {
  for (const name of await readdir(root)) {
    if (!name.startsWith(`${key}.partial-`)) continue;
    const path = join(root, name);
    const s = await stat(path).catch(() => null);
    if (s && Date.now() - s.mtimeMs > STALE_PARTIAL_MS) await rm(path, { recursive: true, force: true });
  }
}

export interface CacheEntry extends SourceRecord {
  key: string;
  folder: string;
  /** model.json and shards. */
  bytes: number;
}

/** Every complete entry of the cache (folders with a readable source.json), oldest first. */
export async function listCached(root = defaultCacheDir()): Promise<CacheEntry[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const entries: CacheEntry[] = [];
  for (const key of names) {
    if (key.includes('.partial-')) continue;
    const folder = join(root, key);
    const record = await readSource(folder);
    if (!record) continue;
    const bytes = record.files.reduce((a, f) => a + f.bytes, record.modelJson?.bytes ?? 0);
    entries.push({ ...record, key, folder, bytes });
  }
  return entries.sort((a, b) => a.downloadedAt.localeCompare(b.downloadedAt));
}

/** Removes the cached copy of a URL; the bytes it held, or 0 when there was none. */
export async function removeCached(url: string, root = defaultCacheDir()): Promise<number> {
  const folder = join(root, cacheKey(url));
  const record = await readSource(folder);
  if (record?.url !== url) return 0;
  const bytes = record.files.reduce((a, f) => a + f.bytes, record.modelJson?.bytes ?? 0);
  await rm(folder, { recursive: true, force: true });
  return bytes;
}
