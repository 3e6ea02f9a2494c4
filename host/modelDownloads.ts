// Model downloads the app started: each runs in the host (network and disk, no engine), reports
// its bytes as `models.download` events a few times a second, and can be cancelled. The engine's
// addModel does the work: resume, checksums, a cache folder that exists only when complete.
import { randomBytes } from 'node:crypto';
import type { ModelDownload, ModelInfo } from '../contract/models.ts';
import { addModel, type ModelListing } from '../engine/model/files/manager.ts';
import { errorInfo } from './protocol.ts';
import { BusyError } from './validate.ts';

export interface DownloadHooks {
  cacheDir: string;
  /** The listing as the app shows it. */
  info(listing: ModelListing): Promise<ModelInfo>;
  report(download: ModelDownload): void;
  /** Minimum time between progress events. */
  intervalMs?: number;
  fetchImpl?: typeof fetch;
}

export class ModelDownloads {
  private readonly running = new Map<string, { spec: string; controller: AbortController; done: Promise<void> }>();

  constructor(private readonly hooks: DownloadHooks) {}

  /** Starts one; a second download of the same spec while the first runs is refused. */
  start(spec: string, name?: string): ModelDownload {
    if ([...this.running.values()].some((d) => d.spec === spec)) throw new BusyError(`${spec} is already downloading.`);
    const downloadId = `dl-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const controller = new AbortController();
    const state: ModelDownload = { downloadId, spec, state: 'downloading', loadedBytes: 0, totalBytes: null };
    const interval = this.hooks.intervalMs ?? 200;
    let last = -Infinity;
    const onProgress = (loadedBytes: number, totalBytes: number | null): void => {
      Object.assign(state, { loadedBytes, totalBytes });
      const now = performance.now();
      if (now - last < interval) return;
      last = now;
      this.hooks.report({ ...state });
    };
    const done = addModel(spec, {
      cacheDir: this.hooks.cacheDir,
      signal: controller.signal,
      onProgress,
      ...(name ? { name } : {}),
      ...(this.hooks.fetchImpl ? { fetchImpl: this.hooks.fetchImpl } : {}),
    })
      .then(async (listing) => {
        const model = await this.hooks.info(listing);
        this.hooks.report({ ...state, state: 'done', loadedBytes: state.totalBytes ?? state.loadedBytes, model });
      })
      .catch((err: unknown) => {
        this.hooks.report(controller.signal.aborted ? { ...state, state: 'cancelled' } : { ...state, state: 'failed', error: errorInfo(err) });
      })
      .finally(() => this.running.delete(downloadId));
    this.running.set(downloadId, { spec, controller, done });
    return { ...state };
  }

  cancel(downloadId: string): boolean {
    const d = this.running.get(downloadId);
    d?.controller.abort(new Error('Cancelled.'));
    return d !== undefined;
  }

  /** Cancels every download and waits for each to end (hosts call this when closing). */
  async close(): Promise<void> {
    const all = [...this.running.values()];
    for (const d of all) d.controller.abort(new Error('Closing.'));
    await Promise.all(all.map((d) => d.done));
  }
}
