// Ping-pong sessions in the data folder: <data>/sessions/<id>/session/ is an engine session folder
// (rounds of paintings and their zoom projects), beside entry.json, thumb.jpg and exports/.
import { stat } from 'node:fs/promises';
import type { SessionItem, VideoFile } from '../contract/projects.ts';
import { roundFrameCount } from '../engine/animate/session.ts';
import { frameFileName, readSessionManifest } from '../engine/project/store.ts';
import { EntryFolder, relPath, type EntryRecord, type VideoRecord } from './entries.ts';
import type { ProjectPlace } from './protocol.ts';
import type { FileUrl } from './zoomStore.ts';

export interface SessionRecord extends EntryRecord {
  kind: 'session';
  width: number;
  height: number;
}

export class SessionStore {
  readonly entries: EntryFolder<SessionRecord>;

  constructor(
    root: string,
    private readonly fileUrl: FileUrl,
    /** The job dreaming a round of this session, or null. */
    private readonly dreaming: (id: string) => string | null,
  ) {
    this.entries = new EntryFolder<SessionRecord>(root, 'sessions', 'session');
  }

  place(id: string): ProjectPlace {
    return { dir: this.entries.path(id, 'session'), rel: this.entries.rel(id, 'session'), thumb: this.entries.path(id, 'thumb.jpg') };
  }

  exportPath(id: string, file: string): string {
    return this.entries.path(id, 'exports', file);
  }

  video(id: string, v: VideoRecord): VideoFile {
    return { ...v, url: this.fileUrl(this.entries.rel(id, 'exports', v.file)) };
  }

  async item(id: string): Promise<SessionItem> {
    const record = await this.entries.read(id);
    const place = this.place(id);
    const m = await readSessionManifest(place.dir);
    const rounds = await Promise.all(
      m.rounds.map(async (r) => {
        const count = await roundFrameCount(place.dir, r);
        const dream = relPath(place.rel, r.dream);
        return {
          number: r.number,
          paintingUrl: this.fileUrl(relPath(place.rel, r.painting)),
          frameUrls: Array.from({ length: count }, (_, i) => this.fileUrl(`${dream}/${frameFileName(i)}`)),
          picked: r.picked,
        };
      }),
    );
    // Rounds' dreams change the session without touching its manifest: the thumbnail's time says when.
    const { mtimeMs } = await stat(this.entries.path(id, 'thumb.jpg')).catch(() => ({ mtimeMs: 0 }));
    return {
      id,
      kind: 'session',
      createdAt: record.createdAt,
      updatedAt: m.updatedAt,
      recipe: m.recipe,
      settings: m.settings,
      width: record.width,
      height: record.height,
      rounds,
      thumbUrl: `${this.fileUrl(this.entries.rel(id, 'thumb.jpg'))}?v=${Math.round(mtimeMs)}`,
      exports: record.exports.map((v) => this.video(id, v)),
      jobId: this.dreaming(id),
    };
  }

  async list(): Promise<SessionItem[]> {
    const items = await Promise.all((await this.entries.ids()).map((id) => this.item(id).catch(() => null)));
    return items.filter((i): i is SessionItem => i !== null);
  }
}
