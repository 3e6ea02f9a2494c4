// Zoom projects in the data folder: <data>/zoom/<id>/project/ is an engine project folder (the CLI's
// `reverie resume` and `reverie video` work on it too), beside entry.json, thumb.jpg and exports/.
import type { VideoFile, ZoomItem } from '../contract/projects.ts';
import { readZoomManifest } from '../engine/project/store.ts';
import { EntryFolder, type EntryRecord, type VideoRecord } from './entries.ts';
import type { ProjectPlace } from './protocol.ts';

export interface ZoomRecord extends EntryRecord {
  kind: 'zoom';
  input: { id: string; name: string };
  maxSide: number;
}

export type FileUrl = (relative: string) => string;

export class ZoomStore {
  readonly entries: EntryFolder<ZoomRecord>;

  constructor(
    root: string,
    private readonly fileUrl: FileUrl,
    /** The job rendering this project, or null (a 'running' manifest without one was interrupted). */
    private readonly rendering: (id: string) => string | null,
  ) {
    this.entries = new EntryFolder<ZoomRecord>(root, 'zoom', 'zoom');
  }

  place(id: string): ProjectPlace {
    return { dir: this.entries.path(id, 'project'), rel: this.entries.rel(id, 'project'), thumb: this.entries.path(id, 'thumb.jpg') };
  }

  exportPath(id: string, file: string): string {
    return this.entries.path(id, 'exports', file);
  }

  video(id: string, v: VideoRecord): VideoFile {
    return { ...v, url: this.fileUrl(this.entries.rel(id, 'exports', v.file)) };
  }

  async item(id: string): Promise<ZoomItem> {
    const record = await this.entries.read(id);
    const place = this.place(id);
    const m = await readZoomManifest(place.dir);
    const jobId = this.rendering(id);
    const status = m.status === 'running' && !jobId ? 'cancelled' : m.status;
    const version = Date.parse(m.updatedAt) || 0;
    return {
      id,
      kind: 'zoom',
      createdAt: record.createdAt,
      updatedAt: m.updatedAt,
      input: record.input,
      sourceUrl: this.fileUrl(`${place.rel}/${m.input.file}`),
      recipe: m.recipe,
      settings: m.settings,
      maxSide: record.maxSide,
      width: m.input.width,
      height: m.input.height,
      status,
      error: m.error,
      frameUrls: m.frames.map((f) => this.fileUrl(`${place.rel}/${f.file}`)),
      thumbUrl: `${this.fileUrl(this.entries.rel(id, 'thumb.jpg'))}?v=${version}`,
      exports: record.exports.map((v) => this.video(id, v)),
      jobId,
    };
  }

  /** Every readable project; a damaged one is left out rather than hiding the rest. */
  async list(): Promise<ZoomItem[]> {
    const items = await Promise.all((await this.entries.ids()).map((id) => this.item(id).catch(() => null)));
    return items.filter((i): i is ZoomItem => i !== null);
  }
}
