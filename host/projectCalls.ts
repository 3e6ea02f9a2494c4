// Quick project edits inside the engine worker, answered directly (no job queue): a new zoom project,
// and the ping-pong session steps between dreams (new, add a painting, pick a frame).
import { join } from 'node:path';
import { addPainting, createSession, pickFrame } from '../engine/animate/session.ts';
import { decodeImage, DEFAULT_MAX_PIXELS } from '../engine/io/image.ts';
import { saveAssets } from '../engine/io/assets.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import { cachedChannels } from './inspectJob.ts';
import { writeThumbnail } from './pictures.ts';
import type { CallSpec } from './protocol.ts';
import { createProject } from './zoomJob.ts';

/**
 * `model` is the worker's loaded model, or undefined while it failed to load: the session calls check
 * a painting's size with it (loading the recipe's own model only when that is another one).
 */
export async function runCall(call: CallSpec, backend: string, appVersion: string, model: () => Promise<DreamModel | undefined> = async () => undefined): Promise<unknown> {
  switch (call.op) {
    case 'zoom.create':
      await createProject(call.project, call, backend, appVersion);
      return null;
    case 'session.new': {
      const painting = await decodeImage(Buffer.from(call.painting), { name: call.name, maxPixels: DEFAULT_MAX_PIXELS });
      const loaded = await model();
      const m = await createSession(call.session.dir, painting, call.name, { recipe: call.recipe, settings: call.settings, appVersion, ...(loaded ? { model: loaded } : {}) });
      // The painted mask stays with the session (assets/), for every round's dream.
      await saveAssets(call.session.dir, call.assets ?? []);
      await writeThumbnail(join(call.session.dir, m.rounds[0]!.painting), call.session.thumb);
      return { width: painting.width, height: painting.height };
    }
    case 'session.add': {
      const painting = await decodeImage(Buffer.from(call.painting), { name: call.name, maxPixels: DEFAULT_MAX_PIXELS });
      const round = await addPainting(call.session.dir, painting, call.name, await model());
      await writeThumbnail(join(call.session.dir, round.painting), call.session.thumb);
      return null;
    }
    case 'session.pick':
      await pickFrame(call.session.dir, call.frame, call.round);
      return null;
    case 'inspect.cached':
      return cachedChannels(call.cache, call.modelId, call.layer, call.channels, call.recipe);
  }
}
