// Atlas folders in the Inspect panel: those `reverie atlas` wrote into the data folder's atlases/
// (served from there like every other file a page loads) and those the user opened from anywhere
// (atlasFolders.ts: checked, registered, served only from the registered folder).
import { readdir, realpath } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { Handlers } from '../contract/channels.ts';
import type { AtlasSummary } from '../contract/farm.ts';
import { ATLAS_FOLDERS_URL, AtlasFolders } from './atlasFolders.ts';
import { atlasLayers, readAtlasIndex, type AtlasIndexFile } from './atlasIndex.ts';
import type { ServiceContext } from './context.ts';
import { displayPath } from './files.ts';
import { BadRequestError, NotFoundError, requireId, requireObject } from './validate.ts';

type AtlasHandlers = Pick<Handlers, 'atlas.list' | 'atlas.open' | 'atlas.add' | 'dialog.openAtlasFolder'>;

/** The subfolder of the data folder that holds atlases (served under /files/atlases/). */
export const ATLAS_FOLDER = 'atlases';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;

export function atlasHandlers(ctx: Pick<ServiceContext, 'options'>, folders: AtlasFolders): AtlasHandlers {
  const root = join(ctx.options.dataDir, ATLAS_FOLDER);
  const summary = (id: string, dir: string, index: AtlasIndexFile): AtlasSummary => ({
    id,
    name: basename(dir),
    folder: displayPath(dir),
    model: index.model.id,
    layers: index.layers.length,
    channels: index.layers.reduce((n, l) => n + l.channels.length, 0),
  });
  /** Where atlas `id` is and how its pictures are addressed, or null when there is none. */
  const place = (id: string): { dir: string; url: string } | null => {
    const registered = folders.root(id);
    if (registered) return { dir: registered, url: `${ATLAS_FOLDERS_URL}/${id}` };
    return NAME.test(id) ? { dir: join(root, id), url: `${ATLAS_FOLDER}/${id}` } : null;
  };
  return {
    'atlas.list': async () => {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      const out: AtlasSummary[] = [];
      for (const e of entries) {
        if (!e.isDirectory() || !NAME.test(e.name)) continue;
        const index = await readAtlasIndex(join(root, e.name));
        if (index) out.push(summary(e.name, join(root, e.name), index));
      }
      out.sort((a, b) => a.id.localeCompare(b.id));
      // Opened folders after the data folder's, while they are still atlases.
      const opened: AtlasSummary[] = [];
      for (const [id, dir] of folders.entries()) {
        const index = await readAtlasIndex(dir);
        if (index) opened.push(summary(id, dir, index));
      }
      return [...out, ...opened.sort((a, b) => a.name.localeCompare(b.name))];
    },
    'atlas.open': async (request) => {
      const raw = requireObject(request, 'The atlas')['id'];
      const id = typeof raw === 'string' && NAME.test(raw) ? raw : requireId(raw, 'The atlas id');
      const where = place(id);
      const index = where ? await readAtlasIndex(where.dir) : null;
      if (!where || !index) throw new NotFoundError(`No atlas "${id}": make one with reverie atlas -o FOLDER, then open that folder (or put it in the data folder's ${ATLAS_FOLDER}/).`);
      const layerList = await atlasLayers(where.dir, index, (tile) => ctx.options.fileUrl(`${where.url}/${tile}`));
      return { ...summary(id, where.dir, index), recipe: index.recipe, layerList };
    },
    'atlas.add': async (request) => {
      const path = requireObject(request, 'The atlas folder')['path'];
      if (typeof path !== 'string') throw new BadRequestError('"path" must be the atlas folder\'s path.');
      const allowed = ctx.options.atlasFolderPath ? await ctx.options.atlasFolderPath(path) : path;
      const added = await folders.add(allowed);
      // An atlas already in the data folder keeps its name there (no second entry for it).
      const inData = relative(await realpath(root).catch(() => root), added.dir);
      if (inData && !inData.startsWith('..') && !inData.includes(sep) && NAME.test(inData)) return summary(inData, added.dir, added.index);
      return summary(added.id, added.dir, added.index);
    },
    'dialog.openAtlasFolder': async () => {
      if (!ctx.options.openAtlasFolder) throw new BadRequestError('Folder dialogs exist only in the desktop app; in the browser, type the atlas folder\'s path.');
      const path = await ctx.options.openAtlasFolder();
      return path === null ? null : { path };
    },
  };
}
