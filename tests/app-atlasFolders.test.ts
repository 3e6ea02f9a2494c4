// Atlas folders opened from anywhere, at the host: atlas.add checks a folder is a Reverie atlas
// (atlas.json with sane contents) before registering it, keeps the registry in the data folder
// across restarts, honours the transport's path rule (Electron: only a dialog's answer), and both
// transports' picture routes resolve only PNGs inside a registered folder. The end-to-end proof in
// chromium is tests/e2e/atlasFolder.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChosenPaths } from '../main/dialogs.ts';
import { routeAppRequest } from '../main/protocol.ts';
import { atlasHandlers } from '../host/atlasHandlers.ts';
import { AtlasFolders, atlasFileRequest } from '../host/atlasFolders.ts';
import type { ServiceContext } from '../host/context.ts';
import { tempDir } from './appHelpers.ts';

let root: string;
let dataDir: string;
let atlas: string;
const index = { model: { id: 'inception_v3', sha256: 'a'.repeat(64) }, size: 32, steps: 2, layers: [{ name: 'mixed0', channels: [0, 1, 2] }], recipe: { version: 1 } };
const ctx = (extra: Partial<ServiceContext['options']> = {}) => ({ options: { dataDir, fileUrl: (rel: string) => `/files/${rel}`, ...extra } }) as unknown as Pick<ServiceContext, 'options'>;

beforeAll(async () => {
  root = await tempDir('atlas-folders');
  dataDir = join(root, 'data');
  atlas = join(root, 'elsewhere', 'atlas');
  await mkdir(join(atlas, 'mixed0'), { recursive: true });
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(atlas, 'atlas.json'), JSON.stringify(index));
  for (const c of [0, 1]) await writeFile(join(atlas, 'mixed0', `000${c}.png`), 'png');
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('atlas.add', () => {
  it('registers an atlas folder, lists and opens it with pictures under /files/atlas-folders/, and keeps it across a restart', async () => {
    const h = atlasHandlers(ctx(), new AtlasFolders(dataDir));
    const added = await h['atlas.add']({ path: atlas });
    expect(added).toMatchObject({ name: 'atlas', model: 'inception_v3', layers: 1, channels: 3 });
    expect(added.id).toMatch(/^f-[0-9a-f]{16}$/);
    // Adding it twice is one entry.
    expect((await h['atlas.add']({ path: `${atlas}/` })).id).toBe(added.id);
    const view = await h['atlas.open']({ id: added.id });
    expect(view.layerList).toEqual([{ name: 'mixed0', missing: 1, channels: [0, 1].map((c) => ({ channel: c, url: `/files/atlas-folders/${added.id}/mixed0/000${c}.png` })) }]);
    const again = new AtlasFolders(dataDir);
    expect(again.root(added.id)).toBe(atlas);
    expect((await atlasHandlers(ctx(), again)['atlas.list']({})).map((a) => a.id)).toEqual([added.id]);
  });

  it('refuses what is not an atlas folder, with a clear typed error, and registers nothing', async () => {
    const folders = new AtlasFolders(dataDir);
    const before = folders.entries().length;
    const h = atlasHandlers(ctx(), folders);
    const bad = join(root, 'bad');
    await mkdir(bad, { recursive: true });
    await expect(h['atlas.add']({ path: join(root, 'elsewhere') })).rejects.toMatchObject({ name: 'NotAnAtlasError', message: expect.stringMatching(/is not a Reverie atlas folder/) });
    await expect(h['atlas.add']({ path: 'elsewhere/atlas' })).rejects.toMatchObject({ name: 'NotAnAtlasError', message: expect.stringMatching(/not a full folder path/) });
    await expect(h['atlas.add']({ path: join(root, 'missing') })).rejects.toMatchObject({ name: 'NotAnAtlasError', message: expect.stringMatching(/is not a folder/) });
    await expect(h['atlas.add']({ path: join(atlas, 'atlas.json') })).rejects.toMatchObject({ name: 'NotAnAtlasError' });
    await expect(h['atlas.add']({ path: 42 } as unknown as { path: string })).rejects.toMatchObject({ name: 'BadRequestError' });
    // An index whose layer would name a folder outside the atlas, or that is not an atlas's at all.
    for (const text of [JSON.stringify({ ...index, layers: [{ name: '..', channels: [0] }] }), JSON.stringify({ ...index, layers: [{ name: 'a/b', channels: [0] }] }), JSON.stringify({ layers: [] }), '{not json', JSON.stringify({ ...index, layers: [{ name: 'mixed0', channels: [-1] }] })]) {
      await writeFile(join(bad, 'atlas.json'), text);
      await expect(h['atlas.add']({ path: bad }), text).rejects.toMatchObject({ name: 'NotAnAtlasError' });
    }
    expect(folders.entries()).toHaveLength(before);
  });

  it('in Electron takes only a folder its dialog returned; browser mode has no dialog', async () => {
    const chosen = new ChosenPaths();
    const h = atlasHandlers(ctx({ atlasFolderPath: async (p: string) => chosen.check(p), openAtlasFolder: async () => chosen.remember(atlas) }), new AtlasFolders(dataDir));
    await expect(h['atlas.add']({ path: atlas })).rejects.toMatchObject({ name: 'PathNotChosenError' });
    expect(await h['dialog.openAtlasFolder']({})).toEqual({ path: atlas });
    expect((await h['atlas.add']({ path: atlas })).name).toBe('atlas');
    await expect(atlasHandlers(ctx(), new AtlasFolders(dataDir))['dialog.openAtlasFolder']({})).rejects.toMatchObject({ name: 'BadRequestError' });
  });

  it('an atlas inside the data folder\'s atlases/ keeps its name there', async () => {
    const inside = join(dataDir, 'atlases', 'demo');
    await mkdir(join(inside, 'mixed0'), { recursive: true });
    await writeFile(join(inside, 'atlas.json'), JSON.stringify(index));
    expect((await atlasHandlers(ctx(), new AtlasFolders(dataDir))['atlas.add']({ path: inside })).id).toBe('demo');
  });
});

describe('picture routes of registered atlas folders', () => {
  it('resolve PNGs inside the registered folder and nothing else, in both transports', async () => {
    const folders = new AtlasFolders(dataDir);
    const { id } = await folders.add(atlas);
    expect(atlasFileRequest(`${id}/mixed0/0001.png`, folders)).toEqual({ root: atlas, path: join(atlas, 'mixed0', '0001.png'), urlPath: 'mixed0/0001.png' });
    for (const rest of [`${id}/../x.png`, `${id}/mixed0/../../x.png`, `${id}/%2e%2e/x.png`, `${id}/mixed0%2f..%2f..%2fx.png`, `${id}/atlas.json`, `${id}/.hidden.png`, `${id}/x.png%00`, `${id}`, `f-0000000000000000/mixed0/0001.png`, `../data/x.png`, `${id.toUpperCase()}/mixed0/0001.png`]) {
      expect(atlasFileRequest(rest, folders), rest).toBeNull();
    }
    const dirs = { rendererDir: '/app/dist/renderer', dataDir, atlasFolders: folders };
    expect(routeAppRequest(`reverie://app/files/atlas-folders/${id}/mixed0/0001.png`, 'GET', dirs)).toEqual({ kind: 'file', root: atlas, path: join(atlas, 'mixed0', '0001.png') });
    expect(routeAppRequest(`reverie://app/files/atlas-folders/${id}/%2e%2e/x.png`, 'GET', dirs)).toEqual({ kind: 'refuse', status: 404 });
    expect(routeAppRequest(`reverie://app/files/atlas-folders/${id}/atlas.json`, 'GET', dirs)).toEqual({ kind: 'refuse', status: 404 });
    expect(routeAppRequest(`reverie://app/files/atlas-folders/${id}/mixed0/0001.png`, 'GET', { rendererDir: '/r', dataDir })).toEqual({ kind: 'refuse', status: 404 });
  });
});
