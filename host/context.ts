// What every group of handlers shares: the host's options, the engine, the queue and the stores.
import type { HostEvent } from '../contract/channels.ts';
import type { FileBytes, FilePurpose, GalleryItem, HostMode, SaveOutcome } from '../contract/types.ts';
import type { VideoFile } from '../contract/projects.ts';
import type { Engine, LaunchEngine } from './engine.ts';
import type { Gallery } from './gallery.ts';
import type { InputStore } from './inputs.ts';
import type { JobQueue } from './jobs.ts';
import type { SessionStore } from './sessionStore.ts';
import type { ZoomStore } from './zoomStore.ts';
import type { WindowDevice } from './windowDevice.ts';

export interface ServiceOptions {
  dataDir: string;
  mode: HostMode;
  appVersion: string;
  launchEngine: LaunchEngine;
  /** How the renderer reaches a file under dataDir ("gallery/<id>/result.png" → URL). */
  fileUrl: (relative: string) => string;
  /** Host-specific: a save dialog in Electron (opening in `folder`, the saved output folder, when set), a download in the browser. */
  saveResult: (item: GalleryItem, pngPath: string, folder: string | null) => Promise<SaveOutcome>;
  /** The same for an exported video (`path` is its file in the data folder). */
  saveVideo: (video: VideoFile, path: string) => Promise<SaveOutcome>;
  /** Host-specific: a native open dialog in Electron; browser mode has none (the page picks files). */
  openFile: (purpose: FilePurpose) => Promise<FileBytes | null>;
  /** Electron: a native folder dialog, whose answer `localModelPath` then accepts; browser mode has none. */
  openModelFolder: () => Promise<string | null>;
  /**
   * The local path models.add/probe may read, or a typed refusal: in Electron only a folder a dialog
   * returned; in browser mode only inside the data folder or a models folder given at launch.
   */
  localModelPath: (path: string) => Promise<string>;
  /** Electron: a native folder dialog for an atlas folder, whose answer `atlasFolderPath` then accepts; absent in browser mode. */
  openAtlasFolder?: () => Promise<string | null>;
  /** The atlas folder atlas.add may read, or a typed refusal (Electron: only a dialog's answer); absent: any absolute path, checked to be an atlas. */
  atlasFolderPath?: (path: string) => Promise<string>;
  /** Minimum time between live previews (a few per second by default). */
  previewIntervalMs?: number;
  /** Settings and presets (default: the user's config folder, as the CLI uses). */
  configDir?: string;
  /** Downloaded models (default: $REVERIE_CACHE_DIR, else ~/.cache/reverie/models); the engine must load from the same. */
  cacheDir?: string;
  /**
   * Model URLs on 127.0.0.1 are refused like every non-public address, unless this is set: tests
   * serving models from loopback opt in here (REVERIE_ALLOW_LOOPBACK_MODELS=1 for the server).
   */
  allowLoopbackModels?: boolean;
  /** The backend this launch fixes (REVERIE_BACKEND, --backend), overriding the saved setting; null: none. */
  backendPinned?: string | null;
}

export interface ServiceContext {
  options: ServiceOptions;
  engine: Engine;
  queue: JobQueue;
  inputs: InputStore;
  gallery: Gallery;
  zooms: ZoomStore;
  sessions: SessionStore;
  /** Scratch folder for zoom previews (<data>/previews/<id>/). */
  previewsDir: string;
  /** Where settings.json and presets.json live. */
  configDir: string;
  /** The model cache. */
  cacheDir: string;
  emit(event: HostEvent): void;
  /** The app windows as a gradient device (pages attach through the transport). */
  window: WindowDevice;
}
