// Painting ping-pong over the contract: a session starts from the artist's flattened painting, each
// round dreams as a queued job, a picked frame is what the artist paints over next, and the whole
// session compiles to one video. Edits wait while a round is dreaming, so they never race it.
import type { Handlers } from '../contract/channels.ts';
import { parseRecipe } from '../engine/recipe/recipe.ts';
import { readMask, type Asset } from '../engine/io/assets.ts';
import { farmFor } from './farm/farmHandlers.ts';
import { requireActiveModel } from './modelHandlers.ts';
import type { ServiceContext } from './context.ts';
import { newGalleryId } from './gallery.ts';
import { BusyError, requireFileBytes, requireId, requireInt, requireObject, requireNoAssets } from './validate.ts';
import { requireRoundSettings, requireVideoOptions } from './validateProjects.ts';

type SessionHandlers = Pick<Handlers, 'session.new' | 'session.add' | 'session.dream' | 'session.pick' | 'session.video'>;

export function sessionHandlers(ctx: ServiceContext): SessionHandlers {
  const { engine, queue, sessions } = ctx;

  /** The session's id, once it exists and no round of it is dreaming. */
  async function idle(req: Record<string, unknown>): Promise<string> {
    const id = requireId(req['id'], 'The session id');
    await sessions.entries.read(id);
    if (queue.hasTarget(id, ['session-dream'])) throw new BusyError('This session is dreaming; wait for the round to finish or cancel it first.');
    return id;
  }

  const changed = async (id: string) => {
    ctx.emit({ channel: 'gallery.changed', payload: {} });
    return sessions.item(id);
  };

  return {
    'session.new': async (request) => {
      const req = requireObject(request, 'The session request');
      const painting = requireFileBytes(req['painting']);
      let recipe = parseRecipe(req['recipe'], 'recipe');
      // A mask painted in Paint: where each round dreams (kept in the session's assets/).
      const assets: Asset[] = [];
      if (req['maskInputId'] !== undefined) {
        const maskId = requireId(req['maskInputId'], 'The mask image id');
        await ctx.inputs.record(maskId);
        const mask = await readMask(ctx.inputs.sourcePath(maskId));
        assets.push(mask);
        recipe = parseRecipe({ ...recipe, mask: mask.hash }, 'recipe');
      }
      requireNoAssets(recipe, assets);
      requireActiveModel(ctx, recipe);
      const settings = requireRoundSettings(req['settings']);
      const id = newGalleryId();
      await sessions.entries.create(id);
      try {
        const size = (await engine.call({ op: 'session.new', session: sessions.place(id), painting: painting.data, name: painting.name, recipe, settings, ...(assets.length ? { assets } : {}) })) as { width: number; height: number };
        await sessions.entries.write({ version: 1, id, kind: 'session', createdAt: new Date().toISOString(), width: size.width, height: size.height, exports: [] });
      } catch (err) {
        await sessions.entries.discard(id);
        throw err;
      }
      return changed(id);
    },
    'session.add': async (request) => {
      const req = requireObject(request, 'The request');
      const id = await idle(req);
      const painting = requireFileBytes(req['painting']);
      await engine.call({ op: 'session.add', session: sessions.place(id), painting: painting.data, name: painting.name });
      return changed(id);
    },
    'session.dream': async (request) => {
      const req = requireObject(request, 'The request');
      const id = await idle(req);
      const frames = requireInt(req['frames'], 'Frames', 1, 1000);
      requireActiveModel(ctx, (await sessions.item(id)).recipe);
      const farm = await farmFor(req['farm'], ctx.configDir);
      return queue.enqueue({ kind: 'session-dream', session: sessions.place(id), frames, ...(farm ? { farm } : {}) }, id);
    },
    'session.pick': async (request) => {
      const req = requireObject(request, 'The request');
      const id = await idle(req);
      const round = requireInt(req['round'], 'The round', 1, 10_000);
      const frame = requireInt(req['frame'], 'The frame', 0, 1_000_000);
      await engine.call({ op: 'session.pick', session: sessions.place(id), round, frame });
      return changed(id);
    },
    'session.video': async (request) => {
      const req = requireObject(request, 'The video request');
      const id = requireId(req['id'], 'The session id');
      // Sizes are checked against the first painting's, which the video starts from.
      const options = requireVideoOptions(req, await sessions.item(id));
      const crossfade = requireInt(req['crossfade'] ?? 0, 'Crossfade frames', 0, 120);
      const hold = requireInt(req['hold'] ?? 1, 'Hold frames', 1, 600);
      const allFrames = req['allFrames'] === true;
      const out = sessions.exportPath(id, `session-${newGalleryId()}.${options.format}`);
      return queue.enqueue({ kind: 'session-video', source: sessions.place(id).dir, out, options, crossfade, hold, allFrames }, id);
    },
  };
}
