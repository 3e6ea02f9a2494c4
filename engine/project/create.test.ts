// createProjectFolder: the folder takes its name only once filled; failures and kills leave no project.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProjectFolder, isUnfinishedProjectFolder } from './create.ts';
import { readManifest } from './store.ts';
import { ProjectError } from './errors.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-create-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const fillWith = (text: string) => async (building: string): Promise<string> => {
  expect(isUnfinishedProjectFolder(building)).toBe(true);
  expect(existsSync(join(root, 'p'))).toBe(false); // not visible under its name while being filled
  await writeFile(join(building, 'manifest.json'), text);
  return building;
};

describe('createProjectFolder', () => {
  it('builds under a hidden name, then renames into place (absent folder, or an empty one)', async () => {
    await createProjectFolder(join(root, 'p'), 'project', fillWith('one'));
    expect(await readFile(join(root, 'p', 'manifest.json'), 'utf8')).toBe('one');
    expect(await readdir(root)).toEqual(['p']);
    await mkdir(join(root, 'empty'));
    await createProjectFolder(join(root, 'empty'), 'project', async (b) => writeFile(join(b, 'manifest.json'), 'two'));
    expect(await readFile(join(root, 'empty', 'manifest.json'), 'utf8')).toBe('two');
  });

  it('refuses a folder that holds something, and leaves nothing when filling fails', async () => {
    await expect(createProjectFolder(join(root, 'p'), 'session', fillWith('x')).then(() => createProjectFolder(join(root, 'p'), 'session', fillWith('y')))).rejects.toThrow(
      /is not empty; choose a new folder for the session\./,
    );
    await expect(
      createProjectFolder(join(root, 'q'), 'project', async () => {
        throw new ProjectError(join(root, 'q'), 'disk full');
      }),
    ).rejects.toThrow(/disk full/);
    expect(await readdir(root)).toEqual(['p']);
  });

  it("sweeps a dead creator's hidden folder, keeps a live one's, and never reads either as a project", async () => {
    const dead = join(root, '.old.reverie-new-999999999-abcd1234');
    const live = join(root, `.busy.reverie-new-${process.pid}-abcd1234`);
    for (const d of [dead, live]) {
      await mkdir(d);
      await writeFile(join(d, 'manifest.json'), '{}');
      await expect(readManifest(d)).rejects.toThrow(/unfinished folder of a project whose creation was interrupted/);
    }
    await createProjectFolder(join(root, 'p'), 'project', fillWith('{}'));
    expect((await readdir(root)).sort()).toEqual([live.slice(root.length + 1), 'p'].sort());
  });
});
