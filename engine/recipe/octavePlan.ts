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

/** The octave count the defaults were tuned with at 0.3 MP: octaves up to that scale dream in full. */
export const FULL_OCTAVES = 4;
/**
 * How fast steps fall above that scale. Measured on cat.jpg with the defaults (mean change per
 * channel, full size; a loaded 2-core machine): 9.7 at 640 px; at 1280 px 11.5 with every step,
 * 10.7 with exponent 1, 9.9 with exponent 2; at 2560 px 10.9 with exponent 1, 9.8 with exponent 2
 * (patterns 0.042 of the short side against 0.044 at 640 px).
 */
export const REFINE_EXPONENT = 2;

/**
 * Steps for each octave of a size-aware plan (short sides from smallest to largest). Octaves up to
 * FULL_OCTAVES above the smallest dream with all of the recipe's steps, as the 0.3 MP photo does;
 * the octaves a larger image adds on top only sharpen what those dreamed, with steps falling as
 * (reference short side / this short side)^REFINE_EXPONENT (at least one), so a 12 MP photo is not
 * dreamed more strongly than the same photo at 0.3 MP. A fixed octave count keeps every step.
 */
export function octaveSteps(recipe: { steps: number; octaveScale: number; patternSize?: number }, shortSides: readonly number[]): number[] {
  if (recipe.patternSize === undefined || shortSides.length <= FULL_OCTAVES) return shortSides.map(() => recipe.steps);
  const reference = (PATTERN_REFERENCE_PX / recipe.patternSize) * recipe.octaveScale ** (FULL_OCTAVES - 1);
  return shortSides.map((s) => (s <= reference * 1.001 ? recipe.steps : Math.max(1, Math.round(recipe.steps * (reference / s) ** REFINE_EXPONENT))));
}
