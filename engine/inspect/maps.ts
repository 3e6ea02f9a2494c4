// How an image looks through a layer: its feature maps, and the channels it drives hardest.
import * as tf from '@tensorflow/tfjs-core';
import type { DreamModel } from '../shared/model.ts';
import { resize, toModelRange } from '../render/image.ts';
import type { RgbImage } from '../shared/image.ts';
import { minimumInputSize } from '../render/minimumSize.ts';
import { ImageTooSmallError } from '../shared/errors.ts';
import { ChannelListError } from './channelList.ts';

export interface FeatureMaps {
  layer: string;
  /** Size of the image the model saw (after any downscaling to maxSide). */
  inputWidth: number;
  inputHeight: number;
  height: number;
  width: number;
  channels: number;
  /** Activations, HWC row-major. */
  data: Float32Array;
  /** Mean activation of each channel over the map. */
  means: Float32Array;
}

export interface ChannelRank {
  channel: number;
  mean: number;
}

/** Largest side the image is scaled down to before the forward pass (default 512): maps stay cheap. */
export interface MapsOptions {
  maxSide?: number;
}

function fitted(image: RgbImage, maxSide: number): [number, number] {
  const f = Math.min(1, maxSide / Math.max(image.width, image.height));
  return [Math.max(1, Math.round(image.height * f)), Math.max(1, Math.round(image.width * f))];
}

export function featureMaps(model: DreamModel, image: RgbImage, layer: string, options: MapsOptions = {}): FeatureMaps {
  const [h, w] = fitted(image, options.maxSide ?? 512);
  const needed = minimumInputSize(model, [layer]);
  if (Math.min(h, w) < needed) throw new ImageTooSmallError(`The image is ${w}x${h} as the model sees it; layer ${layer} needs at least ${needed}x${needed} pixels.`);
  const x = tf.tidy(() => resize(toModelRange(image, model.inputRange), h, w));
  let act: tf.Tensor4D;
  try {
    act = model.activations(x, [layer])[layer]!;
  } finally {
    x.dispose();
  }
  const [, height, width, channels] = act.shape;
  const means = tf.tidy(() => tf.mean(act, [0, 1, 2]));
  const out = { layer, inputWidth: w, inputHeight: h, height, width, channels, data: Float32Array.from(act.dataSync()), means: Float32Array.from(means.dataSync()) };
  tf.dispose([act, means]);
  return out;
}

/** The k channels with the highest mean activation, strongest first. */
export function topChannels(means: Float32Array, k: number): ChannelRank[] {
  return Array.from(means, (mean, channel) => ({ channel, mean }))
    .sort((a, b) => b.mean - a.mean || a.channel - b.channel)
    .slice(0, Math.max(0, k));
}

/** One channel's map as a float plane (row-major). */
export function channelPlane(maps: FeatureMaps, channel: number): Float32Array {
  if (!Number.isInteger(channel) || channel < 0 || channel >= maps.channels) throw new ChannelListError(`Channel ${channel} is out of range for layer "${maps.layer}", which has ${maps.channels} channels (0-${maps.channels - 1}).`);
  const plane = new Float32Array(maps.height * maps.width);
  for (let i = 0; i < plane.length; i++) plane[i] = maps.data[i * maps.channels + channel]!;
  return plane;
}

/** Mean activation of every channel of `layer` for each image (all images the same size). */
export function channelMeans(model: DreamModel, images: readonly RgbImage[], layer: string): Float32Array[] {
  return images.map((image) => {
    const x = toModelRange(image, model.inputRange);
    try {
      const act = model.activations(x, [layer])[layer]!;
      const means = tf.tidy(() => tf.mean(act, [0, 1, 2]));
      const out = Float32Array.from(means.dataSync());
      tf.dispose([act, means]);
      return out;
    } finally {
      x.dispose();
    }
  });
}

/**
 * A channel's strongest neighbours: the other channels of its layer that its own visualization drives
 * hardest (the inspector's "what else lights up for this picture").
 */
export function strongestNeighbours(model: DreamModel, visualization: RgbImage, layer: string, channel: number, k: number): ChannelRank[] {
  const [means] = channelMeans(model, [visualization], layer);
  return topChannels(means!, k + 1).filter((r) => r.channel !== channel).slice(0, k);
}
