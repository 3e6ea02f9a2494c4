// How much each call may send. Only the calls that carry a file get more than a small JSON body;
// every transport checks the same numbers (the HTTP server before it buffers anything).
import type { InvokeChannel } from '../contract/channels.ts';

const MB = 1024 * 1024;

/** An image (or a painting, or a PNG read for its recipe): a 64-megapixel JPEG is ~30 MB, a PNG of a photo that size ~100 MB. */
export const MAX_IMAGE_BYTES = 128 * MB;
/** A preset file is a recipe in JSON: a few kilobytes. */
export const MAX_PRESET_BYTES = 1 * MB;
/** Any call that carries no file. */
export const MAX_PLAIN_REQUEST_BYTES = 256 * 1024;

const FILE_LIMITS: Partial<Record<InvokeChannel, number>> = {
  'image.import': MAX_IMAGE_BYTES,
  'recipe.fromPng': MAX_IMAGE_BYTES,
  'session.new': MAX_IMAGE_BYTES,
  'session.add': MAX_IMAGE_BYTES,
  'presets.import': MAX_PRESET_BYTES,
};

/** The largest file a call may carry (0: none). */
export function fileLimit(channel: InvokeChannel): number {
  return FILE_LIMITS[channel] ?? 0;
}

/** The largest wire body a call may send: its file in base64 (4/3) plus the plain fields. */
export function requestLimit(channel: InvokeChannel): number {
  return Math.ceil((fileLimit(channel) * 4) / 3) + MAX_PLAIN_REQUEST_BYTES;
}

/** At most this many file-carrying calls are read and handled at once; others wait their turn unread. */
export const MAX_CONCURRENT_UPLOADS = 2;

/** A counting gate: `run` waits for a free slot, so waiting requests hold no body in memory. */
export class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly slots: number) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.slots) await new Promise<void>((ok) => this.waiting.push(ok));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
