// The inspector's quality check: a channel's visualization should drive that channel far harder
// than natural photographs do, and harder than the other channels' visualizations do.
import sharp from 'sharp';
import type { DreamModel } from '../shared/model.ts';
import type { RgbImage } from '../shared/image.ts';
import { channelMeans } from './maps.ts';

export interface ChannelQuality {
  layer: string;
  channel: number;
  /** Mean activation on its own visualization. */
  own: number;
  /** Mean over the photographs of its mean activation. */
  photos: number;
  /** own / photos; NaN where the photos leave the channel silent (no ratio to speak of). */
  ratio: number;
  /** Highest mean activation it reaches on another sampled channel's visualization. */
  othersMax: number;
  /** Photos drive it (a silent channel proves nothing), own ≥ minRatio × photos, and own beats the others. */
  passes: boolean;
}

/**
 * The bar for one channel. A channel the photographs leave silent has no ratio: its visualization
 * may be anything, so it does not pass (an Infinity ratio would clear any bar vacuously).
 */
export function judgeChannel(own: number, photos: number, othersMax: number, minRatio: number): { ratio: number; passes: boolean } {
  if (!(photos > 0)) return { ratio: NaN, passes: false };
  const ratio = own / photos;
  return { ratio, passes: ratio >= minRatio && own > othersMax };
}

/** Photographs centre-cropped and scaled to size x size, as the visualizations are. */
export async function loadPhotos(paths: readonly string[], size: number): Promise<RgbImage[]> {
  return Promise.all(
    paths.map(async (p) => {
      const { data } = await sharp(p).rotate().resize(size, size, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { width: size, height: size, rgb: Float32Array.from(data) };
    }),
  );
}

/** `visualizations[i]` is channel `channels[i]`'s; `minRatio` is the bar (5 in the issue). */
export function activationRatios(model: DreamModel, layer: string, channels: readonly number[], visualizations: readonly RgbImage[], photos: readonly RgbImage[], minRatio = 5): ChannelQuality[] {
  const onVis = channelMeans(model, visualizations, layer);
  const onPhotos = channelMeans(model, photos, layer);
  return channels.map((channel, i) => {
    const own = onVis[i]![channel]!;
    const photosMean = onPhotos.reduce((s, m) => s + m[channel]!, 0) / Math.max(1, onPhotos.length);
    const othersMax = Math.max(-Infinity, ...onVis.filter((_, j) => j !== i).map((m) => m[channel]!));
    return { layer, channel, own, photos: photosMean, othersMax, ...judgeChannel(own, photosMean, othersMax, minRatio) };
  });
}
