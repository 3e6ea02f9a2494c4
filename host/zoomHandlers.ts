// Zoom projects over the contract: create (scaled input + manifest, no frames yet), a short preview
// in a scratch folder, render / resume as queued jobs, and video exports kept beside the project.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Handlers } from '../contract/channels.ts';
import { PREVIEW_MAX_FRAMES } from '../contract/projects.ts';
import { parseRecipe } from '../engine/recipe/recipe.ts';
import { farmFor } from './farm/farmHandlers.ts';
import { requireActiveModel } from './modelHandlers.ts';
import type { ServiceContext } from './context.ts';
import { newGalleryId } from './gallery.ts';
import type { CreateZoomSpec, ProjectPlace } from './protocol.ts';
import { BadRequestError, BusyError, requireId, requireInt, requireObject, requireNoAssets } from './validate.ts';
import { MAX_FRAMES, requireExportName, requireKnownKeyLayers, requireVideoOptions, requireZoomSettings, switchesLayers } from './validateProjects.ts';

type ZoomHandlers = Pick<Handlers, 'zoom.create' | 'zoom.preview' | 'zoom.run' | 'zoom.resume' | 'video.export' | 'video.save'>;

export function zoomHandlers(ctx: ServiceContext): ZoomHandlers {
  const { engine, queue, zooms, sessions, inputs } = ctx;

  async function createSpec(request: unknown, maxFrames: number, maxSide: number): Promise<CreateZoomSpec & { inputId: string }> {
    const req = requireObject(request, 'The zoom request');
    const inputId = requireId(req['inputId'], 'The input id');
    const recipe = parseRecipe(req['recipe'], 'recipe');
    requireNoAssets(recipe);
    requireActiveModel(ctx, recipe);
    const settings = requireZoomSettings(req['settings'], maxFrames);
    if (switchesLayers(settings.keyframes)) {
      // Checked before anything is written: the layer list is the loaded model's.
      await engine.whenReady();
      requireKnownKeyLayers(settings.keyframes, engine.layers, recipe.model);
    }
    const side = requireInt(req['maxSide'], 'The image size', 64, maxSide);
    const input = await inputs.record(inputId);
    return { inputId, inputPath: inputs.sourcePath(inputId), inputName: input.name, maxSide: side, recipe, settings };
  }

  async function renderable(request: unknown): Promise<string> {
    const id = requireId(requireObject(request, 'The request')['id'], 'The project id');
    await zooms.entries.read(id);
    if (queue.hasTarget(id, ['zoom'])) throw new BusyError('This zoom is already rendering (or queued); wait for it or cancel it first.');
    // Its frames continue with the model they were made with.
    requireActiveModel(ctx, (await zooms.item(id)).recipe);
    return id;
  }

  /** Previews are scratch: each new one removes those no job is using any more. */
  async function previewPlace(): Promise<{ id: string; place: ProjectPlace }> {
    const names = await readdir(ctx.previewsDir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => !queue.hasTarget(n)).map((n) => rm(join(ctx.previewsDir, n), { recursive: true, force: true })));
    const id = newGalleryId();
    const dir = join(ctx.previewsDir, id);
    await mkdir(dir, { recursive: true });
    return { id, place: { dir: join(dir, 'project'), rel: `previews/${id}/project`, thumb: join(dir, 'thumb.jpg') } };
  }

  return {
    'zoom.create': async (request) => {
      const { inputId, ...spec } = await createSpec(request, MAX_FRAMES, 8192);
      const id = newGalleryId();
      await zooms.entries.create(id);
      try {
        await engine.call({ op: 'zoom.create', project: zooms.place(id), ...spec });
        await zooms.entries.write({ version: 1, id, kind: 'zoom', createdAt: new Date().toISOString(), input: { id: inputId, name: spec.inputName }, maxSide: spec.maxSide, exports: [] });
      } catch (err) {
        await zooms.entries.discard(id);
        throw err;
      }
      ctx.emit({ channel: 'gallery.changed', payload: {} });
      return zooms.item(id);
    },
    'zoom.preview': async (request) => {
      const { inputId: _inputId, ...create } = await createSpec(request, PREVIEW_MAX_FRAMES, 1024);
      const { id, place } = await previewPlace();
      return queue.enqueue({ kind: 'zoom-preview', project: place, create }, id);
    },
    'zoom.run': async (request) => {
      const id = await renderable(request);
      const farm = await farmFor(requireObject(request, 'The request')['farm'], ctx.configDir);
      return queue.enqueue({ kind: 'zoom', project: zooms.place(id), ...(farm ? { farm } : {}) }, id);
    },
    'zoom.resume': async (request) => {
      const id = await renderable(request);
      const req = requireObject(request, 'The request');
      const farm = await farmFor(req['farm'], ctx.configDir);
      const onFarm = farm ? { farm } : {};
      if (req['frames'] === undefined) return queue.enqueue({ kind: 'zoom', project: zooms.place(id), ...onFarm }, id);
      const made = (await zooms.item(id)).frameUrls.length;
      const frames = requireInt(req['frames'], 'Frames', Math.max(1, made), MAX_FRAMES);
      return queue.enqueue({ kind: 'zoom', project: zooms.place(id), frames, ...onFarm }, id);
    },
    'video.export': async (request) => {
      const req = requireObject(request, 'The export request');
      const id = requireId(req['id'], 'The project id');
      const item = await zooms.item(id);
      const options = requireVideoOptions(req, item);
      if (item.frameUrls.length === 0) throw new BadRequestError('This zoom has no frames yet: render it first, then export.');
      const out = zooms.exportPath(id, `zoom-${newGalleryId()}.${options.format}`);
      return queue.enqueue({ kind: 'video', source: zooms.place(id).dir, out, options }, id);
    },
    'video.save': async (request) => {
      const req = requireObject(request, 'The request');
      const id = requireId(req['id'], 'The project id');
      const file = requireExportName(req['file']);
      const store = (await zooms.entries.has(id)) ? zooms : sessions;
      const record = (await store.entries.read(id)).exports.find((v) => v.file === file);
      if (!record) throw new BadRequestError(`${file} is not a video of this project.`);
      return ctx.options.saveVideo(store.video(id, record), store.exportPath(id, file));
    },
  };
}
