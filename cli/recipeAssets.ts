// A recipe file may name masks and guides by path (relative to the file); they become content hashes,
// and the files' pixels join the assets the dream takes and the PNG carries.
import { isAbsolute, join } from 'node:path';
import { readGuide, readMask, type Asset } from '../engine/io/assets.ts';

const HASH = /^sha256:[0-9a-f]{64}$/;

async function resolve(value: unknown, kind: 'mask' | 'guide', dir: string, assets: Asset[]): Promise<unknown> {
  if (typeof value !== 'string' || value === '' || HASH.test(value)) return value;
  const file = isAbsolute(value) ? value : join(dir, value);
  const a = kind === 'mask' ? await readMask(file) : await readGuide(file);
  assets.push(a);
  return a.hash;
}

/** The recipe JSON with every mask/guide path replaced by its hash (anything else is left to parseRecipe). */
export async function resolveAssetPaths(json: unknown, dir: string, assets: Asset[]): Promise<unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const r: Record<string, unknown> = { ...json };
  if (r['mask'] !== undefined) r['mask'] = await resolve(r['mask'], 'mask', dir, assets);
  if (r['guide'] !== undefined) r['guide'] = await resolve(r['guide'], 'guide', dir, assets);
  for (const key of ['layers', 'channels', 'classes']) {
    const list = r[key];
    if (!Array.isArray(list)) continue;
    r[key] = await Promise.all(
      list.map(async (t: unknown) => {
        if (typeof t !== 'object' || t === null || (t as Record<string, unknown>)['mask'] === undefined) return t;
        return { ...t, mask: await resolve((t as Record<string, unknown>)['mask'], 'mask', dir, assets) };
      }),
    );
  }
  return r;
}
