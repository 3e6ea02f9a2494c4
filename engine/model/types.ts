// The model interface the rest of the engine sees: named activations and exact input gradients.
import type * as tf from '@tensorflow/tfjs-core';

/** What a layer's weights were trained on, as far as the model's provenance tells. */
export type Training = 'imagenet' | 'fine-tuned' | 'unknown';

export interface LayerInfo {
  name: string;
  /** 'block' for the named mixed/inception blocks users dream on first, then the unit kinds. */
  kind: 'block' | 'conv' | 'pool' | 'concat' | 'other';
  height: number;
  width: number;
  channels: number;
  training: Training;
}

export type Activations = Record<string, tf.Tensor4D>;

/** A scalar function of named activations; tfjs autodiff differentiates it (it is small: means, slices). */
export type ObjectiveFn = (acts: Activations) => tf.Scalar;

export interface ValueAndGradient {
  value: number;
  /** d(objective)/d(input), same shape as the input; owned by the caller. */
  gradient: tf.Tensor4D;
}

/** The executor a gradient step ran on. */
export type GradientRoute = 'onnxruntime' | 'tfjs';

export interface DreamModel {
  /** Short id written into recipes, e.g. "inception_v3" or a folder/URL. */
  readonly id: string;
  readonly description: string;
  /** Range of the model's input pixels, e.g. [-1, 1] for Keras InceptionV3. */
  readonly inputRange: readonly [number, number];
  /** The input size the model was trained at (299 for InceptionV3); used for listings and benchmarks. */
  readonly defaultInputSize: number;
  /** What runs gradient steps besides the tfjs backend (onnxruntime-node), in words; null or absent for tfjs alone. */
  readonly accelerator?: string | null;
  /** Which route computed the last gradient: tests and tools that compare routes assert the one that ran. */
  readonly lastRoute?: GradientRoute | null;
  /** Every layer a user can dream on, blocks first, with shapes for an input of this size. */
  layers(height: number, width: number): LayerInfo[];
  /** Forward pass up to the deepest requested layer; the caller disposes the returned tensors. */
  activations(x: tf.Tensor4D, layers: readonly string[]): Activations;
  /** Objective value and its exact gradient with respect to x (x is not disposed). */
  valueAndGradient(x: tf.Tensor4D, layers: readonly string[], objective: ObjectiveFn): ValueAndGradient;
  dispose(): void;
}

/** An input (image, octave or tile) on which a requested layer would have no pixels. */
export class ImageTooSmallError extends Error {
  override name = 'ImageTooSmallError';
}

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
  constructor(
    /** The file or URL at fault. */
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export class UnknownLayerError extends Error {
  override name = 'UnknownLayerError';
  constructor(
    readonly layer: string,
    /** Names the user may have meant. */
    readonly suggestions: readonly string[],
    reason = 'is not a layer of this model',
  ) {
    const hint = suggestions.length ? ` Did you mean: ${suggestions.slice(0, 8).join(', ')}?` : '';
    super(`Layer "${layer}" ${reason}.${hint} Run "reverie layers" to list them.`);
  }
}
