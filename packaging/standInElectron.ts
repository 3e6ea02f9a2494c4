// A stand-in for Electron's distribution folder, for electron-builder's `electronDist` where the
// Electron binary cannot be downloaded (this machine; any offline checkout). electron-builder copies
// the folder, renames the `electron` executable and writes resources/app.asar beside it, which is
// all that packaging checks need. The "executable" is a shell script that says what it is and
// fails: an app packaged with it is for inspection only and never an installer.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const STAND_IN_NOTICE = 'This is a stand-in for Electron made by packaging/standInElectron.ts: the app was packaged for inspection only and cannot run.';

/** The lowest Electron version package.json's range allows ("^38.0.0" gives "38.0.0"). */
export async function declaredElectronVersion(root: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const range = pkg['optionalDependencies']?.['electron'] ?? pkg['devDependencies']?.['electron'] ?? pkg['dependencies']?.['electron'];
  const version = range && /(\d+)\.(\d+)\.(\d+)/.exec(range)?.[0];
  if (!version) throw new Error(`package.json names no Electron version (found ${JSON.stringify(range)}).`);
  return version;
}

/** Writes the stand-in folder at `dir` (replacing what was there); returns `dir`. */
export async function makeStandInElectron(dir: string, version: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'resources'), { recursive: true });
  const script = `#!/bin/sh\necho '${STAND_IN_NOTICE}' >&2\nexit 1\n`;
  await writeFile(join(dir, 'electron'), script);
  await chmod(join(dir, 'electron'), 0o755);
  await writeFile(join(dir, 'version'), version);
  await writeFile(join(dir, 'LICENSE'), `${STAND_IN_NOTICE}\n`);
  return dir;
}
