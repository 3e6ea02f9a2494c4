// The whole app's state: which panel shows, the host's status, and the panel states, wired to the
// host's events. Keyboard shortcuts and menu commands both end in run().
import type { ReverieApi } from '../../contract/channels.ts';
import type { AppInfo, EngineStatus, GalleryEntry, JobProgress, JobState, LayerChoice, Recipe } from '../../contract/types.ts';
import type { UserPreset } from '../../contract/models.ts';
import type { FilePicker } from '../lib/files.ts';
import { presetApplied } from '../lib/lastUsed.ts';
import { emptyRecipeFor, placeholderLayers, sizeAware, startRecipe } from '../lib/modelRecipes.ts';
import { DEFAULT_PRESET, presetsFor, savedPresets } from '../lib/presets.ts';
import type { Command } from '../lib/shortcuts.ts';
import { NewsOrder } from '../lib/newsOrder.ts';
import type { PanelId } from '../panels.ts';
import { DreamState } from './dream.svelte.ts';
import { GalleryState } from './gallery.svelte.ts';
import { InspectState } from './inspect.svelte.ts';
import { ModelsState } from './models.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { PaintState } from './paint.svelte.ts';
import { RecipeState } from './recipe.svelte.ts';
import { PresetsState, SettingsState } from './settings.svelte.ts';
import { FarmState } from './farm.svelte.ts';
import { AtlasState } from './atlas.svelte.ts';
import { captureWork, readWork, restoreWork, saveWork, type WorkStorage } from './work.ts';
import { ZOOM_RECIPE, ZoomState } from './zoom.svelte.ts';

export interface AppDeps {
  picker: FilePicker;
  download(url: string, fileName: string): void;
  fetchBytes(url: string): Promise<Uint8Array>;
  /** A URL for text to download (a blob URL in the page). */
  textUrl?(text: string, type: string): string;
  /** Where each panel's work is kept across reloads (the page's localStorage). */
  storage?: WorkStorage;
  /** Puts a PNG on the system clipboard. */
  copyImage?(png: Uint8Array): Promise<void>;
}

export class AppState {
  panel = $state<PanelId>('dream');
  info = $state<AppInfo | null>(null);
  engine = $state<EngineStatus>({ state: 'starting' });
  /** Engine news in arrival order (events and asks): a stale answer is dropped. */
  private readonly engineNews = new NewsOrder();
  layers = $state<LayerChoice[]>([]);
  connection = $state<'connecting' | 'open' | 'closed' | 'refused'>('open');
  /** Browser mode, server lost: the address it answers at now (it restarted on another port), if found. */
  movedTo = $state<string | null>(null);
  shortcutsOpen = $state(false);
  /** Kept work has been put back (or there was none): from now on changes are kept. */
  workRestored = $state(false);
  readonly notices = new Notices();
  /** Dream's recipe: the built-in default, octaves chosen from the image size. */
  readonly recipe = new RecipeState(sizeAware(DEFAULT_PRESET.recipe));
  readonly dream: DreamState;
  readonly zoom: ZoomState;
  readonly paint: PaintState;
  readonly inspect: InspectState;
  readonly gallery: GalleryState;
  readonly models: ModelsState;
  readonly settings: SettingsState;
  readonly presets: PresetsState;
  readonly farm: FarmState;
  readonly atlas: AtlasState;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly storage: WorkStorage | undefined;

  constructor(
    readonly api: ReverieApi,
    deps: AppDeps,
  ) {
    this.storage = deps.storage;
    this.gallery = new GalleryState(api, this.notices);
    this.models = new ModelsState({ api, notices: this.notices });
    this.settings = new SettingsState({ api, notices: this.notices, ...deps });
    this.presets = new PresetsState({ api, notices: this.notices, ...deps });
    const shared = { api, notices: this.notices, ...deps, channelCounts: () => this.channelCounts };
    this.farm = new FarmState({ api, notices: this.notices, settings: this.settings });
    this.atlas = new AtlasState({ api, notices: this.notices, desktop: () => this.info?.mode === 'electron' });
    this.dream = new DreamState({ ...shared, recipe: this.recipe, farmUrl: () => this.farm.savedUrl });
    this.zoom = new ZoomState({ ...shared, farmUrl: () => this.farm.savedUrl });
    this.paint = new PaintState({ ...shared, farmUrl: () => this.farm.savedUrl });
    // Every preset grid offers the user's saved presets for its recipe's model, as they change.
    for (const r of [this.recipe, this.zoom.recipe, this.paint.recipe]) r.saved = () => savedPresets(r.model, this.presets.list);
    this.inspect = new InspectState({ api, notices: this.notices, picker: deps.picker, layers: () => this.layers, dreamWith: (layer, channel) => this.dreamWithChannel(layer, channel) });
  }

  /**
   * "Dream with this channel": the channel becomes Dream's whole objective, on the image open there.
   * The layers it replaces are said, and the channel shows as a chip beside the layers.
   */
  dreamWithChannel(layer: string, channel: number): void {
    const replaced = this.recipe.layers.map((l) => l.name);
    this.recipe.load({ ...this.recipe.recipe, layers: [], channels: [{ layer, index: channel, weight: 1 }] });
    this.panel = 'dream';
    const instead = replaced.length ? `It replaces ${replaced.join(' + ')}; switch layers back on to mix them in. ` : '';
    if (this.dream.canDream) {
      if (replaced.length) this.notices.push('info', `Dreaming with ${layer} channel ${channel} alone`, instead.trim());
      void this.dream.dream();
    } else this.notices.push('info', `Dreaming with ${layer} channel ${channel}`, `${instead}${this.dream.input ? 'Press Dream when ready.' : 'Open an image to dream on.'}`);
  }

  /** The model the engine has loaded or is loading, once known. */
  get activeModel(): string | null {
    const e = this.engine;
    return e.state === 'ready' ? e.modelId : e.state === 'starting' ? (e.modelId ?? this.models.active?.name ?? null) : (this.models.active?.name ?? null);
  }

  /** What the layer picker lists: the loaded model's layers, else (while it loads) its curated list. */
  get pickerLayers(): LayerChoice[] {
    return this.layers.length ? this.layers : placeholderLayers(this.recipe.model, this.models.find(this.recipe.model));
  }

  /** The recipe to start from on a model (lib/modelRecipes.ts: last used, saved default, curated). */
  recipeFor(model: string): Recipe | null {
    return startRecipe(model, this.settings.settings, this.models.find(model));
  }

  /**
   * Points the recipes at `model` (Dream's: its own starting recipe; Zoom's and Paint's: the model's
   * default at their lighter settings), unless they are already for it, and offers its presets.
   */
  private followModel(model: string): void {
    const presets = presetsFor(model, this.models.find(model)?.recipes ?? []);
    if (this.recipe.model !== model) {
      const start = this.recipeFor(model);
      this.recipe.load(start ?? emptyRecipeFor(this.recipe.recipe, model));
    }
    this.recipe.presets = presets;
    for (const r of [this.zoom.recipe, this.paint.recipe]) {
      if (r.model !== model) {
        const start = presets[0]?.recipe ?? emptyRecipeFor(r.recipe, model);
        r.load({ ...start, steps: ZOOM_RECIPE.steps, octaves: ZOOM_RECIPE.octaves, seed: r.seed });
      }
      r.presets = presets;
    }
  }

  /** Picks the model the engine dreams with; the recipe follows it at once. */
  async selectModel(name: string): Promise<void> {
    if (!(await this.models.select(name))) return;
    this.layers = [];
    this.followModel(name);
  }

  /**
   * Dreams with a saved preset: its model is picked first when another one is loaded. The preset
   * (and its recipe, which the next launch reopens) is remembered as the last used.
   */
  async usePreset(preset: Pick<UserPreset, 'name' | 'recipe'>): Promise<void> {
    const { recipe } = preset;
    if (recipe.model !== this.activeModel) {
      if (!(await this.models.select(recipe.model))) return;
      this.layers = [];
    }
    this.recipe.load(recipe);
    this.followModel(recipe.model);
    this.panel = 'dream';
    await this.settings.remember(presetApplied(preset));
  }

  get channelCounts(): ReadonlyMap<string, number> {
    return new Map(this.layers.map((l) => [l.name, l.channels]));
  }

  async init(): Promise<void> {
    const api = this.api;
    this.unsubscribe.push(
      api['engine.changed']((status) => {
        this.engineNews.heard();
        this.takeEngine(status);
      }),
      api['models.download']((d) => this.models.onDownload(d)),
      api['job.progress']((p) => this.onJobEvent(p)),
      api['job.state']((s) => this.onJobEvent(s)),
      api['gallery.changed'](() => void this.gallery.refresh()),
      api['app.command']((command) => this.run(command)),
    );
    try {
      const [info, engine] = await Promise.all([api['app.info']({}), this.askEngine()]);
      this.info = info;
      if (engine) this.engine = engine;
      this.notices.resolve('Cannot reach Reverie');
    } catch (err) {
      this.notices.error(err, 'Cannot reach Reverie');
      return;
    }
    await Promise.all([this.gallery.refresh(), this.engine.state === 'ready' ? this.loadLayers() : Promise.resolve(), this.models.refresh(), this.settings.load(true), this.presets.refresh(true)]);
    this.farm.syncFromSettings();
    if (this.engine.state === 'ready') void this.models.searchClasses('', true);
    // Where the last session left off: its model is loading; its recipe comes back.
    const model = this.activeModel;
    if (model) {
      const last = this.recipeFor(model);
      if (last) this.recipe.load(last);
      this.followModel(model);
    }
    const work = readWork(this.storage);
    if (work) restoreWork(this, work);
    this.workRestored = true;
  }

  /** Keeps each panel's work for the next load of the page. */
  keepWork(): void {
    if (this.workRestored) saveWork(this.storage, captureWork(this));
  }

  async loadLayers(): Promise<void> {
    try {
      this.layers = await this.api['model.layers']({});
      this.inspect.keepLayerIn(this.layers.map((l) => l.name));
    } catch (err) {
      this.notices.error(err, 'The model did not load');
    }
  }

  /**
   * The engine's status, asked again once the event stream is open: a change that happened after
   * the first ask was answered but before the stream opened was told to no one.
   */
  async refreshEngine(): Promise<void> {
    const status = await this.askEngine();
    const now = this.engine;
    if (!status) return;
    const moved = status.state !== now.state || (status.state !== 'failed' && now.state !== 'failed' && status.modelId !== now.modelId);
    if (moved) this.takeEngine(status);
    else this.engine = status;
  }

  /**
   * Asks the host for the engine's status; null when the answer is stale, because an event or a
   * later ask arrived while it was on its way (the answer may have been written before either).
   */
  private async askEngine(): Promise<EngineStatus | null> {
    const ticket = this.engineNews.ask();
    const status = await this.api['engine.status']({});
    return this.engineNews.fresh(ticket) ? status : null;
  }

  /** A new engine status, and what follows from it: a switched model drops its layers; a ready one loads them. */
  private takeEngine(status: EngineStatus): void {
    const switched = status.state !== 'failed' && status.modelId !== undefined && this.layers.length > 0 && status.modelId !== this.activeModel;
    this.engine = status;
    if (switched) this.layers = [];
    if (status.state === 'ready') {
      this.notices.resolve('The model did not load', 'Could not switch to');
      this.followModel(status.modelId);
      void this.loadLayers();
      void this.models.refresh();
      void this.models.searchClasses('', true);
    }
  }

  /** After a dropped connection: what changed meanwhile. */
  async resync(): Promise<void> {
    try {
      await this.refreshEngine();
      this.notices.resolve('Cannot reach Reverie');
      await this.gallery.refresh();
    } catch (err) {
      this.notices.error(err, 'Cannot reach Reverie');
    }
  }

  /** Every panel follows its own jobs; each ignores the others' events. */
  onJobEvent(event: JobState | JobProgress): void {
    this.dream.onEvent(event);
    this.zoom.onEvent(event);
    this.paint.onEvent(event);
    this.inspect.onEvent(event);
  }

  /** Opens a gallery entry in its panel. */
  openEntry(entry: GalleryEntry): void {
    if (entry.kind === 'zoom') this.zoom.openProject(entry);
    else if (entry.kind === 'session') this.paint.openSession(entry);
    else this.dream.openItem(entry);
    this.panel = entry.kind === 'zoom' ? 'zoom' : entry.kind === 'session' ? 'paint' : 'dream';
  }

  run(command: Command): void {
    if (command === 'cancel' && this.shortcutsOpen) {
      this.shortcutsOpen = false;
      return;
    }
    switch (command) {
      case 'dream':
        // The panel's own "go": render a zoom, dream from the painting, or dream.
        if (this.panel === 'zoom') void this.zoom.startRender();
        else if (this.panel === 'paint') void this.paint.dream();
        else if (this.panel === 'inspect') void this.inspect.renderPage();
        else {
          this.panel = 'dream';
          void this.dream.dream();
        }
        return;
      case 'cancel':
        if (this.panel === 'zoom' && this.zoom.busy) void this.zoom.cancel();
        else if (this.panel === 'paint' && this.paint.busy) void this.paint.cancel();
        else if (this.panel === 'inspect' && this.inspect.busy) void this.inspect.cancel();
        else void this.dream.cancel();
        return;
      case 'open':
        this.panel = 'dream';
        void this.dream.open();
        return;
      case 'load-recipe':
        this.panel = 'dream';
        void this.dream.loadRecipe();
        return;
      case 'save':
        void this.dream.save();
        return;
      case 'show-shortcuts':
        this.shortcutsOpen = !this.shortcutsOpen;
        return;
      default:
        this.panel = command.slice('show-'.length) as PanelId;
    }
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }
}
