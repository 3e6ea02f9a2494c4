// Messages between a host and its engine worker (a worker thread in Node, a utility process in Electron).
import type { Recipe } from '../../engine/render/recipe.ts';
import type { ErrorInfo, LayerChoice } from '../../contract/types.ts';

export interface DreamJobSpec {
  jobId: string;
  inputId: string;
  inputPath: string;
  /** The user's file name, written into the PNG metadata. */
  inputName: string;
  maxSide: number;
  recipe: Recipe;
}

export type HostMessage =
  | ({ type: 'dream'; previewIntervalMs: number; appVersion: string } & DreamJobSpec)
  | { type: 'cancel'; jobId: string };

export interface ProgressMessage {
  type: 'progress';
  jobId: string;
  done: number;
  total: number;
  octave: number;
  octaves: number;
  step: number;
  steps: number;
  width: number;
  height: number;
  elapsedMs: number;
  etaMs: number | null;
  /** JPEG of the image as it stands, only every previewIntervalMs or so. */
  preview?: Uint8Array;
}

export interface DoneMessage {
  type: 'done';
  jobId: string;
  /** The result PNG with the recipe embedded. */
  png: Uint8Array;
  thumb: Uint8Array;
  width: number;
  height: number;
  elapsedMs: number;
  backend: string;
}

export type EngineMessage =
  | { type: 'ready'; backend: string; modelId: string; loadMs: number; layers: LayerChoice[] }
  | { type: 'start-failed'; error: ErrorInfo }
  | ProgressMessage
  | DoneMessage
  | { type: 'failed'; jobId: string; error: ErrorInfo }
  | { type: 'cancelled'; jobId: string };

/** The two ends a worker body needs, whatever carries the messages. */
export interface WorkerPort {
  post(message: EngineMessage): void;
  listen(handler: (message: HostMessage) => void): void;
}

export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof Error) return { name: err.name || 'Error', message: err.message };
  return { name: 'Error', message: String(err) };
}
