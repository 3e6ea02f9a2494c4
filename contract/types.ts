// The values that cross between the renderer and a host (Electron main or the browser-mode server).
// Plain data only: they travel as structured clones over IPC and as wire JSON over HTTP/WebSocket.
import type { FarmJobProgress } from './farm.ts';
import type { ChannelTerm, ClassTerm, LayerTerm, Recipe } from '../engine/recipe/recipe.ts';
import type { InspectFindings } from './inspect.ts';
import type { FileBytes } from './files.ts';
import type { SessionItem, VideoFile, ZoomItem } from './projects.ts';

export type { ChannelTerm, ClassTerm, FileBytes, LayerTerm, Recipe };

/** A request that carries nothing. */
export type Empty = Record<string, never>;

/** What went wrong, in words the UI shows as is: `name` is the typed error (RecipeError, UnsupportedImageError, …). */
export interface ErrorInfo {
  name: string;
  message: string;
  /** What the user can do about it (the engine's ReverieError hint), where the failure has one. */
  hint?: string;
}

export type HostMode = 'electron' | 'browser';

export interface AppInfo {
  version: string;
  mode: HostMode;
  /** Where results persist, as the user would find it ("~/…"; never an absolute path). */
  dataDir: string;
}

export type EngineStatus =
  /** modelId: the model being loaded, when the host knows it. */
  | { state: 'starting'; modelId?: string }
  /** accelerator: what runs dream steps natively besides the backend (e.g. "onnxruntime-node 1.30.0, 2 threads"). */
  | { state: 'ready'; backend: string; modelId: string; loadMs: number; accelerator?: string | null; device?: string | null }
  | { state: 'failed'; error: ErrorInfo };

export type Training = 'imagenet' | 'fine-tuned' | 'unknown';

/** A block the user can dream on (mixed0..mixed10 for the embedded InceptionV3). */
export interface LayerChoice {
  name: string;
  channels: number;
  training: Training;
  /** What dreaming on it tends to bring out (the model's curated list). */
  note?: string;
}

/** An image the user brought in; stored once in the data folder, referred to by id. */
export interface InputImage {
  id: string;
  name: string;
  width: number;
  height: number;
  /** URL the renderer can show (oriented, at most 2048 px on its long side). */
  url: string;
}

export interface DreamRequest {
  inputId: string;
  recipe: Recipe;
  /** The input is scaled down so its long side is at most this many pixels before dreaming. */
  maxSide: number;
  /** An imported image to dream toward (the recipe's layer terms match its features); absent: none. */
  guideInputId?: string;
  /** An imported mask image (white dreams, black keeps) of the input's shape; absent: none. */
  maskInputId?: string;
  /** Send the tiles of each step to the farm in Settings (an image of one tile dreams here). */
  farm?: boolean;
  /**
   * Imported images the recipe already names by content hash (a loaded recipe's mask, guide and
   * per-term masks, as recipe.fromPng gave them back): the host checks each one's hash.
   */
  assets?: AssetInput[];
}

/** An imported image used as a recipe's mask or guide. */
export interface AssetInput {
  kind: 'mask' | 'guide';
  inputId: string;
  /** A mask painted for one objective term: the host names it by hash in that term (recipe.layers[index]...). */
  term?: { list: 'layers' | 'channels' | 'classes'; index: number };
}

/** A mask or guide a Reverie PNG carried, imported so the page can show and reuse it. */
export interface LoadedAsset {
  kind: 'mask' | 'guide';
  /** The content hash the recipe names it by. */
  hash: string;
  image: InputImage;
}

/** What a job does: a dream, a zoom render or its short preview, a ping-pong round, a video, a channel picture. */
export type JobKind = 'dream' | 'zoom' | 'zoom-preview' | 'session-dream' | 'video' | 'session-video' | 'inspect';

export interface JobTicket {
  jobId: string;
  /** Jobs ahead of this one (0: it starts now). */
  position: number;
}

export interface JobProgress {
  jobId: string;
  kind: JobKind;
  done: number;
  total: number;
  /** What is happening, e.g. "octave 2/4 · step 3/10 · 366×274". */
  label: string;
  elapsedMs: number;
  etaMs: number | null;
  /** The image as it stands (JPEG data URL), sent a few times per second at most. */
  preview?: string;
  /** A frame just written (zoom renders, previews, ping-pong rounds): frames appear as they are made. */
  frame?: { index: number; url: string };
  /** Channel grids: each picture of the batch being rendered as it stands (JPEG data URLs), so tiles grow in place. */
  tiles?: Array<{ index: number; preview: string }>;
  /** A job on the render farm: its workers and what each has computed. */
  farm?: FarmJobProgress;
}

/** How a job ended well: the gallery entry it made or changed, and what else it produced. */
export interface JobDone {
  jobId: string;
  kind: JobKind;
  state: 'done';
  /** null for results that are not kept (zoom previews, channel pictures). */
  item: GalleryEntry | null;
  video?: VideoFile;
  /** Zoom previews: the frames made, in order. Channel pictures: the pictures. */
  frames?: string[];
  /** Inspect jobs: neighbours, or an image's strongest channels and their maps. */
  inspect?: InspectFindings;
}

export type JobState =
  | { jobId: string; kind: JobKind; state: 'queued'; position: number }
  | { jobId: string; kind: JobKind; state: 'running' }
  | JobDone
  | { jobId: string; kind: JobKind; state: 'failed'; error: ErrorInfo }
  | { jobId: string; kind: JobKind; state: 'cancelled' };

/** One persisted dream. Zoom projects and ping-pong sessions are gallery entries of their own kinds. */
export interface GalleryItem {
  id: string;
  kind: 'dream';
  createdAt: string;
  input: InputImage;
  recipe: Recipe;
  maxSide: number;
  width: number;
  height: number;
  backend: string;
  /** The executor the dream's steps ran on (absent in entries made before it was recorded); window: the app window's GPU. */
  route?: 'onnxruntime' | 'tfjs' | 'window';
  /** Where the steps ran ("cpu", "window", "window+cpu" when the window stopped mid-dream), and in words. */
  device?: string;
  deviceLabel?: string;
  elapsedMs: number;
  resultUrl: string;
  thumbUrl: string;
}

/** Everything the gallery lists, newest first. */
export type GalleryEntry = GalleryItem | ZoomItem | SessionItem;

export type SaveOutcome =
  | { kind: 'saved'; path: string }
  | { kind: 'download'; url: string; fileName: string }
  | { kind: 'cancelled' };

/** A recipe read back from a PNG Reverie saved, with where it came from. */
export interface LoadedRecipe {
  recipe: Recipe;
  appVersion: string;
  input: string;
  createdAt: string;
  /** The dreamed PNG's own size: dreaming the same input at this long side reproduces it. */
  width: number;
  height: number;
  /** The masks and guide the PNG carries (the recipe names them by hash); absent or empty: none. */
  assets?: LoadedAsset[];
}

/** What an open dialog is for: it filters by it (images; a PNG's recipe; a preset or recipe JSON). */
export type FilePurpose = 'image' | 'recipe' | 'preset';


/** Actions a host may ask the renderer to perform (menu items, accelerators). */
export type AppCommand = 'open' | 'save' | 'dream' | 'cancel' | 'load-recipe' | 'show-dream' | 'show-zoom' | 'show-paint' | 'show-inspect' | 'show-gallery' | 'show-models' | 'show-shortcuts';
