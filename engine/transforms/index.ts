// Robustness transforms for feature visualization: pad, jitter, random scale, random rotate; seeded, differentiable.
export type { Applied, Random, Transform, TransformSpec } from './types.ts';
export { pad } from './pad.ts';
export { jitter } from './jitter.ts';
export { randomScale } from './scale.ts';
export { randomRotate, rotateImage } from './rotate.ts';
export { samplePlan, warp, type SamplePlan } from './warp.ts';
export { compose, STANDARD_TRANSFORMS, transformsFromSpecs } from './compose.ts';
