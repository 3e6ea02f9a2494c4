// What each output frame of a zoom is, from the settings alone: dreamed or tween, which earlier frame it
// grows from, the geometry between them, its parameters and its seed. Pure, so an interrupted run and
// an uninterrupted one plan every frame the same way.
import type { Recipe } from '../recipe/recipe.ts';
import type { ZoomSettings } from '../project/manifest.ts';
import { paramsAtFrame, type FrameParams } from '../recipe/keyframes.ts';
import { compose, frameTransform, IDENTITY, type Affine } from './zoomPath.ts';

/**
 * A zoom frame's dreaming unless the user says otherwise: one octave of 5 steps on 256 px tiles.
 * Tiles that size let the engine's layout spread a 512 px frame over the cores (four tiles across two
 * workers took 0.67x the time per frame of one 512 px tile on both threads, same run, bench/zoom.ts),
 * and the roll moves their seams every step. Recorded in the project's recipe like any other choice.
 */
export const ZOOM_FRAME_RECIPE = { steps: 5, octaves: 1, tileSize: 256 } as const;

export interface FramePlan {
  index: number;
  kind: 'dream' | 'tween';
  /** The dreamed frame this one is made from; -1 is the input image. */
  source: number;
  /** Maps the source frame onto this one (the product of the per-frame zooms in between). */
  transform: Affine;
  params: FrameParams;
  /** Dream seed, derived from the recipe seed and the frame index; null for tweens. */
  seed: number | null;
}

/** A well-mixed 32-bit seed per frame (splitmix32 of seed and index), so frames never share rolls. */
export function frameSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export function baseParams(recipe: Recipe, s: Omit<ZoomSettings, 'frames'>): FrameParams {
  return {
    zoom: s.zoom,
    rotate: s.rotate,
    centerX: s.centerX,
    centerY: s.centerY,
    steps: recipe.steps,
    stepSize: recipe.stepSize,
    blend: s.blend,
    anchorColors: s.anchorColors,
    layers: recipe.layers,
    channels: recipe.channels,
  };
}

export function planFrame(recipe: Recipe, settings: ZoomSettings, index: number, width: number, height: number): FramePlan {
  const period = settings.tween + 1;
  const base = baseParams(recipe, settings);
  const params = paramsAtFrame(base, settings.keyframes, index);
  const kind = index % period === 0 ? 'dream' : 'tween';
  const source = index === 0 ? -1 : kind === 'dream' ? index - period : index - (index % period);
  let transform = IDENTITY;
  // Each output frame contributes its own zoom, so keyframed speeds apply to tweens too.
  for (let f = Math.max(source, 0) + 1; index > 0 && f <= index; f++) {
    transform = compose(transform, frameTransform(paramsAtFrame(base, settings.keyframes, f), width, height));
  }
  return { index, kind, source, transform, params, seed: kind === 'dream' ? frameSeed(recipe.seed, index) : null };
}

/** The recipe a dreamed frame runs: the project's recipe with this frame's steps, objective and seed. */
export function frameRecipe(recipe: Recipe, plan: FramePlan): Recipe {
  const { params } = plan;
  return { ...recipe, steps: params.steps, stepSize: params.stepSize, layers: params.layers, channels: params.channels, seed: plan.seed ?? recipe.seed };
}
