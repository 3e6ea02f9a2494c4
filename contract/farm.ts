// The render farm as the app sees it: Settings' Farm section (test a URL, workers online with their
// device and recent throughput), a dream's farm progress, and atlas folders opened in Inspect.

/** One `reverie worker` as its heartbeat describes it. */
export interface FarmWorkerView {
  name: string;
  host: string;
  device: string;
  models: string[];
  concurrency: number;
  /** Jobs running now. */
  active: number;
  /** Jobs finished since it started, and in the last minute. */
  done: number;
  recentDone: number;
  /** Mean ms per job over the last minute; null when it finished none. */
  recentMsPerJob: number | null;
}

export interface FarmTestRequest {
  url: string;
  /** Allow a farm beyond this machine without a password (the user ticked it). */
  insecure?: boolean;
}

export interface FarmStatusView {
  /** The URL with any password hidden. */
  url: string;
  /** e.g. "redis 7.0.15". */
  server: string;
  pingMs: number;
  workers: FarmWorkerView[];
}

/** A farm job's spread: how many workers are online and what each has done for this job. */
export interface FarmJobProgress {
  url: string;
  workers: number;
  perWorker: Array<{ name: string; device: string; tiles: number }>;
}

/** An atlas folder (the output of `reverie atlas`) the app can browse. */
export interface AtlasSummary {
  id: string;
  /** The folder's name, as the list shows it. */
  name: string;
  /** Where it is, as the user would find it ("~/…"). */
  folder: string;
  model: string;
  channels: number;
  layers: number;
}

export interface AtlasChannel {
  channel: number;
  /** The picture's URL (served from the atlas folder). */
  url: string;
}

export interface AtlasLayer {
  name: string;
  channels: AtlasChannel[];
  /** Channels the atlas was asked for but has no picture of yet (an atlas still being made). */
  missing: number;
}

export interface AtlasView extends AtlasSummary {
  layers: number;
  /** The recipe each channel was rendered with ("dream with this" starts from it). */
  recipe: Record<string, unknown> | null;
  layerList: AtlasLayer[];
}
