// Messages between the host's job loop and the window's gradient worker: the host sends a tile, the
// window answers with its gradient. Plain data plus one Float32Array, so the same messages travel
// over the browser-mode WebSocket (frames.ts), Electron IPC (structured clone) and postMessage to the
// page's Web Worker unchanged.
import type { ChannelTerm, ClassTerm, LayerTerm } from '../recipe/recipe.ts';
import type { GpuAdapter } from '../shared/device.ts';
import type { FeatureTarget } from '../objectives/featureTarget.ts';
import type { ClassLogit } from '../objectives/logit.ts';

/** The tfjs backends the window runs gradients on. */
export type WindowBackend = 'webgl' | 'webgpu';

/**
 * An objective as recipe terms (the worker pool's ObjectiveTerms, class names resolved): the page has
 * no class labels, so the engine sends each class term as its logit on the model's head.
 */
export interface WindowTerms {
  layers: LayerTerm[];
  channels: ChannelTerm[];
  /** Unresolved class names: the page refuses them (the engine resolves them to `logits`). */
  classes?: ClassTerm[];
  logits?: ClassLogit[];
  /** A feature-visualization image's target, instead of the terms above. */
  feature?: FeatureTarget;
}

/** Host to window. */
export type ToWindow =
  /** Load the model the host serves at `modelUrl` (model.json, then weights.bin) on this backend. */
  | { type: 'start'; backend: WindowBackend; modelUrl: string; modelId: string }
  | { type: 'gradient'; id: number; height: number; width: number; terms: WindowTerms; pixels: Float32Array }
  | { type: 'stop' }
  /** The host took the page's hello: Settings' device notes now name this window's adapters. */
  | { type: 'heard' };

/** Window to host. */
export type FromWindow =
  /** On connecting: the GPU adapters this window offers (null: none), before any model is loaded. */
  | { type: 'hello'; webgl: GpuAdapter | null; webgpu: GpuAdapter | null }
  | { type: 'ready'; backend: WindowBackend; adapter: GpuAdapter; modelId: string; loadMs: number }
  | { type: 'result'; id: number; value: number; gradient: Float32Array; backend: WindowBackend }
  /** id null: the device as a whole failed (start refused, context lost); the host stops sending. */
  | { type: 'error'; id: number | null; message: string };

export type WindowMessage = ToWindow | FromWindow;
