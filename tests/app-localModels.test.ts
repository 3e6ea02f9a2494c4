// Local model folders a page may make the host read: in Electron only a folder a dialog returned
// (ChosenPaths guards models.add, not the dialog's own call), in browser mode only inside the data
// folder or a models folder given at launch; relative paths never resolve against the server's folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelDownload } from '../contract/models.ts';
import type { HostEvent } from '../contract/channels.ts';
import { initBackend } from '../engine/backend.ts';
import { writeTinyLayersModel } from './helpers/testModels.ts';
import type { ServiceContext, ServiceOptions } from '../host/context.ts';
import { insideRoots } from '../host/localModels.ts';
import { modelHandlers } from '../host/modelHandlers.ts';
import { ChosenPaths, createDialogs } from '../main/dialogs.ts';
import type { BrowserWindow, ElectronMain } from '../main/electronTypes.ts';
import { tempDir } from './appHelpers.ts';

let root: string;
let outside: string;
let dataDir: string;

beforeAll(async () => {
  await initBackend('wasm');
  root = await tempDir('local-models');
  outside = join(root, 'elsewhere', 'tiny');
  dataDir = join(root, 'data');
  await writeTinyLayersModel(outside, { shards: 1 });
  await writeTinyLayersModel(join(dataDir, 'imports', 'tiny2'), { shards: 1 });
  await mkdir(join(dataDir, 'links'), { recursive: true });
  await symlink(outside, join(dataDir, 'links', 'escape'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The model handlers on a host whose only local-path rule is `localModelPath` (no engine needed to add). */
function handlersWith(localModelPath: ServiceOptions['localModelPath']) {
  const events: HostEvent[] = [];
  const ctx = {
    options: { localModelPath } as ServiceOptions,
    engine: { status: { state: 'starting' }, spec: { model: 'inception_v3' } },
    cacheDir: join(root, `cache-${Math.random().toString(36).slice(2)}`),
    configDir: join(root, 'config'),
    emit: (e: HostEvent) => events.push(e),
  } as unknown as ServiceContext;
  const { handlers } = modelHandlers(ctx);
  const end = (id: string): Promise<ModelDownload> =>
    new Promise((ok) => {
      const poll = (): void => {
        const done = events.find((e): e is Extract<HostEvent, { channel: 'models.download' }> => e.channel === 'models.download' && e.payload.downloadId === id && e.payload.state !== 'downloading');
        if (done) ok(done.payload);
        else setTimeout(poll, 20);
      };
      poll();
    });
  return { handlers, end };
}

describe('Electron: only a folder a dialog returned', () => {
  it('refuses a typed path, then accepts the same folder once the dialog returned it', async () => {
    const chosen = new ChosenPaths();
    const electron = { dialog: { showOpenDialog: async () => ({ canceled: false, filePaths: [outside] }) } } as unknown as ElectronMain;
    const dialogs = createDialogs(electron, chosen, () => ({}) as BrowserWindow);
    const { handlers, end } = handlersWith(async (path) => chosen.check(path));
    for (const spec of [outside, join(outside, 'model.json'), '/etc', 'tiny', './tiny']) {
      await expect(handlers['models.add']({ spec }), spec).rejects.toMatchObject({ name: 'PathNotChosenError' });
    }
    expect(await dialogs.openModelFolder()).toBe(outside);
    const started = await handlers['models.add']({ spec: outside, name: 'picked' });
    expect(await end(started.downloadId)).toMatchObject({ state: 'done', model: { name: 'picked', kind: 'folder' } });
  });
});

describe('browser mode: inside the data folder or a models folder given at launch', () => {
  const rule = (path: string) => insideRoots(path, [dataDir], 'the data folder');

  it('refuses relative paths, folders outside, and symlinks inside that lead outside', async () => {
    const { handlers } = handlersWith(rule);
    await expect(handlers['models.add']({ spec: 'imports/tiny2' })).rejects.toMatchObject({ name: 'LocalPathRefusedError', message: expect.stringContaining('full path') });
    for (const spec of [outside, '/etc/passwd.json', join(dataDir, 'links', 'escape'), join(dataDir, '..', 'elsewhere', 'tiny')]) {
      await expect(handlers['models.add']({ spec }), spec).rejects.toMatchObject({ name: 'LocalPathRefusedError', message: expect.stringContaining('the data folder') });
    }
  });

  it('adds a model folder inside the data folder, and one inside a models folder given at launch', async () => {
    const { handlers, end } = handlersWith(rule);
    const started = await handlers['models.add']({ spec: join(dataDir, 'imports', 'tiny2') });
    const done = await end(started.downloadId);
    expect(done).toMatchObject({ state: 'done', model: { name: 'tiny2', kind: 'folder', title: 'added from …/tiny2' } });
    expect(JSON.stringify(done.model)).not.toContain(dataDir); // the listing names no absolute path (the spec echoes what was typed)
    expect(await insideRoots(outside, [dataDir, join(root, 'elsewhere')], 'x')).toBe(outside);
  });
});
