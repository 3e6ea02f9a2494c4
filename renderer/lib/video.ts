// Video export choices as the UI offers them, from the encoder's own limits (engine/video/args.ts
// is plain data, engine/video/size.ts pure): formats, frame rates, quality (CRF) ranges and output sizes.
import { DEFAULT_FPS, DEFAULT_QUALITY, MAX_FPS, QUALITY_RANGE } from '../../engine/video/args.ts';
import type { VideoFormat, VideoOptions } from '../../contract/projects.ts';

export { DEFAULT_FPS, DEFAULT_QUALITY, MAX_FPS, QUALITY_RANGE };
// The encoder's own size rules (pure, no Node), so the page refuses what the host would.
export { MAX_VIDEO_SIDE, MIN_VIDEO_SIDE, resolveVideoSize, type Size } from '../../engine/video/size.ts';

export const FORMATS: Array<{ id: VideoFormat; label: string; note: string }> = [
  { id: 'mp4', label: 'MP4', note: 'H.264: plays everywhere' },
  { id: 'webm', label: 'WebM', note: 'VP9: smaller, for the web' },
  { id: 'gif', label: 'GIF', note: 'Loops in chats and docs; large' },
];

/** Output sizes (even, as H.264 needs); null keeps the frames' own size. */
export const SIZES: Array<{ id: string; label: string; size: VideoOptions['size'] }> = [
  { id: 'frames', label: 'As frames', size: null },
  { id: '480p', label: '854×480', size: { width: 854, height: 480 } },
  { id: '720p', label: '1280×720', size: { width: 1280, height: 720 } },
  { id: '1080p', label: '1920×1080', size: { width: 1920, height: 1080 } },
  { id: 'square', label: '1080×1080', size: { width: 1080, height: 1080 } },
];
