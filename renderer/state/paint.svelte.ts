// The Paint panel's state (painting ping-pong): brush, eraser and eyedropper with undo/redo, the
// frame under the canvas, the session's rounds as a timeline, "dream from my painting" (a new
// session, or a new round, then N dreamed frames as a job), picking a frame to paint over next,
// and the session video. The canvas component flattens canvas-over-frame to PNG on request.
import type { SessionItem } from '../../contract/projects.ts';
import type { FileBytes, InputImage, JobProgress, JobState } from '../../contract/types.ts';
import { DEFAULT_ZOOM } from '../lib/zoomFields.ts';
import { BrushState } from './brush.svelte.ts';
import { MaskState, maskPng } from './mask.svelte.ts';
import { MaskBrushes } from './maskBrushes.svelte.ts';
import { Importer } from './importer.svelte.ts';
import { JobFollower } from './job.svelte.ts';
import { RecipeState } from './recipe.svelte.ts';
import { VideoExportState } from './videoExport.svelte.ts';
import { ZOOM_RECIPE, type ZoomDeps } from './zoom.svelte.ts';

/** What lies under the canvas: an image, a blank sheet, a round's painting or a dreamed frame. */
export interface PaintBase {
  kind: 'image' | 'blank' | 'painting' | 'frame';
  url: string | null;
  width: number;
  height: number;
  label: string;
}

export type PaintDeps = ZoomDeps;

export class PaintState {
  base = $state<PaintBase | null>(null);
  session = $state<SessionItem | null>(null);
  maxSide = $state(512);
  framesPerRound = $state(8);
  /** Send the tiles of each round's frames to the farm in Settings (when one is set). */
  sendToFarm = $state(false);
  zoom = $state(DEFAULT_ZOOM.zoom);
  readonly recipe = new RecipeState(ZOOM_RECIPE);
  readonly brush = new BrushState();
  /** Where the session's rounds dream (white) and keep the painting (black); fixed when the session starts. */
  readonly mask = new MaskState();
  readonly maskBrushes = new MaskBrushes(this.mask);
  readonly round: JobFollower;
  readonly exporter: VideoExportState;
  readonly importer: Importer;
  private flattener: (() => Promise<FileBytes>) | null = null;

  /** A farm is set and the user asked for it. */
  get usesFarm(): boolean {
    return this.sendToFarm && !!this.deps.farmUrl?.();
  }

  constructor(private readonly deps: PaintDeps) {
    this.importer = new Importer(deps, (input) => this.useImage(input));
    this.round = new JobFollower(
      {
        done: ({ item }) => {
          if (item?.kind === 'session') this.session = item;
          deps.notices.push('success', 'Round dreamed', 'Click a frame in the timeline to paint over it next.');
        },
        failed: (error) => deps.notices.failure(error, 'The round failed'),
        cancelled: () => void this.refresh(),
      },
      (jobId) => deps.api['job.cancel']({ jobId }),
    );
    this.exporter = new VideoExportState({
      ...deps,
      target: () => (this.session?.rounds.some((r) => r.frameUrls.length > 0) ? this.session.id : null),
      begin: (id, options, extra) => deps.api['session.video']({ id, ...options, ...extra, allFrames: false }),
      made: () => void this.refresh(),
      // The video starts from the first painting and is made at its size unless another is typed.
      frameSize: () => (this.session ? { width: this.session.width, height: this.session.height } : null),
    });
  }

  get busy(): boolean {
    return this.round.busy || this.exporter.job.busy;
  }

  /** The canvas differs from the latest round's painting: dreaming starts a new round from it. */
  get pending(): boolean {
    return this.brush.strokes.length > 0 || this.base?.kind !== 'painting';
  }

  get canDream(): boolean {
    return this.base !== null && !this.busy && this.recipe.problems(this.deps.channelCounts()).length === 0;
  }

  /** The canvas component hands over how to flatten canvas-over-frame; returns the detach. */
  attach(flatten: () => Promise<FileBytes>): () => void {
    this.flattener = flatten;
    return () => {
      if (this.flattener === flatten) this.flattener = null;
    };
  }

  /** Starts over from an image (scaled to the painting size); a session in hand is left as it is. */
  useImage(input: Pick<InputImage, 'url' | 'width' | 'height' | 'name'>): void {
    const scale = Math.min(1, this.maxSide / Math.max(input.width, input.height));
    this.start({ kind: 'image', url: input.url, width: Math.round(input.width * scale), height: Math.round(input.height * scale), label: input.name });
  }

  blank(): void {
    this.start({ kind: 'blank', url: null, width: this.maxSide, height: Math.round(this.maxSide * 0.75), label: 'Blank canvas' });
  }

  /** Puts back a base kept across a reload (an image or a blank sheet). */
  restoreBase(base: PaintBase): void {
    this.start(base);
  }

  private start(base: PaintBase): void {
    this.base = base;
    this.session = null;
    this.brush.reset();
    this.exporter.last = null;
  }

  /** The painted mask, imported at the painting's size, for a new session (none when off or empty). */
  private async maskInput(): Promise<{ maskInputId?: string }> {
    const base = this.base;
    if (!this.mask.active || !base) return {};
    const image = await this.deps.api['image.import']({ name: 'mask.png', data: await maskPng(this.mask, base.width, base.height) });
    return { maskInputId: image.id };
  }

  /** Dream from my painting: a new session or round from the canvas, then N frames. */
  async dream(): Promise<void> {
    if (!this.canDream) return;
    this.deps.notices.resolve('The round failed', 'Could not dream from the painting');
    try {
      if (!this.session || this.pending) {
        if (!this.flattener) throw new Error('The canvas is not ready yet.');
        const painting = await this.flattener();
        const settings = { ...DEFAULT_ZOOM, zoom: this.zoom };
        const { frames: _frames, ...round } = settings;
        this.session = this.session
          ? await this.deps.api['session.add']({ id: this.session.id, painting })
          : await this.deps.api['session.new']({ painting, recipe: this.recipe.recipe, settings: round, ...(await this.maskInput()) });
        const latest = this.session.rounds.at(-1)!;
        this.base = { kind: 'painting', url: latest.paintingUrl, width: this.session.width, height: this.session.height, label: `Round ${latest.number} painting` };
        this.brush.reset();
      }
      const id = this.session.id;
      await this.round.start(() => this.deps.api['session.dream']({ id, frames: this.framesPerRound, ...(this.usesFarm ? { farm: true } : {}) }));
    } catch (err) {
      this.deps.notices.error(err, 'Could not dream from the painting');
    }
  }

  /** The frame to paint over next (the strokes so far stay on the canvas). */
  async pick(round: number, frame: number): Promise<void> {
    const session = this.session;
    if (!session || this.round.busy) return;
    try {
      this.session = await this.deps.api['session.pick']({ id: session.id, round, frame });
      const url = this.session.rounds[round - 1]?.frameUrls[frame] ?? null;
      this.base = { kind: 'frame', url, width: this.session.width, height: this.session.height, label: `Round ${round}, frame ${frame}` };
    } catch (err) {
      this.deps.notices.error(err, 'Could not pick that frame');
    }
  }

  /** Shows a session from the gallery, at its latest round's painting. */
  openSession(item: SessionItem): void {
    if (this.busy) {
      this.deps.notices.push('info', 'A round is dreaming', 'Cancel it or wait before opening another session.');
      return;
    }
    const latest = item.rounds.at(-1)!;
    this.start({ kind: 'painting', url: latest.paintingUrl, width: item.width, height: item.height, label: `Round ${latest.number} painting` });
    this.session = item;
    this.recipe.load(item.recipe);
    this.zoom = item.settings.zoom;
    // The round settings come back: steps with the recipe, zoom from the session, frames per round
    // from the last round dreamed (the session does not store them apart).
    const dreamed = item.rounds.findLast((r) => r.frameUrls.length > 0);
    if (dreamed) this.framesPerRound = Math.min(120, dreamed.frameUrls.length);
    this.exporter.last = item.exports.at(-1) ?? null;
    if (item.jobId) this.round.attach(item.jobId);
  }

  async refresh(): Promise<void> {
    const id = this.session?.id;
    if (!id) return;
    const item = await this.deps.api['gallery.get']({ id }).catch(() => null);
    if (item?.kind === 'session' && this.session?.id === id) this.session = item;
  }

  async cancel(): Promise<void> {
    const job = [this.round, this.exporter.job].find((j) => j.busy);
    await job?.cancel().catch((err: unknown) => this.deps.notices.error(err, 'Could not cancel'));
  }

  importFile(file: FileBytes): Promise<void> {
    return this.importer.importFile(file);
  }

  open(): Promise<void> {
    return this.importer.open();
  }

  onEvent(event: JobState | JobProgress): void {
    this.round.onEvent(event);
    this.exporter.onEvent(event);
  }
}
