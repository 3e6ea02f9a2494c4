// Keyframes change a zoom's parameters over time: numbers glide between keys (linear or eased),
// layers and channels switch at keys and hold until the next one. Pure functions over plain JSON.
import { DEFAULT_RECIPE, parseChannelTerm, parseLayerList, parseRecipe, RecipeError, type ChannelTerm, type LayerTerm } from './recipe.ts';
import { ReverieError } from '../shared/errors.ts';

export const KEYFRAMES_VERSION = 1;

/** Everything that may differ from one output frame to the next. */
export interface FrameParams {
  zoom: number;
  rotate: number;
  centerX: number;
  centerY: number;
  steps: number;
  stepSize: number;
  blend: number;
  anchorColors: number;
  layers: LayerTerm[];
  channels: ChannelTerm[];
}

export type NumericParam = Exclude<keyof FrameParams, 'layers' | 'channels'>;
export type Interpolation = 'linear' | 'ease';

export interface Key extends Partial<Pick<FrameParams, NumericParam>> {
  frame: number;
  /** How numbers travel from this key to the next key that sets them. */
  interpolation?: Interpolation;
  layers?: LayerTerm[];
  channels?: ChannelTerm[];
}

export interface Keyframes {
  version: typeof KEYFRAMES_VERSION;
  interpolation: Interpolation;
  keys: Key[];
}

export class KeyframeError extends ReverieError {
  override name = 'KeyframeError';
}

const LIMITS: Record<NumericParam, { min: number; max: number }> = {
  zoom: { min: 0.1, max: 10 },
  rotate: { min: -360, max: 360 },
  centerX: { min: 0, max: 1 },
  centerY: { min: 0, max: 1 },
  steps: { min: 0, max: 10_000 },
  stepSize: { min: 0, max: 100 },
  blend: { min: 0, max: 1 },
  anchorColors: { min: 0, max: 1 },
};
export const NUMERIC_PARAMS = Object.keys(LIMITS) as NumericParam[];

export function checkParam(where: string, name: NumericParam, value: unknown): number {
  const { min, max } = LIMITS[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new KeyframeError(`${where}: "${name}" must be a number, got ${JSON.stringify(value)}.`);
  if (value < min || value > max) throw new KeyframeError(`${where}: "${name}" must be between ${min} and ${max}, got ${value}.`);
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function interpolation(where: string, v: unknown): Interpolation {
  if (v === 'linear' || v === 'ease') return v;
  throw new KeyframeError(`${where}: "interpolation" must be "linear" or "ease", got ${JSON.stringify(v)}.`);
}

/** Layers and channels as in a recipe, or as the CLI writes them ("mixed3,mixed5:0.5", ["mixed4:97"]). */
function objectiveTerms(where: string, key: Record<string, unknown>): Pick<Key, 'layers' | 'channels'> {
  try {
    const layers = typeof key['layers'] === 'string' ? parseLayerList(key['layers']) : key['layers'];
    const rawChannels = typeof key['channels'] === 'string' ? [key['channels']] : key['channels'];
    const channels = Array.isArray(rawChannels) ? rawChannels.map((c: unknown) => (typeof c === 'string' ? parseChannelTerm(c) : c)) : rawChannels;
    // Naming one of them replaces both, as on the command line.
    const checked = parseRecipe({ ...DEFAULT_RECIPE, layers: layers ?? [], channels: channels ?? [] }, where);
    return { layers: checked.layers, channels: checked.channels };
  } catch (err) {
    if (err instanceof RecipeError) throw new KeyframeError(err.message.startsWith(where) ? err.message : `${where}: ${err.message}`);
    throw err;
  }
}

/** Validates a keyframes file (an object with "keys", or just the list of keys). */
export function parseKeyframes(input: unknown, source = 'keyframes'): Keyframes {
  const doc = Array.isArray(input) ? { keys: input } : input;
  if (!isObject(doc)) throw new KeyframeError(`${source}: expected an object like {"keys": [{"frame": 0, "zoom": 1.02}, …]}.`);
  const extra = Object.keys(doc).filter((k) => !['version', 'interpolation', 'keys'].includes(k));
  if (extra.length) throw new KeyframeError(`${source}: unknown field ${extra.map((k) => `"${k}"`).join(', ')} (allowed: version, interpolation, keys).`);
  if (doc['version'] !== undefined && doc['version'] !== KEYFRAMES_VERSION) throw new KeyframeError(`${source}: keyframes version ${JSON.stringify(doc['version'])} is not supported (this Reverie reads version ${KEYFRAMES_VERSION}).`);
  const defaultInterpolation = doc['interpolation'] === undefined ? 'linear' : interpolation(source, doc['interpolation']);
  const rawKeys = doc['keys'];
  if (!Array.isArray(rawKeys) || rawKeys.length === 0) throw new KeyframeError(`${source}: "keys" must be a non-empty list of keys.`);
  const allowed = ['frame', 'interpolation', 'layers', 'channels', ...NUMERIC_PARAMS];
  let lastFrame = -1;
  const keys = rawKeys.map((raw: unknown, i): Key => {
    const where = `${source}: keys[${i}]`;
    if (!isObject(raw)) throw new KeyframeError(`${where} must be an object like {"frame": 40, "zoom": 1.05}.`);
    const unknown = Object.keys(raw).filter((k) => !allowed.includes(k));
    if (unknown.length) throw new KeyframeError(`${where} has unknown field ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ')}).`);
    const frame = raw['frame'];
    if (typeof frame !== 'number' || !Number.isInteger(frame) || frame < 0) throw new KeyframeError(`${where}: "frame" must be a whole number from 0, got ${JSON.stringify(frame)}.`);
    if (frame <= lastFrame) throw new KeyframeError(`${where}: frame ${frame} must come after the previous key's frame ${lastFrame}; list keys in frame order, once each.`);
    lastFrame = frame;
    const key: Key = { frame };
    if (raw['interpolation'] !== undefined) key.interpolation = interpolation(where, raw['interpolation']);
    for (const name of NUMERIC_PARAMS) if (raw[name] !== undefined) key[name] = checkParam(where, name, raw[name]);
    if (raw['layers'] !== undefined || raw['channels'] !== undefined) Object.assign(key, objectiveTerms(where, raw));
    return key;
  });
  return { version: KEYFRAMES_VERSION, interpolation: defaultInterpolation, keys };
}

/** Smooth start and stop (smoothstep): the speed is zero at both keys. */
export function ease(t: number): number {
  return t * t * (3 - 2 * t);
}

function numberAt(base: number, kf: Keyframes, name: NumericParam, frame: number): number {
  const points = kf.keys.filter((k) => k[name] !== undefined).map((k) => ({ frame: k.frame, value: k[name]!, interpolation: k.interpolation ?? kf.interpolation }));
  if (points.length === 0) return base;
  // Before the first key that sets it, a parameter starts from its base value at frame 0.
  if (points[0]!.frame > 0) points.unshift({ frame: 0, value: base, interpolation: kf.interpolation });
  if (frame <= points[0]!.frame) return points[0]!.value;
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i]!;
    const to = points[i + 1]!;
    if (frame >= to.frame) continue;
    const t = (frame - from.frame) / (to.frame - from.frame);
    return from.value + (to.value - from.value) * (from.interpolation === 'ease' ? ease(t) : t);
  }
  return points.at(-1)!.value;
}

/** The parameters of output frame `frame`: base values (flags, recipe) overridden by the keyframes. */
export function paramsAtFrame(base: FrameParams, keyframes: Keyframes | null, frame: number): FrameParams {
  if (!keyframes) return { ...base };
  const out = { ...base };
  for (const name of NUMERIC_PARAMS) out[name] = numberAt(base[name], keyframes, name, frame);
  out.steps = Math.round(out.steps);
  const switched = keyframes.keys.filter((k) => k.frame <= frame && (k.layers !== undefined || k.channels !== undefined)).at(-1);
  if (switched) {
    out.layers = switched.layers ?? [];
    out.channels = switched.channels ?? [];
  }
  return out;
}
