// The manifest of a project folder: plain versioned JSON, rewritten atomically after every frame,
// holding everything needed to continue a run exactly (recipe, zoom settings, keyframes, per-frame
// parameters and seeds) and to check what is on disk (each frame's SHA-256).
import { parseRecipe, RecipeError, type Recipe } from '../recipe/recipe.ts';
import { checkParam, KeyframeError, NUMERIC_PARAMS, parseKeyframes, type FrameParams, type Keyframes } from '../recipe/keyframes.ts';
import type { ColorStats } from '../shared/image.ts';
import { ManifestError } from './errors.ts';

export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

export type RunStatus = 'new' | 'running' | 'cancelled' | 'failed' | 'complete';

/** Zoom parameters that hold for a whole run (per-frame values come from these plus keyframes). */
export interface ZoomSettings {
  /** Output frames in all (dreamed plus tweens); null runs until cancelled. */
  frames: number | null;
  /** Pure zoom frames between dreamed frames. */
  tween: number;
  zoom: number;
  rotate: number;
  centerX: number;
  centerY: number;
  blend: number;
  anchorColors: number;
  keyframes: Keyframes | null;
}

export interface FrameRecord {
  index: number;
  file: string;
  kind: 'dream' | 'tween';
  status: 'done';
  /** The dream's seed (from the recipe seed and the frame index); null for tweens. */
  seed: number | null;
  params: FrameParams;
  sha256: string;
  ms: number;
  /** The route that dreamed it (cpu, webgpu, tfjs…): pixels repeat only on the same device. Absent in older projects. */
  device?: string;
}

interface ManifestBase {
  version: typeof MANIFEST_VERSION;
  app: 'reverie';
  appVersion: string;
  createdAt: string;
  updatedAt: string;
}

export interface ZoomManifest extends ManifestBase {
  kind: 'zoom';
  status: RunStatus;
  /** The process writing the project while status is 'running'. */
  pid: number | null;
  error: string | null;
  /** Backend of the first frames: the same seed gives the same pixels only on the same backend. */
  backend: string;
  input: { file: string; source: string; width: number; height: number };
  seed: number;
  recipe: Recipe;
  settings: ZoomSettings;
  /** Colour statistics of frame 0, the target of colour anchoring. */
  anchor: ColorStats | null;
  frames: FrameRecord[];
}

export interface SessionRound {
  number: number;
  /** Paths relative to the session folder. */
  painting: string;
  source: string;
  dream: string;
  picked: number | null;
}

export interface SessionManifest extends ManifestBase {
  kind: 'session';
  recipe: Recipe;
  settings: Omit<ZoomSettings, 'frames'>;
  rounds: SessionRound[];
}

export type Manifest = ZoomManifest | SessionManifest;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function need(ok: boolean, dir: string, what: string): void {
  if (!ok) throw new ManifestError(dir, `${MANIFEST_FILE} is damaged: ${what}. Restore it from a backup, or start a new project.`);
}

const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isString = (v: unknown): v is string => typeof v === 'string';

function checkSettings(dir: string, s: unknown, withFrames: boolean): void {
  need(isObject(s), dir, '"settings" is not an object');
  const settings = s as Record<string, unknown>;
  if (withFrames) need(settings['frames'] === null || isInt(settings['frames'], 1), dir, '"settings.frames" must be a whole number or null');
  need(isInt(settings['tween']), dir, '"settings.tween" must be a whole number');
  for (const name of NUMERIC_PARAMS.filter((n) => n !== 'steps' && n !== 'stepSize')) checkParam(`${dir} ${MANIFEST_FILE} settings`, name, settings[name]);
  settings['keyframes'] = settings['keyframes'] === null ? null : parseKeyframes(settings['keyframes'], `${dir} ${MANIFEST_FILE} keyframes`);
}

function checkFrames(dir: string, frames: unknown): void {
  need(Array.isArray(frames), dir, '"frames" is not a list');
  (frames as unknown[]).forEach((f, i) => {
    need(isObject(f), dir, `frames[${i}] is not an object`);
    const r = f as Record<string, unknown>;
    need(r['index'] === i, dir, `frames[${i}] has index ${JSON.stringify(r['index'])}; frames must be listed in order from 0`);
    need(isString(r['file']) && /^[\w.-]+$/.test(r['file']), dir, `frames[${i}].file is not a plain file name`);
    need(r['kind'] === 'dream' || r['kind'] === 'tween', dir, `frames[${i}].kind must be "dream" or "tween"`);
    need(isString(r['sha256']) && /^[0-9a-f]{64}$/.test(r['sha256']), dir, `frames[${i}].sha256 is not a SHA-256`);
    need(isObject(r['params']), dir, `frames[${i}].params is missing`);
    need(r['device'] === undefined || (isString(r['device']) && r['device'].length <= 40), dir, `frames[${i}].device must be a short device name`);
  });
}

/** Validates parsed manifest JSON; errors name the folder and what is wrong. */
export function parseManifest(dir: string, json: unknown): Manifest {
  need(isObject(json), dir, 'it is not a JSON object');
  const m = json as Record<string, unknown>;
  if (m['version'] !== MANIFEST_VERSION) throw new ManifestError(dir, `${MANIFEST_FILE} has version ${JSON.stringify(m['version'])}; this Reverie reads version ${MANIFEST_VERSION}.`);
  need(m['app'] === 'reverie', dir, '"app" is not "reverie"');
  try {
    m['recipe'] = parseRecipe(m['recipe'], `${dir} ${MANIFEST_FILE} recipe`);
    if (m['kind'] === 'zoom') {
      need(['new', 'running', 'cancelled', 'failed', 'complete'].includes(m['status'] as string), dir, `unknown status ${JSON.stringify(m['status'])}`);
      const input = m['input'] as Record<string, unknown> | undefined;
      need(isObject(input) && isString(input['file']) && isInt(input['width'], 1) && isInt(input['height'], 1), dir, '"input" must name the input file and its size');
      need(isInt(m['seed']), dir, '"seed" must be a whole number');
      checkSettings(dir, m['settings'], true);
      checkFrames(dir, m['frames']);
      return m as unknown as ZoomManifest;
    }
    if (m['kind'] === 'session') {
      checkSettings(dir, m['settings'], false);
      need(Array.isArray(m['rounds']), dir, '"rounds" is not a list');
      (m['rounds'] as unknown[]).forEach((r, i) => {
        const round = r as Record<string, unknown>;
        need(isObject(r) && round['number'] === i + 1 && isString(round['painting']) && isString(round['dream']), dir, `rounds[${i}] must have number ${i + 1}, painting and dream`);
        need(round['picked'] === null || isInt(round['picked']), dir, `rounds[${i}].picked must be a frame number or null`);
      });
      return m as unknown as SessionManifest;
    }
  } catch (err) {
    if (err instanceof RecipeError || err instanceof KeyframeError) throw new ManifestError(dir, `${MANIFEST_FILE} is damaged: ${err.message}`);
    throw err;
  }
  throw new ManifestError(dir, `${MANIFEST_FILE} has kind ${JSON.stringify(m['kind'])}; expected "zoom" or "session".`);
}
