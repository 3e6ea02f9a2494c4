// A folder of gallery entries under the data folder: <data>/<folder>/<id>/ holds a project and
// entry.json, written last and atomically, so a folder without it is an unfinished write and ignored.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { VideoFile } from '../contract/projects.ts';
import { writeFileAtomic } from '../engine/io/atomic.ts';
import { NotFoundError, requireId } from './validate.ts';

/** Data-folder paths use '/' on every platform (they become URLs). */
export const relPath = (...parts: string[]): string => parts.flatMap((p) => p.split(sep)).filter(Boolean).join('/');

/** A video kept beside a project (its URL depends on the host, so it is not stored). */
export type VideoRecord = Omit<VideoFile, 'url'>;

export interface EntryRecord {
  version: 1;
  id: string;
  kind: string;
  createdAt: string;
  exports: VideoRecord[];
}

export class EntryFolder<R extends EntryRecord> {
  constructor(
    readonly root: string,
    /** The folder's name under the data folder, as URLs and relative paths spell it. */
    readonly folder: string,
    private readonly kind: R['kind'],
  ) {}

  path(id: string, ...parts: string[]): string {
    return join(this.root, requireId(id, 'The id'), ...parts);
  }

  /** Relative to the data folder, with '/' (for URLs). */
  rel(id: string, ...parts: string[]): string {
    return [this.folder, requireId(id, 'The id'), ...parts].join('/');
  }

  async create(id: string): Promise<string> {
    const dir = this.path(id);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Ids of complete entries (folders with a readable entry.json of this kind). */
  async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    const ok = await Promise.all(names.filter((n) => !n.startsWith('.')).map((n) => this.read(n).then(() => n, () => null)));
    return ok.filter((n): n is string => n !== null);
  }

  async read(id: string): Promise<R> {
    requireId(id, 'The id');
    try {
      const record = JSON.parse(await readFile(join(this.root, id, 'entry.json'), 'utf8')) as R;
      if (record.version === 1 && record.id === id && record.kind === this.kind) return record;
    } catch {
      // Missing, unreadable or half-written: treated as absent below.
    }
    throw new NotFoundError(`${id} is not in the gallery (it may have been deleted).`);
  }

  async has(id: string): Promise<boolean> {
    return this.read(id).then(
      () => true,
      () => false,
    );
  }

  async write(record: R): Promise<void> {
    await writeFileAtomic(join(this.path(record.id), 'entry.json'), JSON.stringify(record, null, 2));
  }

  async addExport(id: string, video: VideoRecord): Promise<R> {
    const record = await this.read(id);
    record.exports = [...record.exports, video];
    await this.write(record);
    return record;
  }

  /** Removes the folder, entry.json first: an interrupted delete leaves an ignored folder. */
  async remove(id: string): Promise<boolean> {
    if (!(await this.has(id))) return false;
    await rm(join(this.path(id), 'entry.json'), { force: true });
    await rm(this.path(id), { recursive: true, force: true });
    return true;
  }

  /** Drops a folder whose entry was never written (a creation that failed). */
  async discard(id: string): Promise<void> {
    await rm(this.path(id), { recursive: true, force: true });
  }
}
