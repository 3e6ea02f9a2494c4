// Downloads a model.json and its shards into a per-URL cache folder. Files land in a temp folder that is
// renamed into place only after every file arrived and checked out, so a folder that exists is complete.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ModelLoadError } from './types.ts';

export interface DownloadOptions {
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (loadedBytes: number, totalBytes: number | null) => void;
  fetchImpl?: typeof fetch;
}

/** What model.json asks for: shard paths relative to it, and their byte total if known. */
export interface DownloadPlan {
  files: string[];
  totalBytes: number | null;
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

/**
 * Opens the cached copy of `url` with no network access when it is complete and valid; otherwise
 * downloads it (plan() lists the shards named by model.json) and opens the fresh copy.
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
  if (cached === url) {
    try {
      return await open(final);
    } catch (err) {
      if (!(err instanceof ModelLoadError)) throw err;
      await rm(final, { recursive: true, force: true }); // corrupted on disk: fetch it again
    }
  }
  opts.signal?.throwIfAborted();
  await mkdir(root, { recursive: true });
  await removeStalePartials(root, key);
  const tmp = await mkdtemp(join(root, `${key}.partial-`));
  try {
    const fetchImpl = opts.fetchImpl ?? fetch;
    await download(fetchImpl, url, join(tmp, 'model.json'), opts.signal);
    const p = plan(url, await readFile(join(tmp, 'model.json'), 'utf8'));
    let loaded = 0;
    opts.onProgress?.(0, p.totalBytes);
    for (const f of p.files) {
      const dest = join(tmp, f);
      await mkdir(dirname(dest), { recursive: true });
      await download(fetchImpl, new URL(f, url).href, dest, opts.signal, (n) => opts.onProgress?.((loaded += n), p.totalBytes));
    }
    let result: T;
    try {
      result = await open(tmp);
    } catch (err) {
      // Name the remote file, not the temp copy.
      if (err instanceof ModelLoadError && err.file.startsWith(tmp)) {
        const rel = err.file.slice(tmp.length + 1).replaceAll('\\', '/');
        throw new ModelLoadError(rel === 'model.json' || rel === '' ? url : new URL(rel, url).href, err.problem);
      }
      throw err;
    }
    const files = await Promise.all(p.files.map(async (f) => ({ path: f, bytes: (await stat(join(tmp, f))).size })));
    await writeFile(join(tmp, 'source.json'), JSON.stringify({ url, downloadedAt: new Date().toISOString(), files }, null, 2));
    await rm(final, { recursive: true, force: true });
    await rename(tmp, final).catch(() => undefined); // another process may have finished first; ours is in memory
    return result;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function readSource(folder: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(folder, 'source.json'), 'utf8')) as { url?: string }).url;
  } catch {
    return undefined;
  }
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

/** Streams one URL to a file, checking Content-Length when the body is not re-encoded. */
async function download(fetchImpl: typeof fetch, url: string, dest: string, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<void> {
  const fail = (what: string, err: unknown): never => {
    if (signal?.aborted) throw signal.reason;
    throw new ModelLoadError(url, `${what} (${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}).`);
  };
  let res: Response;
  try {
    res = await fetchImpl(url, signal ? { signal } : {});
  } catch (err) {
    return fail('download failed', err);
  }
  if (!res.ok || !res.body) throw new ModelLoadError(url, `download failed: HTTP ${res.status} ${res.statusText}`.trim() + '.');
  const declared = res.headers.get('content-encoding') ? null : Number(res.headers.get('content-length') ?? NaN);
  const out = createWriteStream(dest);
  const closed = once(out, 'close');
  let received = 0;
  let failure: unknown;
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (!out.write(value)) await once(out, 'drain');
      onBytes?.(value.byteLength);
    }
  } catch (err) {
    failure = err;
  }
  out.end();
  await closed;
  if (failure !== undefined) fail(`download interrupted after ${received} bytes`, failure);
  if (declared !== null && Number.isFinite(declared) && received !== declared) {
    throw new ModelLoadError(url, `download ended after ${received} of ${declared} bytes.`);
  }
}
