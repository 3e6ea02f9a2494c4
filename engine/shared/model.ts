// The model interface the rest of the engine sees: named activations and exact input gradients.
import type * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../graph/graph.ts';
import type { Activations, ObjectiveFn, ValueAndGradient } from '../graph/values.ts';

export type { Activations, ObjectiveFn, ValueAndGradient } from '../graph/values.ts';
import type { DeviceReport, RouteOptions } from './device.ts';

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
  /**
   * Our own graph, for models our executor runs (layers models): objectives that look inside a layer
   * (redirected ReLU) and class heads read it. Absent for TF.js graph models run by tfjs-converter.
   */
  readonly graph?: Graph;
  /** What runs gradient steps besides the tfjs backend (onnxruntime-node), in words; null or absent for tfjs alone. */
  readonly accelerator?: string | null;
  /** Where the latest gradient step ran (models with native routes). */
  readonly device?: DeviceReport;
  /** Chooses the device and CPU threads for gradient steps (models with native routes). */
  useDevice?(options: RouteOptions): void;
  /** Which route computed the last gradient: tests and tools that compare routes assert the one that ran. */
  readonly lastRoute?: GradientRoute | null;
  /** Every layer a user can dream on, blocks first, with shapes for an input of this size. */
  layers(height: number, width: number): LayerInfo[];
  /** Forward pass up to the deepest requested layer; the caller disposes the returned tensors. */
  activations(x: tf.Tensor4D, layers: readonly string[]): Activations;
  /** Objective value and its exact gradient with respect to x (x is not disposed). */
  valueAndGradient(x: tf.Tensor4D, layers: readonly string[], objective: ObjectiveFn): ValueAndGradient;
  /**
   * The same on a plain NHWC array of one image (height x width x 3), where the model has a route
   * that needs no tensors (onnxruntime): tiles then skip two copies through the tfjs backend per step.
   */
  valueAndGradientData?(pixels: Float32Array, height: number, width: number, layers: readonly string[], objective: ObjectiveFn): { value: number; gradient: Float32Array };
  dispose(): void;
}
