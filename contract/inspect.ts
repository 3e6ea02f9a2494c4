// The Inspect panel's values: channel pictures (feature visualizations, cached on disk by the
// engine and served from the data folder), a channel's strongest neighbours, and what an image
// drives in a layer (top channels, each with its feature map as a picture to overlay).

/** How hard each picture is worked: size in pixels and optimisation steps. */
export type InspectQuality = 'draft' | 'quick' | 'fine';

export const INSPECT_QUALITY: Record<InspectQuality, { size: number; steps: number; label: string }> = {
  draft: { size: 64, steps: 32, label: 'Draft · 64 px' },
  quick: { size: 96, steps: 96, label: 'Quick · 96 px' },
  fine: { size: 128, steps: 256, label: 'Fine · 128 px' },
};

export interface ChannelPicture {
  channel: number;
  url: string;
}

export interface ChannelRank {
  channel: number;
  /** Mean activation of the channel. */
  mean: number;
}

export interface ChannelsRequest {
  layer: string;
  channels: number[];
  quality: InspectQuality;
}

export interface ChannelViewRequest {
  layer: string;
  channel: number;
  quality: InspectQuality;
}

export interface ImageProbeRequest {
  inputId: string;
  layer: string;
  /** How many of the strongest channels to return with their maps. */
  top: number;
}

/** What an inspect job found, beyond its pictures (which arrive as frames). */
export interface InspectFindings {
  layer: string;
  /** Channel view: the channel, and the other channels its picture drives hardest. */
  channel?: number;
  neighbours?: ChannelRank[];
  /** Image probe: the image as the model saw it, and its strongest channels with their maps. */
  imageUrl?: string;
  top?: Array<ChannelRank & { mapUrl: string }>;
}

/** Channels one request may name (a page of the grid). */
export const MAX_CHANNELS_PER_REQUEST = 64;
