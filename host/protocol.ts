// Messages between a host and its engine worker (a worker thread in Node, a utility process in Electron).
// Jobs run one at a time and report progress; calls are quick project edits answered directly.
// Paths are absolute and chosen by the host (inside its data folder); `rel` paths are relative to it.
import type { FarmJobProgress } from '../contract/farm.ts';
import type { WindowBackend, WindowTerms } from '../engine/windowDevice/protocol.ts';
import type { GpuAdapter } from '../engine/shared/device.ts';
import type { Recipe } from '../engine/recipe/recipe.ts';
import type { Asset } from '../engine/io/assets.ts';
import type { ErrorInfo, LayerChoice } from '../contract/types.ts';
import { ReverieError } from '../engine/shared/errors.ts';
import type { RoundSettings, VideoOptions, ZoomSettings } from '../contract/projects.ts';

export interface DreamJobSpec {
  kind: 'dream';
  jobId: string;
  inputId: string;
  inputPath: string;
  /** The user's file name, written into the PNG metadata. */
  inputName: string;
  maxSide: number;
  recipe: Recipe;
  /** The masks and guide the recipe names by hash, with their pixels. */
  assets?: Asset[];
  /** The farm in Settings, when the dream was sent to it. */
  farm?: FarmChoice;
}

/** The farm in Settings that a job's tiles go to (checked when the job was asked for). */
export interface FarmChoice {
  url: string;
  insecure: boolean;
}

/** A project folder as the worker needs it: where it is, and where its files are under the data folder. */
export interface ProjectPlace {
  dir: string;
  rel: string;
  /** The entry's thumbnail, rewritten when the job ends. */
  thumb: string;
}

export interface ZoomJobSpec {
  kind: 'zoom';
  jobId: string;
  project: ProjectPlace;
  /** A new frame target, or absent for the project's own. */
  frames?: number;
  /** The farm in Settings, when the zoom's frames are sent to it. */
  farm?: FarmChoice;
}

export interface ZoomPreviewSpec {
  kind: 'zoom-preview';
  jobId: string;
  project: ProjectPlace;
  create: CreateZoomSpec;
}

export interface SessionDreamSpec {
  kind: 'session-dream';
  jobId: string;
  session: ProjectPlace;
  /** Frames to add to the latest round. */
  frames: number;
  /** The farm in Settings, when the round's frames are sent to it. */
  farm?: FarmChoice;
}

export interface VideoJobSpec {
  kind: 'video' | 'session-video';
  jobId: string;
  /** The zoom project folder, or the session folder. */
  source: string;
  out: string;
  options: VideoOptions;
  crossfade?: number;
  hold?: number;
  allFrames?: boolean;
}

/** The engine's feature cache, kept in the data folder so its pictures are served from there. */
export interface FeaturePlace {
  dir: string;
  rel: string;
  /** The cache key of the device the job's steps will run on (inspect/cache.ts): 'cpu', an engine route such as 'webgpu', 'window-webgl', 'window-webgpu'. */
  device?: string;
}

export interface FeatureSize {
  size: number;
  steps: number;
}

export type InspectTask =
  | { op: 'grid'; layer: string; channels: number[]; recipe: FeatureSize }
  | { op: 'channel'; layer: string; channel: number; recipe: FeatureSize; neighbours: number }
  | { op: 'image'; layer: string; inputPath: string; inputName: string; top: number; out: { dir: string; rel: string } };

export interface InspectJobSpec {
  kind: 'inspect';
  jobId: string;
  cache: FeaturePlace;
  task: InspectTask;
}

export type JobSpec = DreamJobSpec | ZoomJobSpec | ZoomPreviewSpec | SessionDreamSpec | VideoJobSpec | InspectJobSpec;

export interface CreateZoomSpec {
  inputPath: string;
  inputName: string;
  maxSide: number;
  recipe: Recipe;
  settings: ZoomSettings;
}

export type CallSpec =
  | ({ op: 'zoom.create'; project: ProjectPlace } & CreateZoomSpec)
  | { op: 'session.new'; session: ProjectPlace; painting: Uint8Array; name: string; recipe: Recipe; settings: RoundSettings; assets?: Asset[] }
  | { op: 'session.add'; session: ProjectPlace; painting: Uint8Array; name: string }
  | { op: 'session.pick'; session: ProjectPlace; round: number; frame: number }
  | { op: 'inspect.cached'; cache: FeaturePlace; modelId: string; layer: string; channels: number[]; recipe: FeatureSize };

export type HostMessage =
  | { type: 'job'; job: JobSpec; previewIntervalMs: number; appVersion: string }
  | WindowTileReply
  | { type: 'call'; callId: number; call: CallSpec; appVersion: string }
  | { type: 'cancel'; jobId: string };

export interface ProgressMessage {
  type: 'progress';
  jobId: string;
  done: number;
  total: number;
  /** What is happening, in words ("octave 2/4 · step 3/10 · 366×274", "frame 3/4 · step 1/2"). */
  label: string;
  elapsedMs: number;
  etaMs: number | null;
  /** JPEG of the image as it stands, only every previewIntervalMs or so. */
  preview?: Uint8Array;
  /** A frame just written, relative to the data folder. */
  frame?: { index: number; rel: string };
  /** Channel grids: every picture of the batch as it stands (JPEG by channel), every previewIntervalMs or so. */
  tiles?: Array<{ index: number; jpeg: Uint8Array }>;
  /** A farm job's workers and what each has computed. */
  farm?: FarmJobProgress;
}

export type JobOutput =
  /** device/deviceLabel: where the steps ran, fallbacks included ("window", "cpu"; "window (…) for 12 tiles, then the CPU: …"). */
  | { kind: 'dream'; png: Uint8Array; thumb: Uint8Array; width: number; height: number; elapsedMs: number; backend: string; route: 'onnxruntime' | 'tfjs' | 'window'; device?: string; deviceLabel?: string }
  | { kind: 'zoom'; frames: number; made: number }
  | { kind: 'preview'; rels: string[] }
  | { kind: 'video'; out: string; frames: number; durationS: number; width: number; height: number }
  | { kind: 'inspect'; rels: string[]; findings: InspectFound };

/** An inspect job's findings, with data-folder paths where the renderer will want URLs. */
export interface InspectFound {
  layer: string;
  channel?: number;
  neighbours?: Array<{ channel: number; mean: number }>;
  top?: Array<{ channel: number; mean: number; mapRel: string }>;
}

export interface DoneMessage {
  type: 'done';
  jobId: string;
  output: JobOutput;
}

/** The loaded model's class head: its labels (searched by the host), or why it has none. */
export type ClassHeadInfo = { labels: string[]; source: 'imagenet' | 'model' } | { labels: null; reason: string };

export type EngineMessage =
  | { type: 'ready'; backend: string; modelId: string; loadMs: number; accelerator: string | null; device?: string | null; layers: LayerChoice[]; classes: ClassHeadInfo }
  | { type: 'start-failed'; error: WorkerErrorInfo }
  | WindowTileRequest
  /** Where dream steps run now, when it changes within a worker's life (the window device fell back, or came back). */
  | { type: 'device-ran'; device: string; accelerator: string | null }
  | ProgressMessage
  | DoneMessage
  | { type: 'failed'; jobId: string; error: WorkerErrorInfo }
  | { type: 'cancelled'; jobId: string }
  | { type: 'reply'; callId: number; ok: true; value: unknown }
  | { type: 'reply'; callId: number; ok: false; error: WorkerErrorInfo };

/** The two ends a worker body needs, whatever carries the messages. */
export interface WorkerPort {
  post(message: EngineMessage): void;
  listen(handler: (message: HostMessage) => void): void;
}

/** A failure as the engine worker reports it: `expected` carries its class (ReverieError or not) across the thread. */
export interface WorkerErrorInfo extends ErrorInfo {
  expected?: boolean;
}

export function workerErrorInfo(err: unknown): WorkerErrorInfo {
  return isExpectedFailure(err) ? { ...errorInfo(err), expected: true } : errorInfo(err);
}

/** A failure the engine worker reported: its class did not survive the thread, so `expected` says whether it was a ReverieError. */
export class JobFailedError extends Error {
  readonly expected: boolean;
  readonly hint: string | undefined;
  constructor(info: WorkerErrorInfo) {
    super(info.message);
    this.name = info.name;
    this.expected = info.expected === true;
    this.hint = info.hint;
  }
}

/** The user's input or environment is at fault (as opposed to a bug): an engine or host ReverieError, here or in the worker. */
export const isExpectedFailure = (err: unknown): boolean => err instanceof ReverieError || (err instanceof JobFailedError && err.expected);

/** What a failure looks like to the user: its type name, message and hint. */
export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof ReverieError || err instanceof JobFailedError) return { name: err.name, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  if (err instanceof Error) return { name: err.name || 'Error', message: err.message };
  return { name: 'Error', message: String(err) };
}

/** A tile the engine asks the app window's GPU for (the "window" device); the host answers with WindowTileReply. */
export interface WindowTileRequest {
  type: 'window-tile';
  tileId: number;
  height: number;
  width: number;
  terms: WindowTerms;
  pixels: Float32Array;
}

export type WindowTileReply =
  | { type: 'window-tile-result'; tileId: number; ok: true; value: number; gradient: Float32Array; backend: WindowBackend; adapter: GpuAdapter }
  | { type: 'window-tile-result'; tileId: number; ok: false; message: string };
