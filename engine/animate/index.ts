// engine/animate: zoom animations (geometry, keyframes, stability, the run over a project folder),
// painting ping-pong sessions and their video. Hosts (CLI, Electron, server) call only these.
export { frameTransform, compose, invert, applyToPoint, warpImage, centerPixel, IDENTITY, type Affine, type ZoomGeometry } from './zoomPath.ts';
export { parseKeyframes, paramsAtFrame, ease, KeyframeError, type Keyframes, type Key, type FrameParams } from '../recipe/keyframes.ts';
export { colorStats, blendImages, anchorColors, colorDrift, type Drift } from './stability.ts';
export type { ColorStats } from '../shared/image.ts';
export { planFrame, frameSeed, frameRecipe, type FramePlan } from './zoomPlan.ts';
export type { ZoomProgress } from './zoomProgress.ts';
export { createZoomProject, runZoomProject, INPUT_FILE, type CreateZoomOptions, type RunZoomOptions, type ZoomRunResult } from './zoomRun.ts';
export { createSession, addPainting, latestRoundProject, pickFrame, roundFrameCount, type SessionOptions } from './session.ts';
export { compileSessionVideo, sessionTimeline, sessionRounds, type SessionVideoOptions, type TimelineEntry } from './sessionVideo.ts';
