// Atlas folders in the Inspect panel: `reverie atlas -o <data folder>/atlases/NAME` (locally or on a
// farm) writes DIR/<layer>/<channel>.png and DIR/atlas.json; the app lists them and browses one,
// its pictures served from the data folder like every other file a page loads.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Handlers } from '../contract/channels.ts';
import type { AtlasLayer, AtlasSummary } from '../contract/farm.ts';
import type { ServiceContext } from './context.ts';
import { displayPath } from './files.ts';
import { NotFoundError, requireId, requireObject } from './validate.ts';

type AtlasHandlers = Pick<Handlers, 'atlas.list' | 'atlas.open'>;

/** The subfolder of the data folder that holds atlases (served under /files/atlases/). */
export const ATLAS_FOLDER = 'atlases';
const MAX_INDEX_BYTES = 4 * 1024 * 1024;
const LAYER = /^[A-Za-z0-9_.:+-]{1,120}$/;

interface AtlasFile {
  model: { id: string };
  layers: Array<{ name: string; channels: number[] }>;
  recipe: Record<string, unknown> | null;
}

/** atlas.json as `reverie atlas` writes it; anything else is not an atlas (null). */
function parseIndex(text: string): AtlasFile | null {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const model = j['model'] as { id?: unknown } | undefined;
    const layers = j['layers'];
    if (typeof model?.id !== 'string' || !Array.isArray(layers)) return null;
    const ok = layers.every((l: { name?: unknown; channels?: unknown }) => typeof l.name === 'string' && LAYER.test(l.name) && Array.isArray(l.channels) && l.channels.every((c) => Number.isInteger(c) && c >= 0));
    if (!ok) return null;
    const recipe = typeof j['recipe'] === 'object' && j['recipe'] !== null ? (j['recipe'] as Record<string, unknown>) : null;
    return { model: { id: model.id }, layers: layers as AtlasFile['layers'], recipe };
  } catch {
    return null;
  }
}

async function readIndex(dir: string): Promise<AtlasFile | null> {
  const text = await readFile(join(dir, 'atlas.json'), 'utf8').catch(() => null);
  return text === null || text.length > MAX_INDEX_BYTES ? null : parseIndex(text);
}

const pad = (c: number): string => String(c).padStart(4, '0');

export function atlasHandlers(ctx: Pick<ServiceContext, 'options'>): AtlasHandlers {
  const root = join(ctx.options.dataDir, ATLAS_FOLDER);
  const summary = (id: string, index: AtlasFile): AtlasSummary => ({
    id,
    folder: displayPath(join(root, id)),
    model: index.model.id,
    layers: index.layers.length,
    channels: index.layers.reduce((n, l) => n + l.channels.length, 0),
  });
  return {
    'atlas.list': async () => {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      const out: AtlasSummary[] = [];
      for (const e of entries) {
        if (!e.isDirectory() || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/.test(e.name)) continue;
        const index = await readIndex(join(root, e.name));
        if (index) out.push(summary(e.name, index));
      }
      return out.sort((a, b) => a.id.localeCompare(b.id));
    },
    'atlas.open': async (request) => {
      const raw = requireObject(request, 'The atlas')['id'];
      const id = typeof raw === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/.test(raw) ? raw : requireId(raw, 'The atlas id');
      const dir = join(root, id);
      const index = await readIndex(dir);
      if (!index) throw new NotFoundError(`No atlas "${id}" in the data folder's ${ATLAS_FOLDER}/ (make one with reverie atlas -o …/${ATLAS_FOLDER}/${id}).`);
      const layerList: AtlasLayer[] = [];
      for (const l of index.layers) {
        const present = new Set(await readdir(join(dir, l.name)).catch(() => [] as string[]));
        const made = l.channels.filter((c) => present.has(`${pad(c)}.png`));
        layerList.push({ name: l.name, missing: l.channels.length - made.length, channels: made.map((c) => ({ channel: c, url: ctx.options.fileUrl(`${ATLAS_FOLDER}/${id}/${l.name}/${pad(c)}.png`) })) });
      }
      return { ...summary(id, index), recipe: index.recipe, layerList };
    },
  };
}
