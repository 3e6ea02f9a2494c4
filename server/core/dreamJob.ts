// One dream job inside the engine worker: scale the input, dream with progress and throttled
// previews, then encode the result PNG (recipe embedded) and a thumbnail.
import sharp from 'sharp';
import { decodeImage, encodePng } from '../../engine/io/image.ts';
import type { DreamModel } from '../../engine/model/types.ts';
import { dream, type DreamProgress } from '../../engine/render/dream.ts';
import type { RgbImage } from '../../engine/render/image.ts';
import { metadataText } from '../../engine/render/metadata.ts';
import type { DoneMessage, DreamJobSpec, ProgressMessage } from './protocol.ts';

export interface DreamJobContext {
  model: DreamModel;
  backend: string;
  appVersion: string;
  previewIntervalMs: number;
  signal: AbortSignal;
  onProgress(message: ProgressMessage): void;
}

async function jpeg(img: RgbImage, quality: number): Promise<Uint8Array> {
  const pixels = Uint8ClampedArray.from(img.rgb);
  const buffer = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return sharp(buffer, { raw: { width: img.width, height: img.height, channels: 3 } }).jpeg({ quality }).toBuffer();
}

export async function runDreamJob(spec: DreamJobSpec, ctx: DreamJobContext): Promise<DoneMessage> {
  const started = performance.now();
  const scaled = await sharp(spec.inputPath, { limitInputPixels: false })
    .rotate()
    .resize({ width: spec.maxSide, height: spec.maxSide, fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
  const input = await decodeImage(scaled, { name: spec.inputName });
  ctx.signal.throwIfAborted();

  let lastPreview = -Infinity;
  const it = dream(ctx.model, input, spec.recipe, { signal: ctx.signal });
  let result: RgbImage;
  for (;;) {
    const r = await it.next();
    if (r.done) {
      result = r.value;
      break;
    }
    const p: DreamProgress = r.value;
    const now = performance.now();
    const lastOfOctave = p.step === p.steps - 1;
    let preview: Uint8Array | undefined;
    if (now - lastPreview >= ctx.previewIntervalMs || lastOfOctave) {
      preview = await jpeg(p.preview(), 82);
      lastPreview = now;
    }
    const { octave, octaves, step, steps, done, total, width, height, elapsedMs, etaMs } = p;
    ctx.onProgress({ type: 'progress', jobId: spec.jobId, octave, octaves, step, steps, done, total, width, height, elapsedMs, etaMs, ...(preview ? { preview } : {}) });
  }
  ctx.signal.throwIfAborted();
  const alpha = input.alpha && result.width === input.width && result.height === input.height ? input.alpha : null;
  const meta = { app: 'reverie' as const, appVersion: ctx.appVersion, backend: ctx.backend, input: spec.inputName, createdAt: new Date().toISOString(), recipe: spec.recipe };
  const png = await encodePng({ ...result, alpha }, metadataText(meta));
  const thumb = await sharp(png).resize({ width: 384, height: 384, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
  return { type: 'done', jobId: spec.jobId, png, thumb, width: result.width, height: result.height, elapsedMs: performance.now() - started, backend: ctx.backend };
}
