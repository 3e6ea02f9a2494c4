// The Zoom panel's state: the image and its zoom centre, the zoom settings and keyframes, a short
// preview, the render (a project in the data folder, frames shown as they land), resume after a
// cancel, and the video export. Components only render this and call its methods.
import type { ReverieApi } from '../../contract/channels.ts';
import type { ZoomItem, ZoomSettings } from '../../contract/projects.ts';
import type { FileBytes, InputImage, JobProgress, JobState } from '../../contract/types.ts';
import type { FilePicker } from '../lib/files.ts';
import { DEFAULT_PRESET } from '../lib/presets.ts';
import { clampField } from '../lib/recipeFields.ts';
import { DEFAULT_ZOOM, ZOOM_FIELDS, type ZoomField } from '../lib/zoomFields.ts';
import { JobFollower } from './job.svelte.ts';
import { Importer } from './importer.svelte.ts';
import { KeyframeList } from './keyframes.svelte.ts';
import type { Notices } from './notices.svelte.ts';
import { RecipeState } from './recipe.svelte.ts';
import { VideoExportState } from './videoExport.svelte.ts';
import { ZoomPreview } from './zoomPreview.svelte.ts';

export interface ZoomDeps {
  api: ReverieApi;
  notices: Notices;
  picker: FilePicker;
  download(url: string, fileName: string): void;
  channelCounts(): ReadonlyMap<string, number>;
  /** The farm saved in Settings (null: none), which "Send to farm" uses. */
  farmUrl?(): string | null;
}

/** Zoom frames want light dreaming: one octave of a few steps per frame on 256 px tiles (as `reverie zoom`; engine/animate/zoomPlan.ts ZOOM_FRAME_RECIPE says why). */
export const ZOOM_RECIPE = { ...DEFAULT_PRESET.recipe, steps: 5, octaves: 1, tileSize: 256 };
type Numbers = Omit<ZoomSettings, 'keyframes'>;

export class ZoomState {
  input = $state<InputImage | null>(null);
  values = $state<Numbers>({ ...DEFAULT_ZOOM });
  maxSide = $state(512);
  project = $state<ZoomItem | null>(null);
  /** Which strip the stage shows, and the frame picked in it (null: the image with its centre). */
  strip = $state<'project' | 'preview'>('project');
  shown = $state<number | null>(null);
  /** A render or preview was started here: the stage follows its newest frame until a frame is picked. */
  following = $state(false);
  /** A render's project is being made (before its job starts); Esc then stops it from starting. */
  creating = $state(false);
  private stopBeforeStart = false;
  /** Send the tiles of every frame's steps to the farm in Settings (when one is set). */
  sendToFarm = $state(false);
  readonly recipe = new RecipeState(ZOOM_RECIPE);
  readonly keys = new KeyframeList();
  readonly render: JobFollower;
  readonly preview: ZoomPreview;
  readonly exporter: VideoExportState;
  readonly importer: Importer;

  constructor(private readonly deps: ZoomDeps) {
    this.importer = new Importer(deps, (input) => this.useImage(input));
    this.render = new JobFollower(
      {
        done: ({ item }) => {
          if (item?.kind === 'zoom') this.project = item;
          deps.notices.push('success', 'Zoom rendered', `${this.project?.frameUrls.length ?? 0} frames. Export it as a video on the right.`);
        },
        failed: (error) => {
          deps.notices.failure(error, 'The render failed');
          void this.refresh();
        },
        cancelled: () => {
          deps.notices.push('info', 'Render cancelled', 'The frames so far are kept; resume whenever you like.');
          void this.refresh();
        },
      },
      (jobId) => deps.api['job.cancel']({ jobId }),
    );
    this.preview = new ZoomPreview(deps);
    this.exporter = new VideoExportState({
      ...deps,
      target: () => (this.project && this.project.frameUrls.length > 0 ? this.project.id : null),
      begin: (id, options) => deps.api['video.export']({ id, ...options }),
      made: () => void this.refresh(),
    });
  }

  get settings(): ZoomSettings {
    return { ...$state.snapshot(this.values), keyframes: this.keys.keyframes };
  }

  get busy(): boolean {
    return this.creating || this.render.busy || this.preview.job.busy || this.exporter.job.busy;
  }

  get problems(): string[] {
    return [...(this.input ? [] : ['Open an image to zoom into.']), ...this.recipe.problems(this.deps.channelCounts()), ...this.keys.problems(this.values.frames ?? 1, this.layerNames)];
  }

  /** The active model's layers, once loaded (what a key may switch to). */
  get layerNames(): string[] {
    return [...this.deps.channelCounts().keys()];
  }

  get canRender(): boolean {
    return !this.busy && !this.importer.importing && this.problems.length === 0;
  }

  /** A render that stopped early (or never started) can go on from its last frame with its own settings. */
  get canResume(): boolean {
    const status = this.project?.status;
    return !this.busy && (status === 'new' || status === 'cancelled' || status === 'failed');
  }

  /** The project's frames, with a render's new frames as they land. */
  get projectFrames(): string[] {
    const made = this.project?.frameUrls ?? [];
    return [...made, ...this.render.frames.filter((u) => !made.includes(u))];
  }

  /** The frames the strip shows. */
  get frames(): string[] {
    return this.strip === 'preview' ? this.preview.frames : this.projectFrames;
  }

  /** The frame the stage shows: the one picked, else the newest while following, else none (the image). */
  get stageFrame(): number | null {
    return this.shown ?? (this.following && this.frames.length ? this.frames.length - 1 : null);
  }

  /** Back to the image with its centre. */
  showSource(): void {
    this.shown = null;
    this.following = false;
  }

  set(field: ZoomField, value: number): void {
    this.values[field] = clampField(ZOOM_FIELDS[field], value);
  }

  /** The point zoomed into, from a click on the image (fractions of its size). */
  setCentre(x: number, y: number): void {
    const at = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
    this.values.centerX = at(x);
    this.values.centerY = at(y);
    this.showSource();
  }

  useImage(input: InputImage): void {
    this.input = input;
    this.project = null;
    this.showSource();
  }

  async startPreview(): Promise<void> {
    const input = this.input;
    if (!input || !this.canRender) return;
    this.strip = 'preview';
    this.shown = null;
    this.following = true;
    await this.preview.start({ inputId: input.id, recipe: this.recipe.recipe, settings: this.settings });
  }

  /** A new project from these settings, rendered at once. */
  async startRender(): Promise<void> {
    const input = this.input;
    if (!input || !this.canRender) return;
    this.creating = true;
    this.stopBeforeStart = false;
    this.deps.notices.resolve('The render failed', 'Could not start the render');
    try {
      this.project = await this.deps.api['zoom.create']({ inputId: input.id, recipe: this.recipe.recipe, settings: this.settings, maxSide: this.maxSide });
      this.strip = 'project';
      this.shown = null;
      this.following = true;
      const id = this.project.id;
      this.creating = false;
      if (this.stopBeforeStart) {
        this.deps.notices.push('info', 'Render cancelled', 'The project is kept in the gallery; resume it whenever you like.');
        return;
      }
      await this.render.start(() => this.deps.api['zoom.run']({ id, ...this.farmFlag }));
    } catch (err) {
      this.deps.notices.error(err, 'Could not start the render');
    } finally {
      this.creating = false;
    }
  }

  /** A farm is set and the user asked for it. */
  get usesFarm(): boolean {
    return this.sendToFarm && !!this.deps.farmUrl?.();
  }

  private get farmFlag(): { farm?: true } {
    return this.usesFarm ? { farm: true } : {};
  }

  async resume(): Promise<void> {
    const project = this.project;
    if (!project || !this.canResume) return;
    this.strip = 'project';
    this.shown = null;
    this.following = true;
    await this.render.start(() => this.deps.api['zoom.resume']({ id: project.id, ...this.farmFlag })).catch((err: unknown) => this.deps.notices.error(err, 'Could not resume'));
  }

  async cancel(): Promise<void> {
    if (this.creating) this.stopBeforeStart = true;
    const job = [this.render, this.preview.job, this.exporter.job].find((j) => j.busy);
    await job?.cancel().catch((err: unknown) => this.deps.notices.error(err, 'Could not cancel'));
  }

  /** Shows a project from the gallery: its image, settings, recipe and frames. */
  openProject(item: ZoomItem): void {
    if (this.busy) {
      this.deps.notices.push('info', 'A zoom job is running', 'Cancel it or wait before opening another project.');
      return;
    }
    this.project = item;
    this.input = { id: item.input.id, name: item.input.name, width: item.width, height: item.height, url: item.sourceUrl };
    this.recipe.load(item.recipe);
    const { keyframes, ...values } = item.settings;
    this.values = values;
    this.keys.load(keyframes);
    this.maxSide = item.maxSide;
    this.strip = 'project';
    this.shown = item.frameUrls.length ? 0 : null;
    this.exporter.last = item.exports.at(-1) ?? null;
    if (item.jobId) this.render.attach(item.jobId);
  }

  async refresh(): Promise<void> {
    const id = this.project?.id;
    if (!id) return;
    try {
      const item = await this.deps.api['gallery.get']({ id });
      if (item.kind === 'zoom' && this.project?.id === id) this.project = item;
    } catch (err) {
      this.deps.notices.error(err, 'Could not read the project');
    }
  }

  importFile(file: FileBytes): Promise<void> {
    return this.importer.importFile(file);
  }

  open(): Promise<void> {
    return this.importer.open();
  }

  onEvent(event: JobState | JobProgress): void {
    this.render.onEvent(event);
    this.preview.job.onEvent(event);
    this.exporter.onEvent(event);
  }
}
