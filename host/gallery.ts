// Every result persists under <data>/gallery/<id>/: result.png (recipe embedded), thumb.jpg and
// entry.json, written last and atomically, so a folder without it is an unfinished write and ignored.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { GalleryItem, InputImage } from '../contract/types.ts';
import { writeFileAtomic } from '../engine/io/atomic.ts';
import { BadRequestError, NotFoundError, requireId } from './validate.ts';

/** What entry.json holds: the item without URLs (those depend on the host). */
export type GalleryRecord = Omit<GalleryItem, 'input' | 'resultUrl' | 'thumbUrl'> & {
  version: 1;
  input: Omit<InputImage, 'url'> & { display: string };
};

export function newGalleryId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`.toLowerCase();
}

export class Gallery {
  constructor(
    private readonly dir: string,
    private readonly fileUrl: (relative: string) => string,
  ) {}

  async add(record: GalleryRecord, png: Uint8Array, thumb: Uint8Array): Promise<GalleryItem> {
    const folder = join(this.dir, requireId(record.id, 'The gallery id'));
    await mkdir(folder, { recursive: true });
    await writeFileAtomic(join(folder, 'result.png'), Buffer.from(png));
    await writeFileAtomic(join(folder, 'thumb.jpg'), Buffer.from(thumb));
    await writeFileAtomic(join(folder, 'entry.json'), JSON.stringify(record, null, 2));
    return this.toItem(record);
  }

  /** Newest first; folders without a readable entry.json are skipped. */
  async list(): Promise<GalleryItem[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const records = await Promise.all(names.filter((n) => !n.startsWith('.')).map((n) => this.read(n).catch(() => null)));
    return records
      .filter((r): r is GalleryRecord => r !== null)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map((r) => this.toItem(r));
  }

  async get(id: string): Promise<GalleryItem> {
    try {
      return this.toItem(await this.read(requireId(id, 'The gallery id')));
    } catch (err) {
      if (err instanceof BadRequestError) throw err;
      throw new NotFoundError(`Gallery item ${id} does not exist (it may have been deleted).`);
    }
  }

  resultPath(id: string): string {
    return join(this.dir, requireId(id, 'The gallery id'), 'result.png');
  }

  async remove(id: string): Promise<boolean> {
    const folder = join(this.dir, requireId(id, 'The gallery id'));
    try {
      await this.read(id);
    } catch {
      return false;
    }
    // entry.json first: an interrupted delete leaves an ignored folder, never a broken item.
    await rm(join(folder, 'entry.json'), { force: true });
    await rm(folder, { recursive: true, force: true });
    return true;
  }

  private async read(id: string): Promise<GalleryRecord> {
    const record = JSON.parse(await readFile(join(this.dir, id, 'entry.json'), 'utf8')) as GalleryRecord;
    if (record.version !== 1 || record.id !== id) throw new Error(`gallery/${id}/entry.json is not a version 1 entry for this folder.`);
    return record;
  }

  private toItem(r: GalleryRecord): GalleryItem {
    const { display, ...input } = r.input;
    return {
      id: r.id,
      kind: r.kind,
      createdAt: r.createdAt,
      input: { ...input, url: this.fileUrl(`inputs/${input.id}/${display}`) },
      recipe: r.recipe,
      maxSide: r.maxSide,
      width: r.width,
      height: r.height,
      backend: r.backend,
      ...(r.route ? { route: r.route } : {}),
      ...(r.device ? { device: r.device } : {}),
      ...(r.deviceLabel ? { deviceLabel: r.deviceLabel } : {}),
      elapsedMs: r.elapsedMs,
      resultUrl: this.fileUrl(`gallery/${r.id}/result.png`),
      thumbUrl: this.fileUrl(`gallery/${r.id}/thumb.jpg`),
    };
  }
}
