// An atlas folder's index as `reverie atlas` writes it (DIR/atlas.json, DIR/<layer>/<channel>.png):
// read with a size limit and checked for sane contents, so a folder that is not an atlas (or whose
// index names a layer like "..") is never browsed or served.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AtlasLayer } from '../contract/farm.ts';

export const ATLAS_INDEX = 'atlas.json';
const MAX_INDEX_BYTES = 4 * 1024 * 1024;
const MAX_CHANNELS = 200_000;
/** A layer name is one folder name: no separators, and never "." or ".." or a dot-file. */
const LAYER = /^[A-Za-z0-9_][A-Za-z0-9_.:+-]{0,119}$/;

export interface AtlasIndexFile {
  model: { id: string };
  layers: Array<{ name: string; channels: number[] }>;
  recipe: Record<string, unknown> | null;
}

/** atlas.json's text as `reverie atlas` writes it; anything else is not an atlas (null). */
export function parseAtlasIndex(text: string): AtlasIndexFile | null {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const model = j['model'] as { id?: unknown } | undefined;
    const layers = j['layers'];
    if (typeof model?.id !== 'string' || model.id.length > 200 || !Array.isArray(layers) || layers.length === 0) return null;
    const ok = layers.every((l: { name?: unknown; channels?: unknown }) => typeof l?.name === 'string' && LAYER.test(l.name) && Array.isArray(l.channels) && l.channels.every((c) => Number.isInteger(c) && c >= 0 && c < 100_000));
    if (!ok || layers.reduce((n: number, l: { channels: unknown[] }) => n + l.channels.length, 0) > MAX_CHANNELS) return null;
    const recipe = typeof j['recipe'] === 'object' && j['recipe'] !== null && !Array.isArray(j['recipe']) ? (j['recipe'] as Record<string, unknown>) : null;
    return { model: { id: model.id }, layers: layers as AtlasIndexFile['layers'], recipe };
  } catch {
    return null;
  }
}

/** The folder's index, or null when it has none (or one that is not an atlas's). */
export async function readAtlasIndex(dir: string): Promise<AtlasIndexFile | null> {
  const file = join(dir, ATLAS_INDEX);
  // Sized before it is read: a huge file that only claims to be an index is never loaded.
  const size = await stat(file).then((s) => (s.isFile() ? s.size : Infinity), () => Infinity);
  if (size > MAX_INDEX_BYTES) return null;
  const text = await readFile(file, 'utf8').catch(() => null);
  return text === null ? null : parseAtlasIndex(text);
}

/** A channel's picture inside the atlas folder ("mixed3/0042.png"): where `reverie atlas` writes it and the app reads it. */
export const atlasTile = (layer: string, channel: number): string => `${layer}/${String(channel).padStart(4, '0')}.png`;

/** The index's layers with the channels whose pictures exist, each with its URL. */
export async function atlasLayers(dir: string, index: AtlasIndexFile, url: (tile: string) => string): Promise<AtlasLayer[]> {
  const out: AtlasLayer[] = [];
  for (const l of index.layers) {
    const present = new Set(await readdir(join(dir, l.name)).catch(() => [] as string[]));
    const made = l.channels.filter((c) => present.has(atlasTile(l.name, c).slice(l.name.length + 1)));
    out.push({ name: l.name, missing: l.channels.length - made.length, channels: made.map((c) => ({ channel: c, url: url(atlasTile(l.name, c)) })) });
  }
  return out;
}
