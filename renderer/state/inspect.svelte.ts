// The Inspect panel's state: a layer's channels as a grid of pictures (the engine's cache first,
// missing ones rendered page by page as a job), one channel large with its strongest neighbours,
// "dream with this channel", and an image probe showing which channels it drives and where.
import type { ReverieApi } from '../../contract/channels.ts';
import { INSPECT_QUALITY, MAX_CHANNELS_PER_REQUEST, type ChannelRank, type InspectFindings, type InspectQuality } from '../../contract/inspect.ts';
import type { ErrorInfo, FileBytes, InputImage, JobProgress, JobState, LayerChoice } from '../../contract/types.ts';
import type { FilePicker } from '../lib/files.ts';
import { Importer } from './importer.svelte.ts';
import { JobFollower } from './job.svelte.ts';
import type { Notices } from './notices.svelte.ts';

export interface InspectDeps {
  api: ReverieApi;
  notices: Notices;
  picker: FilePicker;
  layers(): LayerChoice[];
  /** Switches to Dream with this channel as the objective (on the image open there). */
  dreamWith(layer: string, channel: number): void;
}

/** Channels per page before the grid has measured itself (then it holds as many as fit). */
export const PAGE_SIZE = 12;
export { INSPECT_QUALITY };

export class InspectState {
  layer = $state<string | null>(null);
  quality = $state<InspectQuality>('quick');
  page = $state(0);
  /** Channels per page: as many tiles as the grid's space holds. */
  pageSize = $state(PAGE_SIZE);
  /** Pictures of the current layer and quality, by channel. */
  pictures = $state<Record<number, string>>({});
  /** Pictures the running grid job is still making, as they stand (they grow in place). */
  growing = $state<Record<number, string>>({});
  selected = $state<number | null>(null);
  view = $state<{ channel: number; url: string; neighbours: ChannelRank[] } | null>(null);
  probeInput = $state<InputImage | null>(null);
  probe = $state<InspectFindings | null>(null);
  shownMap = $state<number | null>(null);
  readonly grid: JobFollower;
  readonly viewer: JobFollower;
  readonly prober: JobFollower;
  readonly importer: Importer;
  /** Which layer and quality the running grid job renders (its pictures belong there only). */
  private gridFor = '';

  constructor(private readonly deps: InspectDeps) {
    this.importer = new Importer(deps, (input) => {
      this.probeInput = input;
      this.probe = null;
      return this.runProbe();
    });
    const failed = (title: string) => (error: ErrorInfo) => deps.notices.failure(error, title);
    const cancel = (jobId: string) => deps.api['job.cancel']({ jobId });
    this.grid = new JobFollower(
      {
        done: () => (this.growing = {}),
        failed: (error) => ((this.growing = {}), failed('The channels did not render')(error)),
        cancelled: () => (this.growing = {}),
        frame: ({ index, url }) => {
          if (this.gridFor === this.key) this.pictures = { ...this.pictures, [index]: url };
        },
        tiles: (tiles) => {
          if (this.gridFor === this.key) this.growing = { ...this.growing, ...Object.fromEntries(tiles.map((t) => [t.index, t.preview])) };
        },
      },
      cancel,
    );
    this.viewer = new JobFollower(
      {
        done: ({ frames, inspect }) => {
          const url = frames?.[0];
          if (url && inspect?.channel === this.selected && inspect.layer === this.layer) {
            this.view = { channel: inspect.channel, url, neighbours: inspect.neighbours ?? [] };
            // The neighbours show their own pictures where the cache has them.
            void this.loadCached(this.view.neighbours.map((n) => n.channel));
          }
        },
        failed: failed('The channel did not render'),
        cancelled: () => undefined,
      },
      cancel,
    );
    this.prober = new JobFollower(
      {
        done: ({ inspect }) => {
          this.probe = inspect ?? null;
          this.shownMap = inspect?.top?.[0]?.channel ?? null;
        },
        failed: failed('Could not read the image'),
        cancelled: () => undefined,
      },
      cancel,
    );
  }

  private get key(): string {
    return `${this.layer}/${this.quality}`;
  }

  get info(): LayerChoice | undefined {
    return this.deps.layers().find((l) => l.name === this.layer);
  }

  get pages(): number {
    return Math.max(1, Math.ceil((this.info?.channels ?? 0) / this.pageSize));
  }

  get pageChannels(): number[] {
    const count = this.info?.channels ?? 0;
    const start = this.page * this.pageSize;
    return Array.from({ length: Math.max(0, Math.min(this.pageSize, count - start)) }, (_, i) => start + i);
  }

  /** The grid measured how many tiles fit: pages hold that many, the first channel shown stays in view. */
  async setPageSize(size: number): Promise<void> {
    // A page is one request to the host, which takes at most MAX_CHANNELS_PER_REQUEST channels.
    const n = Math.max(4, Math.min(MAX_CHANNELS_PER_REQUEST, Math.floor(size)));
    if (n === this.pageSize) return;
    const first = this.page * this.pageSize;
    this.pageSize = n;
    this.page = Math.floor(first / n);
    await this.loadCached();
  }

  /** Goes to a channel's page and shows it large (a number outside the layer is refused in words). */
  async goTo(channel: number): Promise<void> {
    const count = this.info?.channels ?? 0;
    if (!Number.isInteger(channel) || channel < 0 || channel >= count) {
      this.deps.notices.push('info', 'No such channel', `${this.layer} has channels 0–${Math.max(0, count - 1)}.`);
      return;
    }
    await this.setPage(Math.floor(channel / this.pageSize));
    await this.show(channel);
  }

  get missing(): number[] {
    return this.pageChannels.filter((c) => this.pictures[c] === undefined);
  }

  get busy(): boolean {
    return this.grid.busy || this.viewer.busy || this.prober.busy;
  }

  async selectLayer(name: string): Promise<void> {
    this.layer = name;
    this.page = 0;
    this.selected = null;
    this.view = null;
    this.pictures = {};
    await this.loadCached();
    if (this.probeInput && !this.prober.busy) void this.runProbe();
  }

  /** After a model switch: a layer the new model lacks is forgotten (the panel then picks one of its own). */
  keepLayerIn(names: readonly string[]): void {
    if (this.layer === null || names.includes(this.layer)) return;
    this.layer = null;
    this.pictures = {};
    this.view = null;
    this.probe = null;
  }

  async setQuality(quality: InspectQuality): Promise<void> {
    this.quality = quality;
    this.pictures = {};
    this.view = null;
    await this.loadCached();
  }

  async setPage(page: number): Promise<void> {
    this.page = Math.min(this.pages - 1, Math.max(0, page));
    await this.loadCached();
  }

  /** Pictures the engine's cache already holds (this page's by default): shown at once, no job. */
  async loadCached(channels: number[] = this.pageChannels): Promise<void> {
    const { layer, quality } = this;
    if (!layer || channels.length === 0) return;
    try {
      const found = await this.deps.api['inspect.cached']({ layer, channels, quality });
      if (layer !== this.layer || quality !== this.quality) return;
      this.pictures = { ...this.pictures, ...Object.fromEntries(found.map((f) => [f.channel, f.url])) };
    } catch (err) {
      this.deps.notices.error(err, 'Could not read the channel pictures');
    }
  }

  /** Renders this page's missing pictures (or the channels named); each appears as its batch finishes. */
  async renderPage(channels: number[] = this.missing): Promise<void> {
    const { layer, quality } = this;
    if (!layer || channels.length === 0 || this.grid.busy) return;
    this.gridFor = this.key;
    await this.grid.start(() => this.deps.api['inspect.render']({ layer, channels, quality })).catch((err: unknown) => this.deps.notices.error(err, 'Could not render the channels'));
  }

  /** One channel large, with its strongest neighbours (cached pictures come back at once). */
  async show(channel: number): Promise<void> {
    const { layer, quality } = this;
    if (!layer) return;
    this.selected = channel;
    this.view = null;
    if (this.viewer.busy) await this.viewer.cancel().catch(() => undefined);
    await this.viewer.start(() => this.deps.api['inspect.channel']({ layer, channel, quality })).catch((err: unknown) => this.deps.notices.error(err, 'Could not render the channel'));
  }

  dreamWith(channel: number): void {
    if (this.layer) this.deps.dreamWith(this.layer, channel);
  }

  /** The image's strongest channels in this layer, with their maps to lay over it. */
  async runProbe(): Promise<void> {
    const input = this.probeInput;
    const layer = this.layer;
    if (!input || !layer) return;
    await this.prober.start(() => this.deps.api['inspect.image']({ inputId: input.id, layer, top: 8 })).catch((err: unknown) => this.deps.notices.error(err, 'Could not read the image'));
  }

  async cancel(): Promise<void> {
    const job = [this.viewer, this.grid, this.prober].find((j) => j.busy);
    await job?.cancel().catch((err: unknown) => this.deps.notices.error(err, 'Could not cancel'));
  }

  importFile(file: FileBytes): Promise<void> {
    return this.importer.importFile(file);
  }

  open(): Promise<void> {
    return this.importer.open();
  }

  onEvent(event: JobState | JobProgress): void {
    this.grid.onEvent(event);
    this.viewer.onEvent(event);
    this.prober.onEvent(event);
  }
}
