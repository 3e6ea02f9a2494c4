// Checks for the zoom, session and video requests a renderer sends: settings within what the engine
// accepts (its own checks and messages), keyframes parsed by the engine, video options planned by
// the engine's encoder before anything is queued, and export names that can only be ours.
import type { Keyframes, RoundSettings, VideoFormat, VideoOptions, ZoomSettings } from '../contract/projects.ts';
import type { LayerChoice } from '../contract/types.ts';
import { checkParam, KeyframeError, NUMERIC_PARAMS, parseKeyframes } from '../engine/recipe/keyframes.ts';
import { planEncode } from '../engine/video/plan.ts';
import { BadRequestError, requireInt, requireObject } from './validate.ts';

const ROUND_FIELDS = ['tween', 'zoom', 'rotate', 'centerX', 'centerY', 'blend', 'anchorColors', 'keyframes'];
/** A render the UI starts; longer ones are for the CLI, which can also run until stopped. */
export const MAX_FRAMES = 10_000;

export function requireRoundSettings(value: unknown, extra: string[] = []): RoundSettings {
  const s = requireObject(value, 'The zoom settings');
  const unknown = Object.keys(s).filter((k) => !ROUND_FIELDS.includes(k) && !extra.includes(k));
  if (unknown.length) throw new BadRequestError(`The zoom settings have unknown field ${unknown.map((k) => `"${k}"`).join(', ')}.`);
  const number = (name: (typeof NUMERIC_PARAMS)[number]): number => {
    try {
      return checkParam('The zoom settings', name, s[name]);
    } catch (err) {
      throw err instanceof KeyframeError ? new BadRequestError(err.message) : err;
    }
  };
  return {
    tween: requireInt(s['tween'], 'Tween frames', 0, 1000),
    zoom: number('zoom'),
    rotate: number('rotate'),
    centerX: number('centerX'),
    centerY: number('centerY'),
    blend: number('blend'),
    anchorColors: number('anchorColors'),
    keyframes: s['keyframes'] === null || s['keyframes'] === undefined ? null : parseKeyframes(s['keyframes'], 'keyframes'),
  };
}

export function requireZoomSettings(value: unknown, maxFrames = MAX_FRAMES): ZoomSettings {
  const round = requireRoundSettings(value, ['frames']);
  return { ...round, frames: requireInt(requireObject(value, 'The zoom settings')['frames'], 'Frames', 1, maxFrames) };
}

/** Whether any key switches layers (only those need the model's layer list). */
export function switchesLayers(keyframes: Keyframes | null): boolean {
  return keyframes?.keys.some((k) => k.layers !== undefined || k.channels !== undefined) ?? false;
}

/**
 * Every layer a key switches to must be one the loaded model offers (its picker's list): a switch to
 * another would fail only when the render reaches that frame, after frames were written.
 */
export function requireKnownKeyLayers(keyframes: Keyframes | null, layers: readonly LayerChoice[], model: string): void {
  const names = layers.map((l) => l.name);
  for (const key of keyframes?.keys ?? []) {
    const named = [...(key.layers ?? []).map((l) => l.name), ...(key.channels ?? []).map((c) => c.layer)];
    const unknown = named.find((n) => !names.includes(n));
    if (unknown !== undefined) {
      throw new BadRequestError(`keyframes: the key at frame ${key.frame} switches to "${unknown}", which is not a layer of ${model}; pick one of ${names.join(', ')}.`);
    }
  }
}

const FORMATS: readonly VideoFormat[] = ['mp4', 'webm', 'gif'];

/**
 * Video options the encoder will accept for frames of `frame`'s size; its own planner gives the
 * messages (sides outside 16..8192, odd mp4 sizes, GIF fps…). A size is both sides, or one side with
 * the other null (it follows the frames' aspect ratio).
 */
export function requireVideoOptions(req: Record<string, unknown>, frame: { width: number; height: number }): VideoOptions {
  const format = req['format'];
  if (typeof format !== 'string' || !FORMATS.includes(format as VideoFormat)) throw new BadRequestError(`The video format must be mp4, webm or gif, got ${JSON.stringify(format)}.`);
  const fps = req['fps'];
  if (typeof fps !== 'number') throw new BadRequestError(`The frame rate must be a number, got ${JSON.stringify(fps)}.`);
  const quality = req['quality'] ?? null;
  if (quality !== null && typeof quality !== 'number') throw new BadRequestError(`The quality must be a number or null, got ${JSON.stringify(quality)}.`);
  let size: VideoOptions['size'] = null;
  if (req['size'] !== null && req['size'] !== undefined) {
    const s = requireObject(req['size'], 'The video size');
    const side = (name: 'width' | 'height'): number | null => {
      const v = s[name] ?? null;
      if (v !== null && typeof v !== 'number') throw new BadRequestError(`The video ${name} must be a number of pixels or null, got ${JSON.stringify(v)}.`);
      return v;
    };
    size = { width: side('width'), height: side('height') };
  }
  const options: VideoOptions = { format: format as VideoFormat, fps, quality, size };
  planEncode({ out: `check.${options.format}`, format: options.format, fps, ...(quality !== null ? { quality } : {}), size }, frame);
  return options;
}

const EXPORT_NAME = /^[a-z0-9][a-z0-9-]{0,79}\.(mp4|webm|gif)$/;

/** A video's file name inside a project's exports folder: ours, so never a path. */
export function requireExportName(value: unknown): string {
  if (typeof value !== 'string' || !EXPORT_NAME.test(value)) throw new BadRequestError('That is not the name of a video Reverie exported.');
  return value;
}
