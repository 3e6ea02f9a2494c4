// Frames on disk: listing a folder's PNGs in natural order, checking a list of frame paths, and reading
// them in order for ffmpeg's stdin. No path reaches ffmpeg (no escaping of spaces, quotes, unicode or
// '%'), and ffmpeg's input is a pipe that ends when we do.
import { open, readdir, readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { VideoFrameError, VideoOptionsError } from './errors.ts';

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** "frame_2.png" before "frame_10.png"; ties broken by plain code order so the result is stable. */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The folder's *.png files (absolute paths) in natural order; hidden files are left out. */
export async function listPngFrames(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VideoOptionsError(`Cannot read the frame folder "${dir}" (${code === 'ENOENT' ? 'it does not exist' : code === 'ENOTDIR' ? 'it is a file, not a folder' : String(code)}).`);
  }
  const names = entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.') && extname(e.name).toLowerCase() === '.png')
    .map((e) => e.name)
    .sort(naturalCompare);
  return names.map((n) => resolve(dir, n));
}

/** Every frame exists, is a file and starts like a PNG: checked before ffmpeg starts, so a bad frame
 * is named (with its index) instead of surfacing as a decoder error halfway through the encode. */
export async function checkPngFrames(frames: readonly string[], signal?: AbortSignal): Promise<void> {
  if (frames.length === 0) throw new VideoOptionsError('There are no frames to encode.');
  for (let i = 0; i < frames.length; i++) {
    if (i % 256 === 0) signal?.throwIfAborted();
    await checkPng(resolve(frames[i]!), i);
  }
}

/** The frames' bytes in order, for ffmpeg's stdin (a frame removed since it was checked is named). */
export async function* frameBytes(frames: readonly string[]): AsyncGenerator<Buffer> {
  for (const [i, frame] of frames.entries()) {
    const path = resolve(frame);
    try {
      yield await readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new VideoFrameError(path, i, code === 'ENOENT' ? 'disappeared during the encode.' : `cannot be read (${code}).`);
    }
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Exists, is a file, and starts like a PNG (ffmpeg decodes every frame with the PNG decoder). */
async function checkPng(source: string, index: number): Promise<void> {
  let handle;
  try {
    handle = await open(source, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VideoFrameError(source, index, code === 'ENOENT' ? 'does not exist.' : `cannot be read (${code}).`);
  }
  try {
    if (!(await handle.stat()).isFile()) throw new VideoFrameError(source, index, 'is not a file.');
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    if (bytesRead < 8 || !head.equals(PNG_SIGNATURE)) {
      throw new VideoFrameError(source, index, 'is not a PNG file: video frames must be PNG (convert JPEG or other images first).');
    }
  } finally {
    await handle.close();
  }
}
