// The recipe's numeric parameters as the UI offers them: ranges inside what parseRecipe accepts
// (a test holds them to it), a step, and a one-line explanation.
export type NumericField = 'steps' | 'stepSize' | 'octaves' | 'octaveScale' | 'tileSize' | 'jitter' | 'seed';

/** A numeric field as a form offers it; K names the fields of one form (the recipe's by default). */
export interface FieldSpec<K extends string = NumericField> {
  key: K;
  label: string;
  min: number;
  max: number;
  step: number;
  integer: boolean;
  help: string;
}

export const FIELDS: Record<NumericField, FieldSpec> = {
  steps: { key: 'steps', label: 'Steps', min: 1, max: 100, step: 1, integer: true, help: 'Gradient steps per octave: more steps, stronger dreams.' },
  stepSize: { key: 'stepSize', label: 'Step size', min: 0.1, max: 8, step: 0.1, integer: false, help: 'How far each step pushes the pixels.' },
  octaves: { key: 'octaves', label: 'Octaves', min: 1, max: 8, step: 1, integer: true, help: 'Scales dreamed from small to full size: more octaves, larger structures.' },
  octaveScale: { key: 'octaveScale', label: 'Octave scale', min: 1.1, max: 2, step: 0.05, integer: false, help: 'Size ratio between octaves.' },
  tileSize: { key: 'tileSize', label: 'Tile size', min: 128, max: 1024, step: 32, integer: true, help: 'Largest square computed at once; larger images are tiled.' },
  jitter: { key: 'jitter', label: 'Jitter', min: 0, max: 256, step: 1, integer: true, help: 'Random shift per step, so seams and borders never stay in place.' },
  seed: { key: 'seed', label: 'Seed', min: 0, max: 2 ** 32 - 1, step: 1, integer: true, help: 'Same recipe and seed give the same picture.' },
};

/** Recipe version 2's artist controls (engine/recipe/recipe.ts): pattern size and fade. */
export type ArtistField = 'patternSize' | 'fade';
export const ARTIST_FIELDS: Record<ArtistField, FieldSpec<ArtistField>> = {
  patternSize: { key: 'patternSize', label: 'Pattern size', min: 0.01, max: 0.5, step: 0.01, integer: false, help: 'Pattern size as a share of the short side; the octave count follows the image size, so large images dream like small ones, only sharper.' },
  fade: { key: 'fade', label: 'Fade %', min: 0, max: 100, step: 1, integer: true, help: 'Blends the result back toward the original, as Photoshop’s Fade (100 % gives the original).' },
};
export { DEFAULT_PATTERN_SIZE } from '../../engine/recipe/octavePlan.ts';

/** The value the field would hold for this input: clamped, and rounded to its step. */
export function clampField(spec: FieldSpec<string>, value: number): number {
  if (!Number.isFinite(value)) return spec.min;
  const clamped = Math.min(spec.max, Math.max(spec.min, value));
  if (spec.integer) return Math.round(clamped);
  const decimals = (String(spec.step).split('.')[1] ?? '').length;
  return Number(clamped.toFixed(decimals));
}

/** Long side of the dreamed image; "Original" keeps the input's size (up to the host's limit). */
export const SIZE_CHOICES = [256, 384, 512, 768, 1024, 1536, 2048] as const;
export const ORIGINAL_SIZE = 8192;

/**
 * The smaller sizes worth offering below an input's own long side (all of them before an image is
 * open), plus `current` when a loaded recipe asked for a size of its own.
 */
export function sizeChoices(longSide: number | null, current: number): number[] {
  const below = SIZE_CHOICES.filter((s) => longSide === null || s < longSide);
  const own = current !== ORIGINAL_SIZE && (longSide === null || current < longSide) && !below.includes(current as (typeof SIZE_CHOICES)[number]);
  return own ? [...below, current].sort((a, b) => a - b) : below;
}
