// Settings as the app shows them (the backend with what each is, the default recipe, the output
// folder, the last used values) and the user's saved presets: save, rename, delete, share as JSON.
import type { ReverieApi } from '../../contract/channels.ts';
import type { BackendChoice, DeviceSetting, SettingsUpdate, SettingsView, UserPreset } from '../../contract/models.ts';
import type { FileBytes, Recipe } from '../../contract/types.ts';
import type { FilePicker } from '../lib/files.ts';
import { NewsOrder } from '../lib/newsOrder.ts';
import type { Notices } from './notices.svelte.ts';

export interface SettingsDeps {
  api: ReverieApi;
  notices: Notices;
  picker: FilePicker;
  download(url: string, fileName: string): void;
  /** A URL for downloaded text (a blob URL in the page). */
  textUrl?(text: string, type: string): string;
}

export class SettingsState {
  view = $state<SettingsView | null>(null);
  saving = $state(false);
  /** The output folder as typed, applied on save. */
  outputFolder = $state('');

  /** Settings asks in the order sent: a stale answer keeps the newer device list (see `ask`). */
  private readonly news = new NewsOrder();

  constructor(private readonly deps: SettingsDeps) {}

  get settings() {
    return this.view?.settings ?? null;
  }

  /**
   * Asks the host for the settings; the answer comes with the device list as of the ask. An answer
   * that overtook an older ask's keeps its devices when the older one lands (a window's GPUs, heard
   * after the start-up ask was written, must not be wiped by that ask's late answer).
   */
  private async ask(call: () => Promise<SettingsView>): Promise<SettingsView> {
    const ticket = this.news.ask();
    const view = await call();
    return !this.news.fresh(ticket) && this.view ? { ...view, devices: this.view.devices } : view;
  }

  /** `quiet`: at startup, a host without settings is no news. */
  async load(quiet = false): Promise<void> {
    try {
      this.view = await this.ask(() => this.deps.api['settings.get']({}));
      this.outputFolder = this.view.settings.outputFolder ?? '';
      if (this.view.problem) this.deps.notices.push('info', 'Settings were reset', this.view.problem);
    } catch (err) {
      if (!quiet) this.deps.notices.error(err, 'Could not read the settings');
    }
  }

  /**
   * The device list again (a window said what GPUs it offers), leaving the rest of the form as the
   * user has it; silent, since nothing the user asked for failed.
   */
  async refreshDevices(): Promise<void> {
    try {
      const fresh = await this.ask(() => this.deps.api['settings.get']({}));
      if (this.view) this.view = { ...this.view, devices: fresh.devices };
      else {
        this.view = fresh;
        this.outputFolder = fresh.settings.outputFolder ?? '';
      }
    } catch {
      // the next load or save brings them
    }
  }

  private async update(change: SettingsUpdate, done: string): Promise<boolean> {
    this.saving = true;
    try {
      this.view = await this.ask(() => this.deps.api['settings.update'](change));
      this.outputFolder = this.view.settings.outputFolder ?? '';
      this.deps.notices.push('success', done);
      return true;
    } catch (err) {
      this.deps.notices.error(err, 'Could not save the settings');
      return false;
    } finally {
      this.saving = false;
    }
  }

  setBackend(backend: BackendChoice): Promise<boolean> {
    const pinned = this.view?.backendPinned;
    return this.update({ backend }, pinned ? `Backend saved: ${backend} (this launch keeps ${pinned})` : `Backend: ${backend}`);
  }

  setDevice(device: DeviceSetting): Promise<boolean> {
    return this.update({ device }, `Device: ${device} (the engine restarts on it)`);
  }

  saveOutputFolder(): Promise<boolean> {
    const folder = this.outputFolder.trim();
    return this.update({ outputFolder: folder || null }, folder ? `Results are offered in ${folder}` : 'No output folder');
  }

  saveFarm(farmUrl: string | null, farmInsecure: boolean): Promise<boolean> {
    return this.update({ farmUrl, farmInsecure }, farmUrl ? 'Farm saved' : 'No farm: everything runs here');
  }

  setDefaultRecipe(recipe: Recipe): Promise<boolean> {
    return this.update({ defaultRecipe: recipe }, `Default recipe saved (${recipe.model})`);
  }

  /** Records last used values (no notice when it works: the user did something else). */
  async remember(change: SettingsUpdate): Promise<boolean> {
    try {
      this.view = await this.ask(() => this.deps.api['settings.update'](change));
      return true;
    } catch (err) {
      this.deps.notices.error(err, 'Could not remember the last used values');
      return false;
    }
  }
}

export class PresetsState {
  list = $state<UserPreset[]>([]);
  /** The name typed for saving the current recipe. */
  newName = $state('');
  /** The preset being renamed, and the name typed for it. */
  renaming = $state<{ from: string; to: string } | null>(null);

  constructor(private readonly deps: SettingsDeps) {}

  async refresh(quiet = false): Promise<void> {
    try {
      this.list = await this.deps.api['presets.list']({});
    } catch (err) {
      if (!quiet) this.deps.notices.error(err, 'Could not read the presets');
    }
  }

  async save(recipe: Recipe, name = this.newName, overwrite = false): Promise<boolean> {
    try {
      await this.deps.api['presets.save']({ name: name.trim(), recipe, ...(overwrite ? { overwrite } : {}) });
      this.newName = '';
      await this.refresh();
      this.deps.notices.push('success', `Saved preset "${name.trim()}"`);
      return true;
    } catch (err) {
      this.deps.notices.error(err, 'Could not save the preset');
      return false;
    }
  }

  startRename(name: string): void {
    this.renaming = { from: name, to: name };
  }

  async finishRename(): Promise<boolean> {
    const r = this.renaming;
    if (!r) return false;
    if (r.to.trim() === r.from) {
      this.renaming = null;
      return true;
    }
    try {
      await this.deps.api['presets.rename']({ from: r.from, to: r.to.trim() });
      this.renaming = null;
      await this.refresh();
      return true;
    } catch (err) {
      this.deps.notices.error(err, 'Could not rename the preset');
      return false;
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.deps.api['presets.delete']({ name });
      await this.refresh();
    } catch (err) {
      this.deps.notices.error(err, 'Could not delete the preset');
    }
  }

  /** Downloads the preset as a JSON file others can import. */
  async export(name: string): Promise<void> {
    try {
      const file = await this.deps.api['presets.export']({ name });
      const url = this.deps.textUrl ? this.deps.textUrl(file.json, 'application/json') : `data:application/json;charset=utf-8,${encodeURIComponent(file.json)}`;
      this.deps.download(url, file.fileName);
    } catch (err) {
      this.deps.notices.error(err, 'Could not export the preset');
    }
  }

  /** Imports a preset file (or a bare recipe JSON, named after the file). */
  async import(file?: FileBytes | null): Promise<boolean> {
    try {
      const picked = file === undefined ? await this.deps.picker.pick('preset') : file;
      if (!picked) return false;
      let preset: UserPreset;
      try {
        preset = await this.deps.api['presets.import']({ file: picked });
      } catch (err) {
        // A bare recipe has no name of its own: it takes the file's.
        if (!/not a Reverie preset file/.test((err as Error).message)) throw err;
        preset = await this.deps.api['presets.import']({ file: picked, as: picked.name.replace(/\.(reverie-preset\.)?json$/i, '') });
      }
      await this.refresh();
      this.deps.notices.push('success', `Imported preset "${preset.name}"`);
      return true;
    } catch (err) {
      this.deps.notices.error(err, 'Could not import the preset');
      return false;
    }
  }
}
