// The Models panel's state: installed and catalogue models, which one dreams (picking one makes the
// host load it), adding one by catalogue name, URL or folder with its size first and live progress,
// cancel and removal; and a search over the active model's class labels, where it has a head.
import type { ReverieApi } from '../../contract/channels.ts';
import type { ClassSearch, ModelDownload, ModelInfo, ModelSize } from '../../contract/models.ts';
import type { Notices } from './notices.svelte.ts';

export interface ModelsDeps {
  api: ReverieApi;
  notices: Notices;
}

/** A catalogue name or an http(s) URL has a download size to show first; a folder does not. */
export function isDownload(spec: string, catalogue: readonly ModelInfo[]): boolean {
  const s = spec.trim();
  return /^https?:\/\//i.test(s) || catalogue.some((m) => m.kind === 'catalogue' && m.name === s);
}

export class ModelsState {
  list = $state<ModelInfo[]>([]);
  /** Why the list could not be read, if it could not. */
  error = $state<string | null>(null);
  /** The model being switched to, until the host answers. */
  selecting = $state<string | null>(null);
  /** What the user typed to add: a catalogue name, a model.json URL or a folder. */
  addSpec = $state('');
  addName = $state('');
  size = $state<ModelSize | null>(null);
  probing = $state(false);
  downloads = $state<ModelDownload[]>([]);
  classQuery = $state('');
  classes = $state<ClassSearch | null>(null);
  private searchSeq = 0;

  constructor(private readonly deps: ModelsDeps) {}

  get active(): ModelInfo | null {
    return this.list.find((m) => m.active) ?? null;
  }

  get installed(): ModelInfo[] {
    return this.list.filter((m) => m.installed);
  }

  get available(): ModelInfo[] {
    return this.list.filter((m) => !m.installed);
  }

  /** The model's entry, if listed. */
  find(name: string): ModelInfo | null {
    return this.list.find((m) => m.name === name) ?? null;
  }

  downloadOf(spec: string): ModelDownload | null {
    return this.downloads.find((d) => d.spec === spec && d.state === 'downloading') ?? null;
  }

  async refresh(): Promise<void> {
    try {
      this.list = await this.deps.api['models.list']({});
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Asks the host to load `name`; the engine's status reports the switch as it happens. */
  async select(name: string): Promise<boolean> {
    if (this.selecting) return false;
    this.selecting = name;
    try {
      await this.deps.api['models.select']({ name });
      this.list = this.list.map((m) => ({ ...m, active: m.name === name }));
      this.classes = null;
      return true;
    } catch (err) {
      this.deps.notices.error(err, `Could not switch to ${name}`);
      return false;
    } finally {
      this.selecting = null;
    }
  }

  /** The download size of what is typed (or of a catalogue entry), shown before anything is fetched. */
  async probe(spec = this.addSpec): Promise<void> {
    const s = spec.trim();
    this.size = null;
    if (!s || !isDownload(s, this.list)) return;
    this.probing = true;
    try {
      this.size = await this.deps.api['models.probe']({ spec: s });
    } catch (err) {
      this.deps.notices.error(err, `Could not read ${s}`);
    } finally {
      this.probing = false;
    }
  }

  async add(spec = this.addSpec, name = this.addName): Promise<void> {
    const s = spec.trim();
    if (!s || this.downloadOf(s)) return;
    try {
      const started = await this.deps.api['models.add']({ spec: s, ...(name.trim() ? { name: name.trim() } : {}) });
      this.onDownload(started);
      if (s === this.addSpec.trim()) {
        this.addSpec = '';
        this.addName = '';
        this.size = null;
      }
    } catch (err) {
      this.deps.notices.error(err, `Could not add ${s}`);
    }
  }

  /** Electron: a folder from a native dialog, which is the only kind of local path the host accepts there. */
  async chooseFolder(): Promise<void> {
    try {
      const picked = await this.deps.api['dialog.openModelFolder']({});
      if (picked) {
        this.addSpec = picked.path;
        this.size = null;
      }
    } catch (err) {
      this.deps.notices.error(err, 'Could not open the folder dialog');
    }
  }

  async cancel(downloadId: string): Promise<void> {
    try {
      await this.deps.api['models.cancel']({ downloadId });
    } catch (err) {
      this.deps.notices.error(err, 'Could not cancel the download');
    }
  }

  async remove(name: string): Promise<void> {
    try {
      const { bytes } = await this.deps.api['models.remove']({ name });
      this.deps.notices.push('success', `Removed ${name}`, `${(bytes / 1024 / 1024).toFixed(1)} MB freed.`);
      await this.refresh();
    } catch (err) {
      this.deps.notices.error(err, `Could not remove ${name}`);
    }
  }

  /** A `models.download` event: progress replaces the entry; the end refreshes the list. */
  onDownload(d: ModelDownload): void {
    const others = this.downloads.filter((x) => x.downloadId !== d.downloadId);
    // A late progress event never undoes an ending.
    const known = this.downloads.find((x) => x.downloadId === d.downloadId);
    if (known && known.state !== 'downloading') return;
    this.downloads = [...others, d];
    if (d.state === 'done') {
      this.deps.notices.push('success', `Added ${d.model?.name ?? d.spec}`, 'Pick it to dream with it.');
      void this.refresh();
    } else if (d.state === 'failed' && d.error) {
      this.deps.notices.error(Object.assign(new Error(d.error.message), { name: d.error.name }), `Could not add ${d.spec}`);
    }
  }

  /** Fraction of a download done, or null while its size is unknown. */
  fraction(d: ModelDownload): number | null {
    return d.totalBytes ? Math.min(1, d.loadedBytes / d.totalBytes) : null;
  }

  /** Searches the active model's class labels; the newest query wins. `quiet`: the app's own probe, no notice. */
  async searchClasses(query = this.classQuery, quiet = false): Promise<void> {
    this.classQuery = query;
    const seq = ++this.searchSeq;
    try {
      const found = await this.deps.api['models.classes']({ query, limit: 12 });
      if (seq === this.searchSeq) this.classes = found;
    } catch (err) {
      if (seq === this.searchSeq) this.classes = null;
      if (!quiet) this.deps.notices.error(err, 'Could not search the classes');
    }
  }
}
