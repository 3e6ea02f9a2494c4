// Which local folders a page may have the host read a model from. A page never names an arbitrary
// path: browser mode reads only inside the data folder or a models folder the user gave at launch
// (REVERIE_MODELS_DIR, --models-dir); Electron only what a native dialog returned (main/dialogs.ts).
import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { catalogueEntry } from '../engine/model/files/registry.ts';
import { EMBEDDED_MODELS } from '../engine/model/files/source.ts';

export class LocalPathRefusedError extends Error {
  override name = 'LocalPathRefusedError';
}

/** A spec that names a local file or folder (not a built-in name, catalogue name or http(s) URL). */
export function isLocalSpec(spec: string, installedNames: readonly string[] = []): boolean {
  const s = spec.trim();
  return !Object.hasOwn(EMBEDDED_MODELS, s) && !catalogueEntry(s) && !/^https?:\/\//i.test(s) && !installedNames.includes(s);
}

/** `path` when it is absolute and its real path lies inside one of `roots`; otherwise a refusal. */
export async function insideRoots(path: string, roots: readonly string[], describe: string): Promise<string> {
  if (!isAbsolute(path)) throw new LocalPathRefusedError(`Give the model folder's full path (it was "${path}").`);
  const real = await realpath(resolve(path)).catch(() => resolve(path));
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => resolve(root));
    if (real === realRoot || real.startsWith(realRoot + sep)) return real;
  }
  throw new LocalPathRefusedError(`Reverie reads models only from ${describe}; copy the folder there first.`);
}
