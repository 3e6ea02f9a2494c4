// Small pieces every command shares: usage errors, the version, and Ctrl-C as an AbortSignal.

export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly help?: string,
  ) {
    super(message);
  }
}

export class CancelledError extends Error {
  override name = 'CancelledError';
}

export { appVersion } from '../engine/version.ts';

/** --max-pixels: a whole number of pixels from 1 (decodeImage would only say "maxPixels must be positive"). */
export function maxPixelsFlag(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 1) throw new UsageError(`--max-pixels expects a whole number of pixels from 1, got "${text}".`);
  return n;
}

/** Animated GIF/WebP and multi-page TIFF decode to their first frame: say so rather than surprise. */
export function firstFrameNote(file: string, pages: number): { message: string } | null {
  return pages > 1 ? { message: `Note: ${file} holds ${pages} frames (or pages); Reverie uses the first.` } : null;
}

/** Runs work with a signal that Ctrl-C (or SIGTERM) aborts; a second Ctrl-C exits at once. */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } catch (err) {
    if (controller.signal.aborted) throw new CancelledError('Cancelled; no output was written.');
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
