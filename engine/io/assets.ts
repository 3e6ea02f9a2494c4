// Masks and guide images named in recipes by content hash. The hash covers the decoded pixels (not
// the file's bytes), so re-encoding keeps it; a dreamed PNG carries its assets in an iTXt chunk,
// and project folders keep them as assets/<kind>-<hex>.png, so a recipe reproduces anywhere.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from './image.ts';
import { readPngTexts } from './pngText.ts';
import { writeFileAtomic } from './atomic.ts';
import { resizeBilinear } from '../render/pixels.ts';
import { RecipeError, type AssetHash } from '../recipe/recipe.ts';
import type { Mask } from '../render/mask.ts';
import type { RgbImage } from '../shared/image.ts';
import type { DreamAssets } from '../render/termGroups.ts';

export const ASSETS_PNG_KEY = 'reverie-assets';
/** Guides are stored (and their features computed) at most this long on their longer side. */
export const GUIDE_MAX_SIDE = 512;

export interface Asset {
  kind: 'mask' | 'guide';
  hash: AssetHash;
  width: number;
  height: number;
  /** 8-bit pixels: one channel for masks, RGB for guides. */
  pixels: Uint8Array;
}

function hashOf(kind: Asset['kind'], width: number, height: number, pixels: Uint8Array): AssetHash {
  return `sha256:${createHash('sha256').update(`${kind} ${width}x${height}\n`).update(pixels).digest('hex')}`;
}

function asset(kind: Asset['kind'], width: number, height: number, pixels: Uint8Array): Asset {
  return { kind, hash: hashOf(kind, width, height, pixels), width, height, pixels };
}

/** A painted mask from an image file or bytes: its grey level (Rec. 601 luma), white dreams. */
export async function readMask(input: string | Buffer, name?: string): Promise<Asset> {
  const img = await decodeImage(input, name ? { name } : {});
  const n = img.width * img.height;
  const grey = new Uint8Array(n);
  for (let i = 0; i < n; i++) grey[i] = Math.round(0.299 * img.rgb[i * 3]! + 0.587 * img.rgb[i * 3 + 1]! + 0.114 * img.rgb[i * 3 + 2]!);
  return asset('mask', img.width, img.height, grey);
}

/** A guide image, shrunk so its longer side is at most GUIDE_MAX_SIDE (the pixels the hash names). */
export async function readGuide(input: string | Buffer, name?: string): Promise<Asset> {
  const img = await decodeImage(input, name ? { name } : {});
  const k = Math.min(1, GUIDE_MAX_SIDE / Math.max(img.width, img.height));
  const [h, w] = [Math.max(1, Math.round(img.height * k)), Math.max(1, Math.round(img.width * k))];
  const rgb = resizeBilinear(img.rgb, img.height, img.width, h, w);
  return asset('guide', w, h, Uint8Array.from(rgb, (v) => Math.min(255, Math.max(0, Math.round(v)))));
}

export function assetPng(a: Asset): Promise<Buffer> {
  return sharp(a.pixels, { raw: { width: a.width, height: a.height, channels: a.kind === 'mask' ? 1 : 3 } }).png().toBuffer();
}

/** Decodes a stored asset and checks that its pixels still have the hash it is filed under. */
async function assetFromPng(kind: Asset['kind'], hash: string, png: Buffer, where: string): Promise<Asset> {
  const a = kind === 'mask' ? await readMask(png, where) : await readGuide(png, where);
  if (a.hash !== hash) throw new RecipeError(`${where}: the stored ${kind} does not match its hash ${hash} (the file was changed).`);
  return a;
}

/** The PNG text entry that carries assets inside a dreamed PNG. */
export async function assetsText(assets: readonly Asset[]): Promise<Record<string, string>> {
  if (assets.length === 0) return {};
  const entries = await Promise.all(assets.map(async (a) => [a.hash, { kind: a.kind, png: (await assetPng(a)).toString('base64') }] as const));
  return { [ASSETS_PNG_KEY]: JSON.stringify(Object.fromEntries(entries)) };
}

/** The assets a dreamed PNG carries ([] if none). */
export async function readAssetsFromPng(pngPath: string): Promise<Asset[]> {
  return assetsFromPng(await readFile(pngPath), pngPath);
}

/** The assets carried by a dreamed PNG's bytes ([] if none); `where` names it in errors. */
export async function assetsFromPng(png: Buffer, where: string): Promise<Asset[]> {
  const text = readPngTexts(png, where)[ASSETS_PNG_KEY];
  if (text === undefined) return [];
  let entries: Record<string, { kind?: unknown; png?: unknown }>;
  try {
    entries = JSON.parse(text) as typeof entries;
  } catch {
    throw new RecipeError(`${where}: the stored masks and guides are not valid JSON.`);
  }
  return Promise.all(
    Object.entries(entries).map(([hash, e]) => {
      if ((e.kind !== 'mask' && e.kind !== 'guide') || typeof e.png !== 'string') throw new RecipeError(`${where}: stored asset ${hash} is malformed.`);
      return assetFromPng(e.kind, hash, Buffer.from(e.png, 'base64'), `${where} (${hash.slice(0, 15)}…)`);
    }),
  );
}

const fileName = (a: Pick<Asset, 'kind' | 'hash'>): string => `${a.kind}-${a.hash.slice('sha256:'.length)}.png`;

/** Writes assets into a project folder's assets/ (atomically, once per hash). */
export async function saveAssets(dir: string, assets: readonly Asset[]): Promise<void> {
  if (assets.length === 0) return;
  await mkdir(join(dir, 'assets'), { recursive: true });
  for (const a of assets) await writeFileAtomic(join(dir, 'assets', fileName(a)), await assetPng(a));
}

/** Reads the named assets back from a project folder's assets/. */
export async function loadAssets(dir: string, hashes: readonly AssetHash[]): Promise<Asset[]> {
  return Promise.all(
    hashes.map(async (hash) => {
      for (const kind of ['mask', 'guide'] as const) {
        const file = join(dir, 'assets', fileName({ kind, hash }));
        const png = await readFile(file).catch(() => null);
        if (png) return assetFromPng(kind, hash, png, file);
      }
      throw new RecipeError(`${dir}: the recipe names ${hash}, which is not in its assets/ folder.`);
    }),
  );
}

export function maskOf(a: Asset): Mask {
  return { width: a.width, height: a.height, data: Float32Array.from(a.pixels, (v) => v / 255) };
}

export function guideOf(a: Asset): RgbImage {
  return { width: a.width, height: a.height, rgb: Float32Array.from(a.pixels) };
}

/** What dream() takes: masks and guides by hash. */
export function dreamAssets(assets: readonly Asset[]): DreamAssets {
  return {
    masks: new Map(assets.filter((a) => a.kind === 'mask').map((a) => [a.hash, maskOf(a)])),
    guides: new Map(assets.filter((a) => a.kind === 'guide').map((a) => [a.hash, guideOf(a)])),
  };
}
