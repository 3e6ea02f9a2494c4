// The contract implemented on Node: one handler per invoke channel, plus the event stream.
// Both hosts run it: the browser-mode server over HTTP/WS, Electron main over IPC. Handlers are
// grouped by area (dreams and the app here; zoom, sessions and the gallery in their own files).
import { join } from 'node:path';
import type { Handlers, HostEvent } from '../contract/channels.ts';
import { defaultCacheDir } from '../engine/model/files/cache.ts';
import { parseRecipe } from '../engine/recipe/recipe.ts';
import { configDir as defaultConfigDir } from '../engine/settings/paths.ts';
import { loadSettings, updateSettings } from '../engine/settings/settings.ts';
import type { ServiceContext, ServiceOptions } from './context.ts';
import { Engine } from './engine.ts';
import { finishJob, progressView } from './finish.ts';
import { displayPath } from './files.ts';
import { Gallery } from './gallery.ts';
import { galleryHandlers } from './galleryHandlers.ts';
import { atlasHandlers } from './atlasHandlers.ts';
import { AtlasFolders, type AtlasRoots } from './atlasFolders.ts';
import { farmFor, farmHandlers } from './farm/farmHandlers.ts';
import { inspectHandlers } from './inspectHandlers.ts';
import { InputStore } from './inputs.ts';
import { modelHandlers, requireActiveModel } from './modelHandlers.ts';
import { launchSettings, settingsHandlers } from './settingsHandlers.ts';
import { JobQueue } from './jobs.ts';
import { recipeFromPngBytes } from './pngRecipe.ts';
import { sessionHandlers } from './sessionHandlers.ts';
import { SessionStore } from './sessionStore.ts';
import { BadRequestError, requireFileBytes, requireId, requireInt, requireObject } from './validate.ts';
import { dreamRequestAssets } from './dreamAssets.ts';
import { zoomHandlers } from './zoomHandlers.ts';
import { ZoomStore } from './zoomStore.ts';
import { windowModelFiles, type WindowModelFiles } from './windowModel.ts';
import { WindowDevice } from './windowDevice.ts';
import { isWindowDevice, windowBackendChoice } from '../engine/windowDevice/choice.ts';
import { WINDOW_MODEL_PATH } from '../contract/browserAuth.ts';

export type { ServiceOptions } from './context.ts';

export interface Service {
  handlers: Handlers;
  subscribe(listener: (event: HostEvent) => void): () => void;
  readonly busy: boolean;
  /** The active model's files for the window's gradient worker (served read-only, session-gated). */
  windowModelFiles(): Promise<WindowModelFiles>;
  /** The open windows as a gradient device: transports attach each page's link. */
  readonly window: WindowDevice;
  /** Atlas folders the user opened from anywhere: transports serve their pictures under /files/atlas-folders/. */
  readonly atlasFolders: AtlasRoots;
  close(): Promise<void>;
}

export function createService(options: ServiceOptions): Service {
  const listeners = new Set<(event: HostEvent) => void>();
  const emit = (event: HostEvent): void => {
    for (const l of listeners) l(event);
  };
  const configDir = options.configDir ?? defaultConfigDir();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  // The engine starts on the model and backend used last (read before anything is served).
  const saved = launchSettings(configDir);
  const engine = new Engine(
    options.launchEngine,
    { appVersion: options.appVersion, previewIntervalMs: options.previewIntervalMs ?? 300 },
    (status) => emit({ channel: 'engine.changed', payload: status }),
    { model: saved.lastUsed.model ?? 'inception_v3', backend: saved.backend, device: saved.device, cacheDir },
  );
  const atlasFolders = new AtlasFolders(options.dataDir);
  const windowDevice = new WindowDevice(() => ({ modelId: engine.spec.model, modelUrl: WINDOW_MODEL_PATH }));
  const ctx: ServiceContext = {
    options,
    engine,
    window: windowDevice,
    emit,
    inputs: new InputStore(join(options.dataDir, 'inputs'), options.fileUrl),
    gallery: new Gallery(join(options.dataDir, 'gallery'), options.fileUrl),
    zooms: new ZoomStore(join(options.dataDir, 'zoom'), options.fileUrl, (id) => ctx.queue.jobFor(id, ['zoom'])),
    sessions: new SessionStore(join(options.dataDir, 'sessions'), options.fileUrl, (id) => ctx.queue.jobFor(id, ['session-dream'])),
    previewsDir: join(options.dataDir, 'previews'),
    configDir,
    cacheDir,
    queue: new JobQueue(engine, { finish: (spec, done, target) => finishJob(ctx, spec, done, target), progress: (jobId, kind, p) => progressView(ctx, jobId, kind, p) }, emit),
  };
  const { inputs, gallery, queue } = ctx;
  // Tiles the engine sends to the window device; a refusal sends the engine to its CPU route.
  engine.windowTile = (tile) =>
    windowDevice.gradient(tile.pixels, tile.height, tile.width, tile.terms, windowBackendChoice(isWindowDevice(engine.spec.device) ? engine.spec.device : 'window')).then(
      (r) => ({ type: 'window-tile-result', tileId: tile.tileId, ok: true, value: r.value, gradient: r.gradient, backend: r.backend, adapter: r.adapter }),
      (err: unknown) => ({ type: 'window-tile-result', tileId: tile.tileId, ok: false, message: (err as Error).message }),
    );
  const models = modelHandlers(ctx);
  engine.start();

  const handlers: Handlers = {
    // The folder as the user would find it, never an absolute path (a page has no use for one).
    'app.info': async () => ({ version: options.appVersion, mode: options.mode, dataDir: displayPath(options.dataDir) }),
    'engine.status': async () => engine.status,
    'model.layers': async () => {
      await engine.whenReady();
      return engine.layers;
    },
    'image.import': async (request) => inputs.import(requireFileBytes(request)),
    'recipe.fromPng': async (request) => recipeFromPngBytes(requireFileBytes(request), (file) => inputs.import(file)),
    'dream.start': async (request) => {
      const req = requireObject(request, 'The dream request');
      const inputId = requireId(req['inputId'], 'The input id');
      let recipe = parseRecipe(req['recipe'], 'recipe');
      const maxSide = requireInt(req['maxSide'], 'The image size', 64, 8192);
      const withAssets = await dreamRequestAssets(req, recipe, inputs);
      recipe = withAssets.recipe;
      const assets = withAssets.assets;
      requireActiveModel(ctx, recipe);
      const farm = await farmFor(req['farm'], configDir);
      const input = await inputs.record(inputId);
      // The recipe is remembered as the last used, so the next launch starts from it.
      await updateSettings((s) => ({ ...s, lastUsed: { ...s.lastUsed, model: recipe.model, recipe } }), configDir);
      return queue.enqueue({ kind: 'dream', inputId, inputPath: inputs.sourcePath(inputId), inputName: input.name, maxSide, recipe, ...(assets.length ? { assets } : {}), ...(farm ? { farm } : {}) });
    },
    'job.cancel': async (request) => ({ cancelled: queue.cancel(requireId(requireObject(request, 'The request')['jobId'], 'The job id')) }),
    'job.list': async () => queue.list(),
    'result.save': async (request) => {
      const item = await gallery.get(requireId(requireObject(request, 'The request')['id'], 'The gallery id'));
      const folder = (await loadSettings(configDir)).value.outputFolder;
      return options.saveResult(item, gallery.resultPath(item.id), folder);
    },
    'dialog.openFile': async (request) => {
      const purpose = requireObject(request, 'The request')['purpose'];
      if (purpose !== 'image' && purpose !== 'recipe' && purpose !== 'preset') throw new BadRequestError('purpose must be "image", "recipe" or "preset".');
      return options.openFile(purpose);
    },
    'dialog.openModelFolder': async () => {
      const path = await options.openModelFolder();
      return path === null ? null : { path };
    },
    ...zoomHandlers(ctx),
    ...sessionHandlers(ctx),
    ...galleryHandlers(ctx),
    ...inspectHandlers(ctx),
    ...models.handlers,
    ...settingsHandlers(ctx),
    ...farmHandlers(ctx),
    ...atlasHandlers(ctx, atlasFolders),
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
    windowModelFiles: () => windowModelFiles(engine.spec.model, cacheDir),
    atlasFolders,
    window: windowDevice,
    close: async () => {
      await models.downloads.close();
      await engine.stop();
    },
  };
}
