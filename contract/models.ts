// The Models and Settings panel's values: models (installed and in the catalogue, which one dreams),
// downloads with progress, class labels of the active model's head, settings and saved presets.
import type { BackendChoice } from '../engine/backend.ts';
import type { DeviceChoice } from '../engine/accel/providers.ts';
import type { DeviceSetting } from '../engine/shared/device.ts';
import type { ModelListing } from '../engine/model/files/manager.ts';
import type { Recipe } from '../engine/recipe/recipe.ts';
import type { LastUsed, Settings } from '../engine/settings/settings.ts';

export type { BackendChoice, DeviceChoice, DeviceSetting };

/** A model the user can pick or download; the engine's listing plus what the app needs to show it. */
export interface ModelInfo extends ModelListing {
  /** The model the engine has loaded (or is loading). */
  active: boolean;
  /** Its curated layers, in picker order, with what each brings out; [] when it has none. */
  layers: Array<{ name: string; note: string }>;
  /** Its curated recipes, the first being its default; [] when it has none. */
  recipes: Array<{ name: string; description: string; recipe: Recipe }>;
}

export interface ModelSize {
  name: string;
  url: string;
  totalBytes: number;
  files: number;
  installed: boolean;
}

/** A download under way or ended; `downloadId` names it for models.cancel. */
export interface ModelDownload {
  downloadId: string;
  /** The catalogue name, URL or folder asked for. */
  spec: string;
  state: 'downloading' | 'done' | 'failed' | 'cancelled';
  loadedBytes: number;
  totalBytes: number | null;
  /** The installed model, once done. */
  model?: ModelInfo;
  error?: { name: string; message: string };
}

/** The active model's class labels that match a query ("jellyfish", "#107"). */
export interface ClassSearch {
  modelId: string;
  /** False when the model has no ImageNet (or declared) head; `reason` says why. */
  available: boolean;
  reason?: string;
  /** How many labels the head has (1000 for ImageNet). */
  total: number;
  matches: Array<{ index: number; label: string }>;
}

/** What the app and CLI remember between runs: the engine's settings file, as it is. */
export type { LastUsed };
export type AppSettings = Settings;

export interface BackendOption {
  choice: BackendChoice;
  description: string;
  available: boolean;
  fastest: boolean;
}

/** A device for dream steps as the Settings panel lists it (no probe: that is `reverie devices`). */
export interface DeviceOption {
  choice: DeviceSetting;
  available: boolean;
  /** The adapter, "software GPU", or why it is not available. */
  note: string;
}

export interface SettingsView {
  settings: AppSettings;
  backends: BackendOption[];
  devices: DeviceOption[];
  /** Where they are kept ("~/…"; never an absolute path). */
  file: string;
  /** Set when this launch's backend is fixed (REVERIE_BACKEND or --backend) and the setting waits for a launch without it. */
  backendPinned: string | null;
  /** A settings file that could not be read was set aside: what happened. */
  problem?: string;
}

/** Fields to change; the rest keep their values. */
export interface SettingsUpdate {
  backend?: BackendChoice;
  device?: DeviceSetting;
  defaultRecipe?: Recipe;
  outputFolder?: string | null;
  lastUsed?: LastUsed;
}

export interface UserPreset {
  name: string;
  description?: string;
  recipe: Recipe;
  createdAt: string;
  updatedAt: string;
}

export interface PresetSaveRequest {
  name: string;
  recipe: Recipe;
  description?: string;
  overwrite?: boolean;
}

/** A preset as a shareable file: its name and JSON text. */
export interface PresetExport {
  fileName: string;
  json: string;
}
