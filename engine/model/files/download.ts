// Streams one URL to a file. A connection that drops mid-file is resumed with an HTTP Range request
// (a server that ignores Range sends the whole file again, which then replaces the partial one).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { ModelLoadError } from '../../shared/errors.ts';

export interface FileDownloadOptions {
  signal?: AbortSignal | undefined;
  /** Called with each chunk's size; bytes of a restarted file are only counted past what was seen. */
  onBytes?: ((n: number) => void) | undefined;
  /** Resumes after an interrupted transfer (default 3). */
  resumes?: number | undefined;
  /** Refuses a file larger than this, announced or as it arrives (default MAX_MODEL_BYTES). */
  maxBytes?: number | undefined;
}

/** The largest model Reverie downloads (all shards), and the largest model.json. */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3;
export const MAX_MODEL_JSON_BYTES = 64 * 1024 ** 2;

function tooLarge(url: string, max: number): ModelLoadError {
  return new ModelLoadError(url, `larger than the ${max} bytes it may have; not downloaded.`);
}

/** A response's text, refused past `max` bytes (model.json before its size is known). */
export async function readTextCapped(res: Response, url: string, max = MAX_MODEL_JSON_BYTES): Promise<string> {
  if (Number(res.headers.get('content-length') ?? 0) > max) throw tooLarge(url, max);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const chunk = reader ? await reader.read() : null;
    if (!chunk || chunk.done) break;
    const value = chunk.value;
    size += value.byteLength;
    if (size > max) {
      await reader!.cancel();
      throw tooLarge(url, max);
    }
    parts.push(value);
  }
  return Buffer.concat(parts, size).toString('utf8');
}

const RESUME_DELAY_MS = 100;

function reasonOf(err: unknown): string {
  return err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
}

/** Total size from "bytes 100-999/1000", and the first byte it starts at. */
function contentRange(header: string | null): { start: number; total: number | null } | null {
  const m = header ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim()) : null;
  return m ? { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) } : null;
}

export async function downloadFile(fetchImpl: typeof fetch, url: string, dest: string, opts: FileDownloadOptions = {}): Promise<void> {
  const { signal } = opts;
  const max = opts.maxBytes ?? MAX_MODEL_BYTES;
  const fail = (what: string, err: unknown): never => {
    if (signal?.aborted) throw signal.reason;
    throw new ModelLoadError(url, `${what} (${reasonOf(err)}).`);
  };
  let have = 0; // bytes on disk
  let counted = 0; // bytes reported through onBytes
  let total: number | null = null;
  for (let attempt = 0; ; attempt++) {
    const resuming = have > 0;
    let res: Response;
    try {
      res = await fetchImpl(url, { ...(signal ? { signal } : {}), ...(resuming ? { headers: { range: `bytes=${have}-` } } : {}) });
    } catch (err) {
      return fail(resuming ? `download interrupted after ${have} bytes and could not resume` : 'download failed', err);
    }
    const partial = resuming && res.status === 206 && contentRange(res.headers.get('content-range'))?.start === have;
    if (!res.ok || !res.body) throw new ModelLoadError(url, `download failed: HTTP ${res.status} ${res.statusText}`.trim() + '.');
    if (!partial) have = 0; // a full answer replaces whatever arrived before
    const length = res.headers.get('content-encoding') ? NaN : Number(res.headers.get('content-length') ?? NaN);
    total = partial ? (contentRange(res.headers.get('content-range'))?.total ?? null) : Number.isFinite(length) ? length : null;
    if (total !== null && total > max) {
      await res.body.cancel();
      throw tooLarge(url, max);
    }
    const out = createWriteStream(dest, { flags: partial ? 'a' : 'w' });
    const closed = once(out, 'close');
    let failure: unknown;
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        have += value.byteLength;
        if (have > max) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge(url, max);
        }
        if (!out.write(value)) await once(out, 'drain');
        if (have > counted) {
          opts.onBytes?.(have - counted);
          counted = have;
        }
      }
    } catch (err) {
      failure = err;
    }
    out.end();
    await closed;
    if (failure instanceof ModelLoadError) throw failure; // too large: resuming would not help
    if (failure === undefined) {
      if (total !== null && have !== total) throw new ModelLoadError(url, `download ended after ${have} of ${total} bytes.`);
      return;
    }
    if (signal?.aborted) throw signal.reason;
    if (attempt >= (opts.resumes ?? 3)) fail(`download interrupted after ${have} bytes`, failure);
    await new Promise((resolve) => setTimeout(resolve, RESUME_DELAY_MS * (attempt + 1)));
  }
}
