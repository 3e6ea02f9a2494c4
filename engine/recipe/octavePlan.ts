// Size-aware octaves: a recipe's patternSize (a fraction of the short side) fixes how large the
// smallest octave is, so the octave count grows with the image and patterns keep their share of it.

/**
 * The smallest octave's short side is PATTERN_REFERENCE_PX / patternSize. Calibrated so the default
 * gives a 640x427 photo (0.3 MP) the fixed recipe's four octaves of 1.4, the look the defaults were
 * tuned for; measured (tests/helpers/patternSize.ts), that dream's difference spectrum is centred
 * near 0.04 of the short side, and at 4x the size within about 15 % of it (tests/sizeAware.test.ts).
 */
export const DEFAULT_PATTERN_SIZE = 0.06;
export const PATTERN_REFERENCE_PX = 10.5;

/** Octaves of `octaveScale` from a smallest short side of REFERENCE / patternSize up to the image (1..12). */
export function autoOctaves(height: number, width: number, patternSize: number, octaveScale: number): number {
  if (octaveScale <= 1) return 1;
  const smallest = PATTERN_REFERENCE_PX / patternSize;
  const n = 1 + Math.round(Math.log(Math.min(height, width) / smallest) / Math.log(octaveScale));
  return Math.min(12, Math.max(1, n));
}

/** The octave count a recipe dreams this image with: its own, or the size-aware one when patternSize is set. */
export function octaveCount(recipe: { octaves: number; octaveScale: number; patternSize?: number }, height: number, width: number): number {
  return recipe.patternSize === undefined ? recipe.octaves : autoOctaves(height, width, recipe.patternSize, recipe.octaveScale);
}
