// The Models and Settings panel's values: models (installed and in the catalogue, which one dreams),
// downloads with progress, class labels of the active model's head, settings and saved presets.
import type { BackendChoice } from '../engine/backend.ts';
import type { Recipe } from '../engine/render/recipe.ts';

export type { BackendChoice };

/** A model the user can pick or download; the engine's listing plus what the app needs to show it. */
export interface ModelInfo {
  /** What recipes and `--model` name it by. */
  name: string;
  title: string;
  kind: 'embedded' | 'catalogue' | 'url' | 'folder';
  installed: boolean;
  format: 'layers-model' | 'graph-model';
  /** Bytes on disk when installed; null otherwise (models.probe gives the download size). */
  bytes: number | null;
  /** What its weights were trained on, in words. */
  training: string;
  /** Whether class objectives are offered, and over which labels, in words. */
  classes: string;
  /** The model the engine has loaded (or is loading). */
  active: boolean;
  /** Its curated layers, in picker order, with what each brings out; [] when it has none. */
  layers: Array<{ name: string; note: string }>;
  /** Its curated recipes, the first being its default; [] when it has none. */
  recipes: Array<{ name: string; description: string; recipe: Recipe }>;
  url?: string;
  source?: string;
  license?: string;
  notes?: string;
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

export interface LastUsed {
  model?: string;
  preset?: string;
  inputFolder?: string;
  outputFolder?: string;
  recipe?: Recipe;
}

export interface AppSettings {
  version: 1;
  backend: BackendChoice;
  defaultRecipe: Recipe;
  outputFolder: string | null;
  lastUsed: LastUsed;
}

export interface BackendOption {
  choice: BackendChoice;
  description: string;
  available: boolean;
  fastest: boolean;
}

export interface SettingsView {
  settings: AppSettings;
  backends: BackendOption[];
  /** Where they are kept. */
  file: string;
  /** Set when this launch's backend is fixed (REVERIE_BACKEND or --backend) and the setting waits for a launch without it. */
  backendPinned: string | null;
  /** A settings file that could not be read was set aside: what happened. */
  problem?: string;
}

/** Fields to change; the rest keep their values. */
export interface SettingsUpdate {
  backend?: BackendChoice;
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
