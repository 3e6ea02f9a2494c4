// The contract implemented on Node: one handler per invoke channel, plus the event stream.
// Both hosts run it: the browser-mode server over HTTP/WS, Electron main over IPC.
import { join } from 'node:path';
import type { Handlers, HostEvent } from '../../contract/channels.ts';
import type { FileBytes, GalleryItem, HostMode, SaveOutcome } from '../../contract/types.ts';
import { parseRecipe } from '../../engine/render/recipe.ts';
import { Engine, type LaunchEngine } from './engine.ts';
import { Gallery, newGalleryId } from './gallery.ts';
import { InputStore } from './inputs.ts';
import { JobQueue } from './jobs.ts';
import { recipeFromPngBytes } from './pngRecipe.ts';
import { BadRequestError, requireFileBytes, requireId, requireInt, requireObject } from './validate.ts';

export interface ServiceOptions {
  dataDir: string;
  mode: HostMode;
  appVersion: string;
  launchEngine: LaunchEngine;
  /** How the renderer reaches a file under dataDir ("gallery/<id>/result.png" → URL). */
  fileUrl: (relative: string) => string;
  /** Host-specific: a save dialog in Electron, a download in the browser. */
  saveResult: (item: GalleryItem, pngPath: string) => Promise<SaveOutcome>;
  /** Host-specific: a native open dialog in Electron; browser mode has none (the page picks files). */
  openFile: (purpose: 'image' | 'recipe') => Promise<FileBytes | null>;
  /** Minimum time between live previews (a few per second by default). */
  previewIntervalMs?: number;
}

export interface Service {
  handlers: Handlers;
  subscribe(listener: (event: HostEvent) => void): () => void;
  readonly busy: boolean;
  close(): Promise<void>;
}

export function createService(options: ServiceOptions): Service {
  const listeners = new Set<(event: HostEvent) => void>();
  const emit = (event: HostEvent): void => {
    for (const l of listeners) l(event);
  };
  const inputs = new InputStore(join(options.dataDir, 'inputs'), options.fileUrl);
  const gallery = new Gallery(join(options.dataDir, 'gallery'), options.fileUrl);
  const engine = new Engine(options.launchEngine, { appVersion: options.appVersion, previewIntervalMs: options.previewIntervalMs ?? 300 }, (status) =>
    emit({ channel: 'engine.changed', payload: status }),
  );
  const queue = new JobQueue(
    engine,
    async (spec, done) => {
      const { name, width, height, display } = await inputs.record(spec.inputId);
      const record = {
        version: 1 as const,
        id: newGalleryId(),
        kind: 'dream' as const,
        createdAt: new Date().toISOString(),
        input: { id: spec.inputId, name, width, height, display },
        recipe: spec.recipe,
        maxSide: spec.maxSide,
        width: done.width,
        height: done.height,
        backend: done.backend,
        elapsedMs: Math.round(done.elapsedMs),
      };
      return gallery.add(record, done.png, done.thumb);
    },
    emit,
  );
  engine.start();

  const handlers: Handlers = {
    'app.info': async () => ({ version: options.appVersion, mode: options.mode, dataDir: options.dataDir }),
    'engine.status': async () => engine.status,
    'model.layers': async () => {
      await engine.whenReady();
      return engine.layers;
    },
    'image.import': async (request) => inputs.import(requireFileBytes(request)),
    'recipe.fromPng': async (request) => recipeFromPngBytes(requireFileBytes(request)),
    'dream.start': async (request) => {
      const req = requireObject(request, 'The dream request');
      const inputId = requireId(req['inputId'], 'The input id');
      const recipe = parseRecipe(req['recipe'], 'recipe');
      const maxSide = requireInt(req['maxSide'], 'The image size', 64, 8192);
      const input = await inputs.record(inputId);
      return queue.enqueue('dream', { inputId, inputPath: inputs.sourcePath(inputId), inputName: input.name, maxSide, recipe });
    },
    'job.cancel': async (request) => ({ cancelled: queue.cancel(requireId(requireObject(request, 'The request')['jobId'], 'The job id')) }),
    'job.list': async () => queue.list(),
    'gallery.list': async () => gallery.list(),
    'gallery.delete': async (request) => {
      const deleted = await gallery.remove(requireId(requireObject(request, 'The request')['id'], 'The gallery id'));
      if (deleted) emit({ channel: 'gallery.changed', payload: {} });
      return { deleted };
    },
    'result.save': async (request) => {
      const item = await gallery.get(requireId(requireObject(request, 'The request')['id'], 'The gallery id'));
      return options.saveResult(item, gallery.resultPath(item.id));
    },
    'dialog.openFile': async (request) => {
      const purpose = requireObject(request, 'The request')['purpose'];
      if (purpose !== 'image' && purpose !== 'recipe') throw new BadRequestError('purpose must be "image" or "recipe".');
      return options.openFile(purpose);
    },
  };

  return {
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get busy() {
      return queue.busy;
    },
    close: () => engine.stop(),
  };
}
