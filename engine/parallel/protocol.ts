// Messages between the gradient pool and its workers: plain data, so they cross threads unchanged.
import type { BackendChoice } from '../backend.ts';
import type { GradientRoute } from '../shared/model.ts';
import type { ChannelTerm, ClassTerm, LayerTerm } from '../recipe/recipe.ts';
import type { FeatureTarget } from '../inspect/targets.ts';

export interface WorkerInit {
  type: 'init';
  model: string;
  backend: BackendChoice;
  /** onnxruntime intra-op threads for each tile this worker computes. */
  threadsPerTile: number;
  cacheDir?: string;
}

/** An objective as recipe terms: the serialisable subset of objectives (functions cannot cross threads). */
export interface ObjectiveTerms {
  layers: LayerTerm[];
  channels: ChannelTerm[];
  /** Class logits (models with an ImageNet head); each worker resolves names on its own model copy. */
  classes?: ClassTerm[];
  /** A feature-visualization image's target (inspect/targets.ts), instead of the terms above. */
  feature?: FeatureTarget;
}

export interface GradientRequest {
  type: 'gradient';
  id: number;
  height: number;
  width: number;
  /** The tile in the model's input range, NHWC with batch 1. */
  pixels: Float32Array;
  terms: ObjectiveTerms;
}

export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'result'; id: number; value: number; gradient: Float32Array; route: GradientRoute | null }
  | { type: 'error'; id: number | null; name: string; message: string };
