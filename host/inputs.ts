// Images the user brings in, stored once by content hash under <data>/inputs/<id>/: the original
// bytes, a display copy browsers can show, and a small JSON record.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FileBytes, InputImage } from '../contract/types.ts';
import { inspectImage } from '../engine/io/image.ts';
import { ImageDecodeError } from '../engine/io/errors.ts';
import { writeFileAtomic } from '../engine/io/atomic.ts';
import { NotFoundError, requireId } from './validate.ts';

export interface InputRecord {
  id: string;
  name: string;
  width: number;
  height: number;
  display: string;
}

const DISPLAY_MAX_SIDE = 2048;

export class InputStore {
  constructor(
    private readonly dir: string,
    private readonly fileUrl: (relative: string) => string,
  ) {}

  async import(file: FileBytes): Promise<InputImage> {
    const bytes = Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength);
    // The header checks the format and size limit with the engine's typed errors; no float pixels
    // are made here (the engine decodes at the size a job asks for). The display copy below reads
    // every pixel once, in libvips, and so checks integrity.
    const header = await inspectImage(bytes, { name: file.name });
    const id = createHash('sha256').update(bytes).digest('hex').slice(0, 24);
    const folder = join(this.dir, id);
    if (await exists(join(folder, 'input.json'))) return this.get(id);

    const tmp = join(this.dir, `.${id}.${randomBytes(6).toString('hex')}.tmp`);
    await mkdir(tmp, { recursive: true, mode: 0o700 });
    try {
      const display = header.hasAlpha ? 'display.png' : 'display.jpg';
      const pipeline = sharp(bytes, { limitInputPixels: header.width * header.height, failOn: 'warning', pages: 1 })
        .rotate()
        .resize({ width: DISPLAY_MAX_SIDE, height: DISPLAY_MAX_SIDE, fit: 'inside', withoutEnlargement: true });
      const shown = await (header.hasAlpha ? pipeline.png() : pipeline.jpeg({ quality: 92 })).toBuffer().catch((err: unknown) => {
        throw new ImageDecodeError(file.name, 'the image data is truncated or corrupt', { cause: err });
      });
      // The user's pictures are theirs alone (the data folder is 0700 too).
      await writeFileAtomic(join(tmp, 'source'), bytes, { mode: 0o600 });
      await writeFileAtomic(join(tmp, display), shown, { mode: 0o600 });
      const record: InputRecord = { id, name: file.name, width: header.width, height: header.height, display };
      await writeFileAtomic(join(tmp, 'input.json'), JSON.stringify(record, null, 2), { mode: 0o600 });
      await rename(tmp, folder).catch(async (err: NodeJS.ErrnoException) => {
        // The same image imported twice at once: the other copy won, and it is identical.
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return this.get(id);
  }

  async get(id: string): Promise<InputImage> {
    const record = await this.record(id);
    return { id, name: record.name, width: record.width, height: record.height, url: this.fileUrl(`inputs/${id}/${record.display}`) };
  }

  async record(id: string): Promise<InputRecord> {
    requireId(id, 'The input id');
    try {
      return JSON.parse(await readFile(join(this.dir, id, 'input.json'), 'utf8')) as InputRecord;
    } catch {
      throw new NotFoundError(`Input image ${id} is no longer in the data folder; open the image again.`);
    }
  }

  sourcePath(id: string): string {
    return join(this.dir, requireId(id, 'The input id'), 'source');
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
