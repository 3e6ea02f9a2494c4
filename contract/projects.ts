// Zoom projects, ping-pong sessions and their videos as they cross between renderer and host.
// Both live in the data folder and are referred to by id; URLs point at their files under /files/.
import type { Keyframes } from '../engine/recipe/keyframes.ts';
import type { ZoomSettings } from '../engine/project/manifest.ts';
import type { Recipe } from '../engine/recipe/recipe.ts';
import type { FileBytes } from './files.ts';

export type { Keyframes, ZoomSettings };

/** A zoom's settings without the frame count: what a ping-pong session dreams each round with. */
export type RoundSettings = Omit<ZoomSettings, 'frames'>;

export type RunStatus = 'new' | 'running' | 'cancelled' | 'failed' | 'complete';
export type VideoFormat = 'mp4' | 'webm' | 'gif';

export interface VideoOptions {
  format: VideoFormat;
  fps: number;
  /** CRF for mp4 (0-51) and webm (0-63); null: the format's default. GIF has none. */
  quality: number | null;
  /** Output size; null: the frames' own size (a session's: its first painting's). */
  size: VideoSize | null;
}

/**
 * Both sides: frames fitted inside, black borders. One side with the other null: the other follows the
 * frames' aspect ratio (even for mp4/webm) and the frames fill it. Sides 16..8192, even for mp4;
 * ffmpeg scales with lanczos, up or down.
 */
export interface VideoSize {
  width: number | null;
  height: number | null;
}

/** A video made from a project, kept beside it in the data folder. */
export interface VideoFile {
  file: string;
  url: string;
  format: VideoFormat;
  frames: number;
  durationS: number;
  width: number;
  height: number;
  createdAt: string;
}

export interface ZoomItem {
  id: string;
  kind: 'zoom';
  createdAt: string;
  updatedAt: string;
  input: { id: string; name: string };
  /** The input as the project holds it (scaled to maxSide): the picture frame 0 grows from. */
  sourceUrl: string;
  recipe: Recipe;
  settings: ZoomSettings;
  maxSide: number;
  width: number;
  height: number;
  /** 'cancelled' and 'failed' renders can be resumed; 'running' only while a job renders it. */
  status: RunStatus;
  error: string | null;
  frameUrls: string[];
  thumbUrl: string;
  exports: VideoFile[];
  /** The job rendering it now (queued or running), so a reopened page can follow or cancel it. */
  jobId: string | null;
}

export interface SessionRoundInfo {
  number: number;
  paintingUrl: string;
  frameUrls: string[];
  /** The frame the artist painted from next, or null. */
  picked: number | null;
}

export interface SessionItem {
  id: string;
  kind: 'session';
  createdAt: string;
  updatedAt: string;
  recipe: Recipe;
  settings: RoundSettings;
  width: number;
  height: number;
  rounds: SessionRoundInfo[];
  thumbUrl: string;
  exports: VideoFile[];
  /** The job dreaming a round of it now (queued or running). */
  jobId: string | null;
}

export interface ZoomCreateRequest {
  inputId: string;
  recipe: Recipe;
  settings: ZoomSettings;
  /** The input is scaled so its long side is at most this many pixels. */
  maxSide: number;
}

/** A few frames at a small size, not kept: settings.frames is at most PREVIEW_MAX_FRAMES. */
export type ZoomPreviewRequest = ZoomCreateRequest;
export const PREVIEW_MAX_FRAMES = 8;

export interface ZoomResumeRequest {
  id: string;
  /** A new frame target (at least the frames made so far); absent: the project's own. */
  frames?: number;
  /** Send the tiles of each frame's steps to the farm in Settings (a frame of one tile dreams here). */
  farm?: boolean;
}

/** Render a zoom project's frames, here or on the farm in Settings. */
export interface ZoomRunRequest {
  id: string;
  farm?: boolean;
}

/** Dream the next frames of a session's latest round, here or on the farm in Settings. */
export interface SessionDreamRequest {
  id: string;
  frames: number;
  farm?: boolean;
}

export interface VideoExportRequest extends VideoOptions {
  /** A zoom project's id. */
  id: string;
}

export interface SessionNewRequest {
  /** The first painting, flattened (canvas over frame) to PNG by the renderer. */
  painting: FileBytes;
  recipe: Recipe;
  settings: RoundSettings;
  /** An imported mask (white dreams, black keeps) of the painting's shape: where every round dreams. */
  maskInputId?: string;
}

export interface SessionVideoRequest extends VideoOptions {
  id: string;
  /** Blended frames at every cut (0: hard cuts). */
  crossfade: number;
  /** Frames each painting stays on screen. */
  hold: number;
  /** Include frames dreamed after each round's pick. */
  allFrames: boolean;
}
