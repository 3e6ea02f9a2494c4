// The whole app's state: which panel shows, the host's status, and the panel states, wired to the
// host's events. Keyboard shortcuts and menu commands both end in run().
import type { ReverieApi } from '../../contract/channels.ts';
import type { AppInfo, EngineStatus, LayerChoice } from '../../contract/types.ts';
import type { FilePicker } from '../lib/files.ts';
import type { Command } from '../lib/shortcuts.ts';
import type { PanelId } from '../panels.ts';
import { DreamState } from './dream.svelte.ts';
import { GalleryState } from './gallery.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { RecipeState } from './recipe.svelte.ts';

export interface AppDeps {
  picker: FilePicker;
  download(url: string, fileName: string): void;
  fetchBytes(url: string): Promise<Uint8Array>;
}

export class AppState {
  panel = $state<PanelId>('dream');
  info = $state<AppInfo | null>(null);
  engine = $state<EngineStatus>({ state: 'starting' });
  layers = $state<LayerChoice[]>([]);
  connection = $state<'connecting' | 'open' | 'closed'>('open');
  shortcutsOpen = $state(false);
  readonly notices = new Notices();
  readonly recipe = new RecipeState();
  readonly dream: DreamState;
  readonly gallery: GalleryState;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    readonly api: ReverieApi,
    deps: AppDeps,
  ) {
    this.gallery = new GalleryState(api, this.notices);
    this.dream = new DreamState({ api, recipe: this.recipe, notices: this.notices, ...deps, channelCounts: () => this.channelCounts });
  }

  get channelCounts(): ReadonlyMap<string, number> {
    return new Map(this.layers.map((l) => [l.name, l.channels]));
  }

  async init(): Promise<void> {
    const api = this.api;
    this.unsubscribe.push(
      api['engine.changed']((status) => {
        this.engine = status;
        if (status.state === 'ready') void this.loadLayers();
      }),
      api['job.progress']((p) => this.dream.onEvent(p)),
      api['job.state']((s) => this.dream.onEvent(s)),
      api['gallery.changed'](() => void this.gallery.refresh()),
      api['app.command']((command) => this.run(command)),
    );
    try {
      [this.info, this.engine] = await Promise.all([api['app.info']({}), api['engine.status']({})]);
    } catch (err) {
      this.notices.error(err, 'Cannot reach Reverie');
      return;
    }
    await Promise.all([this.gallery.refresh(), this.engine.state === 'ready' ? this.loadLayers() : Promise.resolve()]);
  }

  async loadLayers(): Promise<void> {
    try {
      this.layers = await this.api['model.layers']({});
    } catch (err) {
      this.notices.error(err, 'The model did not load');
    }
  }

  /** After a dropped connection: what changed meanwhile. */
  async resync(): Promise<void> {
    try {
      this.engine = await this.api['engine.status']({});
      await this.gallery.refresh();
    } catch (err) {
      this.notices.error(err, 'Cannot reach Reverie');
    }
  }

  run(command: Command): void {
    if (command === 'cancel' && this.shortcutsOpen) {
      this.shortcutsOpen = false;
      return;
    }
    switch (command) {
      case 'dream':
        this.panel = 'dream';
        void this.dream.dream();
        return;
      case 'cancel':
        void this.dream.cancel();
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
