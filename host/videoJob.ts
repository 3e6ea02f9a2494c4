// Videos inside the engine worker: a zoom project's frames, or a whole ping-pong session (paintings,
// dream frames, crossfades), encoded by ffmpeg with progress and cancel. The file is written to a
// temporary name, probed, and only then renamed, so a cancelled export leaves nothing behind.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { compileSessionVideo } from '../engine/animate/sessionVideo.ts';
import { readZoomManifest } from '../engine/project/store.ts';
import { encodeVideo, type EncodeProgress } from '../engine/video/encode.ts';
import { VideoOptionsError } from '../engine/video/errors.ts';
import type { JobContext } from './dreamJob.ts';
import type { JobOutput, VideoJobSpec } from './protocol.ts';

export async function runVideoJob(spec: VideoJobSpec, ctx: JobContext): Promise<JobOutput> {
  await mkdir(dirname(spec.out), { recursive: true });
  const started = performance.now();
  const onProgress = (p: EncodeProgress): void =>
    ctx.onProgress({ type: 'progress', jobId: spec.jobId, done: p.frame, total: p.total, label: `encoding frame ${p.frame}/${p.total}`, elapsedMs: performance.now() - started, etaMs: p.etaMs });
  const { format, fps, quality, size } = spec.options;
  const common = { out: spec.out, format, fps, signal: ctx.signal, onProgress, ...(quality !== null ? { quality } : {}) };
  let result;
  if (spec.kind === 'video') {
    const m = await readZoomManifest(spec.source);
    if (m.frames.length === 0) throw new VideoOptionsError('This zoom has no frames yet: render it first, then export.');
    result = await encodeVideo({ ...common, frames: m.frames.map((f) => join(spec.source, f.file)), size });
  } else {
    result = await compileSessionVideo(spec.source, { ...common, size, crossfade: spec.crossfade ?? 0, hold: spec.hold ?? 1, allFrames: spec.allFrames ?? false });
  }
  ctx.signal.throwIfAborted();
  return { kind: 'video', out: result.out, frames: result.frames, durationS: result.durationS, width: result.width, height: result.height };
}
