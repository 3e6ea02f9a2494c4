// Creating a project (or session) folder atomically: everything it starts with (input, manifest) is
// written into a hidden sibling folder, which is then renamed to the project's name. A kill at any
// moment leaves either no project folder or a complete one; a killed creator's hidden folder is never
// read as a project and is removed the next time a project is created beside it.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ProjectError } from './errors.ts';
import { isProcessAlive, syncDir } from '../io/atomic.ts';

const UNFINISHED = /^\.(.+)\.reverie-new-(\d+)-[0-9a-f]+$/;

/** True for the hidden folder a creation in progress (or a killed one) builds a project in. */
export function isUnfinishedProjectFolder(dir: string): boolean {
  return UNFINISHED.test(basename(dir));
}

/** Removes hidden folders that killed creators left beside `dir` (those whose process is gone). */
export async function removeUnfinishedSiblings(dir: string): Promise<void> {
  const parent = dirname(dir);
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const m = UNFINISHED.exec(name);
    if (m && !isProcessAlive(Number(m[2]))) await rm(join(parent, name), { recursive: true, force: true });
  }
}

/**
 * Makes `dir` (absent or empty) a project: `fill` writes its first files into a hidden sibling folder,
 * which is renamed to `dir` only once `fill` has finished. `what` names the folder in errors.
 */
export async function createProjectFolder<T>(dir: string, what: string, fill: (building: string) => Promise<T>): Promise<T> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  await removeUnfinishedSiblings(dir);
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new ProjectError(dir, `cannot be used for the ${what} (${err.code ?? err.message}).`);
  });
  if (names.length > 0) throw new ProjectError(dir, `is not empty; choose a new folder for the ${what}${what === 'project' ? ' (or continue one with "reverie resume")' : ''}.`);
  const building = join(parent, `.${basename(dir)}.reverie-new-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(building);
  try {
    const result = await fill(building);
    await syncDir(building);
    try {
      // POSIX rename replaces an empty folder in one step; elsewhere remove the empty one first.
      await rename(building, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      await rmdir(dir);
      await rename(building, dir);
    }
    await syncDir(parent);
    return result;
  } catch (err) {
    await rm(building, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}
