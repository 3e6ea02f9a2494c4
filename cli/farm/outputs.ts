// Small pieces the farm-capable commands share: the input folder's images, an output folder, and
// progress over a count of finished jobs.
import { mkdir, readdir } from 'node:fs/promises';
import { extname, join, parse, resolve } from 'node:path';
import { UsageError } from '../shared.ts';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif', '.gif']);

/** The images of a folder (by extension, sorted by name), each with the output name it will get. */
export async function folderImages(dir: string, outDir: string): Promise<Array<{ input: string; output: string; name: string }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new UsageError(`Cannot read the folder "${dir}".`);
  }
  const images = names.filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (images.length === 0) throw new UsageError(`"${dir}" holds no PNG, JPEG, WebP, TIFF, AVIF or GIF images.`);
  const byStem = new Map<string, string>();
  for (const n of images) {
    const stem = parse(n).name;
    const other = byStem.get(stem);
    if (other) throw new UsageError(`"${other}" and "${n}" would both be written as ${stem}.png; rename one.`);
    byStem.set(stem, n);
  }
  return images.map((n) => ({ input: join(dir, n), output: join(resolve(outDir), `${parse(n).name}.png`), name: n }));
}

export async function outputFolder(path: string | undefined, help: string): Promise<string> {
  if (!path) throw new UsageError('Name the output folder with -o OUT.', help);
  const out = resolve(path);
  try {
    await mkdir(out, { recursive: true });
  } catch (err) {
    throw new UsageError(`Cannot create the output folder "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  return out;
}
