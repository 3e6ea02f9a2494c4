// The Dream panel's state: the input, the job in flight with its live preview, the result and the
// before/after split. Components only render this and call its methods.
import type { ReverieApi } from '../../contract/channels.ts';
import type { ErrorInfo, FileBytes, GalleryItem, InputImage, JobProgress, JobState } from '../../contract/types.ts';
import type { FilePicker } from '../lib/files.ts';
import { formatDuration } from '../lib/format.ts';
import { DreamSlots } from './dreamSlots.svelte.ts';
import { ORIGINAL_SIZE } from '../lib/recipeFields.ts';
import { octaveCount } from '../../engine/recipe/octavePlan.ts';
import { MAX_ZOOM, MIN_ZOOM } from '../lib/viewport.ts';
import { JobFollower } from './job.svelte.ts';
import type { Notices } from './notices.svelte.ts';
import type { RecipeState } from './recipe.svelte.ts';

export type StageView = 'compare' | 'result' | 'input';


export interface DreamDeps {
  api: ReverieApi;
  recipe: RecipeState;
  notices: Notices;
  picker: FilePicker;
  download(url: string, fileName: string): void;
  fetchBytes(url: string): Promise<Uint8Array>;
  /** Channel counts per layer, for recipe checks (known once the model is loaded). */
  channelCounts(): ReadonlyMap<string, number>;
  /** Puts a PNG on the system clipboard (absent where there is none). */
  copyImage?(png: Uint8Array): Promise<void>;
  /** The farm saved in Settings (null: none), which "Send to farm" uses. */
  farmUrl?(): string | null;
}

export class DreamState {
  input = $state<InputImage | null>(null);
  importing = $state(false);
  dropActive = $state(false);
  /** Long side to dream at: the input's own size unless the user picks a smaller one. */
  maxSide = $state(ORIGINAL_SIZE);
  result = $state<GalleryItem | null>(null);
  error = $state<ErrorInfo | null>(null);
  view = $state<StageView>('compare');
  split = $state(0.5);
  /** The Guide and Mask slots. */
  readonly slots: DreamSlots;
  /** How the result is seen: null fits it in the stage, 1 is 1:1 (one image pixel per screen pixel). */
  zoom = $state<number | null>(null);
  /** The point of the picture in the middle of the stage (fractions of its size). */
  centre = $state({ x: 0.5, y: 0.5 });
  readonly job: JobFollower;
  /** Send the tiles of each step to the farm in Settings (when one is set). */
  sendToFarm = $state(false);

  constructor(private readonly deps: DreamDeps) {
    this.slots = new DreamSlots(deps);
    this.job = new JobFollower(
      {
        done: ({ item }) => {
          if (item?.kind !== 'dream') return;
          this.result = item;
          this.view = 'compare';
          this.split = 0.5;
          this.fit();
        },
        failed: (error) => {
          this.error = error;
          this.deps.notices.error(Object.assign(new Error(error.message), { name: error.name }), 'The dream failed');
        },
        cancelled: () => this.deps.notices.push('info', 'Cancelled', 'Nothing was saved.'),
      },
      (jobId) => this.deps.api['job.cancel']({ jobId }),
    );
  }

  get busy(): boolean {
    return this.job.busy;
  }

  get problems(): string[] {
    return this.deps.recipe.problems(this.deps.channelCounts());
  }

  get canDream(): boolean {
    return this.input !== null && !this.busy && !this.importing && this.problems.length === 0;
  }

  /** The size the dream runs at: the input's own, or scaled so its long side is maxSide (sharp's 'inside'). */
  get dreamSize(): { width: number; height: number } | null {
    const i = this.input;
    if (!i) return null;
    const k = Math.min(1, this.maxSide / Math.max(i.width, i.height));
    return { width: Math.max(1, Math.round(i.width * k)), height: Math.max(1, Math.round(i.height * k)) };
  }

  /** How many octaves the recipe dreams this image with (size-aware or fixed), once an image is open. */
  get octavesHere(): number | null {
    const size = this.dreamSize;
    return size ? octaveCount(this.deps.recipe.recipe, size.height, size.width) : null;
  }

  get statusText(): string {
    if (this.job.busy) return this.job.statusText;
    return this.result ? `Done in ${formatDuration(this.result.elapsedMs)} · ${this.result.width}×${this.result.height}` : '';
  }

  async importFile(file: FileBytes): Promise<void> {
    if (this.importing) return;
    this.importing = true;
    try {
      this.input = await this.deps.api['image.import'](file);
      this.deps.notices.resolve('Could not open');
      this.keepSizeInRange();
      this.result = null;
      this.fit();
      this.job.preview = null;
      this.error = null;
      this.view = 'compare';
    } catch (err) {
      this.deps.notices.error(err, `Could not open ${file.name}`);
    } finally {
      this.importing = false;
    }
  }

  /** Fits the picture in the stage again. */
  fit(): void {
    this.zoom = null;
    this.centre = { x: 0.5, y: 0.5 };
  }

  /** Zooms by a factor from `current` (the scale shown now, fitted or not), within 5 %..800 %. */
  zoomBy(factor: number, current: number): void {
    this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.round(current * factor * 1000) / 1000));
  }

  /** Copies the result PNG (recipe included) to the clipboard. */
  async copyResult(): Promise<void> {
    const r = this.result;
    if (!r) return;
    try {
      if (!this.deps.copyImage) throw new Error('This window has no clipboard access.');
      await this.deps.copyImage(await this.deps.fetchBytes(r.resultUrl));
      this.deps.notices.push('success', 'Copied', `${r.width}×${r.height} PNG on the clipboard.`);
    } catch (err) {
      this.deps.notices.error(err, 'Could not copy the result');
    }
  }

  /** A size at or above the input's own long side is the input's size: say "Original". */
  private keepSizeInRange(): void {
    if (this.input && this.maxSide >= Math.max(this.input.width, this.input.height)) this.maxSide = ORIGINAL_SIZE;
  }

  async open(): Promise<void> {
    try {
      const file = await this.deps.picker.pick('image');
      if (file) await this.importFile(file);
    } catch (err) {
      this.deps.notices.error(err, 'Could not open the image');
    }
  }

  async loadRecipe(): Promise<void> {
    try {
      const file = await this.deps.picker.pick('recipe');
      if (!file) return;
      const loaded = await this.deps.api['recipe.fromPng'](file);
      this.deps.recipe.load(loaded.recipe);
      // The PNG's own size is the size it was dreamed at: the same input at that size reproduces it.
      this.maxSide = Math.max(loaded.width, loaded.height);
      this.keepSizeInRange();
      this.deps.notices.push('success', 'Recipe loaded', `From ${file.name} (dreamed from ${loaded.input} at ${loaded.width}×${loaded.height} with Reverie ${loaded.appVersion}).`);
      this.slots.restore(loaded.recipe, loaded.assets ?? []);
    } catch (err) {
      this.deps.notices.error(err, 'No recipe loaded');
    }
  }

  /** A farm is set and the user asked for it. */
  get usesFarm(): boolean {
    return this.sendToFarm && !!this.deps.farmUrl?.();
  }

  /** The running job's farm spread ("N workers", tiles per worker), when it runs on a farm. */
  get farmProgress() {
    return this.job.progress?.farm ?? null;
  }

  async dream(): Promise<void> {
    if (this.slots.restoring) await this.slots.restoring;
    const input = this.input;
    if (!this.canDream || !input) return;
    this.error = null;
    this.deps.notices.resolve('The dream failed', 'Could not start the dream');
    try {
      const pending = this.slots.request(input, this.deps.recipe.recipe);
      const request = pending instanceof Promise ? await pending : pending;
      const farm = this.usesFarm ? { farm: true } : {};
      await this.job.start(() => this.deps.api['dream.start']({ inputId: input.id, maxSide: this.maxSide, ...request, ...farm }));
    } catch (err) {
      this.deps.notices.error(err, 'Could not start the dream');
    }
  }

  async cancel(): Promise<void> {
    try {
      await this.job.cancel();
    } catch (err) {
      this.deps.notices.error(err, 'Could not cancel');
    }
  }

  async save(): Promise<void> {
    if (!this.result) {
      this.deps.notices.push('info', 'Nothing to save yet', 'Dream first, then save the result.');
      return;
    }
    try {
      const outcome = await this.deps.api['result.save']({ id: this.result.id });
      if (outcome.kind === 'download') this.deps.download(outcome.url, outcome.fileName);
      else if (outcome.kind === 'saved') this.deps.notices.push('success', 'Saved', outcome.path);
    } catch (err) {
      this.deps.notices.error(err, 'Could not save');
    }
  }

  /** Shows a gallery item here: its input, recipe, size and result. */
  openItem(item: GalleryItem): void {
    if (this.busy) {
      this.deps.notices.push('info', 'A dream is running', 'Cancel it or wait before opening another result.');
      return;
    }
    this.input = item.input;
    this.deps.recipe.load(item.recipe);
    this.maxSide = item.maxSide;
    this.keepSizeInRange();
    this.result = item;
    this.job.preview = null;
    this.error = null;
    this.view = 'compare';
    this.fit();
    this.slots.fromResult(item, () => this.result?.id === item.id);
  }

  async rerun(item: GalleryItem): Promise<void> {
    this.openItem(item);
    await this.dream();
  }

  /** Dream again on top of the result (the classic way to deepen a dream). */
  async continueFromResult(): Promise<void> {
    const r = this.result;
    if (!r || this.busy) return;
    try {
      const data = await this.deps.fetchBytes(r.resultUrl);
      await this.importFile({ name: `${r.input.name.replace(/\.[^.]*$/, '')}-dream.png`, data });
    } catch (err) {
      this.deps.notices.error(err, 'Could not continue from the result');
    }
  }

  onEvent(event: JobState | JobProgress): void {
    this.job.onEvent(event);
  }
}
