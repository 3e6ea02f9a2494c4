// The video size flags `reverie video` and `reverie session video` share: --size WxH (frames fitted
// inside, black borders), or --width and/or --height (one side: the other follows the frames' aspect
// ratio, rounded to even for mp4/webm). Limits and messages are the encoder's (engine/video/size.ts).
import { parseSize, type SizeRequest } from '../engine/video/plan.ts';
import { MAX_VIDEO_SIDE, MIN_VIDEO_SIDE } from '../engine/video/size.ts';
import { UsageError } from './shared.ts';

export const videoSizeFlagSpec = { size: { type: 'string' }, width: { type: 'string' }, height: { type: 'string' } } as const;

export const videoSizeHelp = `  --size WxH         output size; frames are fitted inside it with black borders
  --width W          output width; the height follows the frames' aspect ratio (even for mp4/webm);
  --height H         or the other way round. Sides from ${MIN_VIDEO_SIDE} to ${MAX_VIDEO_SIDE}, even for mp4; scaled with lanczos, up or down`;

function side(flag: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  if (!/^\s*\d+\s*$/.test(text)) throw new UsageError(`--${flag} expects a whole number of pixels from ${MIN_VIDEO_SIDE} to ${MAX_VIDEO_SIDE}, got "${text}".`);
  return Number(text);
}

/** The size asked for, or null for the frames' own size; the encoder checks it against its frames. */
export function videoSizeFromFlags(values: { size?: string | undefined; width?: string | undefined; height?: string | undefined }): SizeRequest | null {
  const width = side('width', values.width);
  const height = side('height', values.height);
  if (values.size !== undefined) {
    if (width !== null || height !== null) throw new UsageError('Give either --size WxH or --width/--height, not both.');
    return parseSize(values.size);
  }
  return width === null && height === null ? null : { width, height };
}
