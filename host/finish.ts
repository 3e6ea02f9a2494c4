// What the queue reports for each job: progress as the renderer sees it (frames as URLs, previews
// as data URLs) and, when a job ends well, the gallery entry it made or changed.
import { basename } from 'node:path';
import type { JobDone, JobKind, JobProgress } from '../contract/types.ts';
import type { ServiceContext } from './context.ts';
import type { VideoRecord } from './entries.ts';
import { newGalleryId } from './gallery.ts';
import type { DoneMessage, JobSpec, ProgressMessage } from './protocol.ts';

export function progressView(ctx: Pick<ServiceContext, 'options'>, jobId: string, kind: JobKind, p: ProgressMessage): JobProgress {
  const { done, total, label, elapsedMs, etaMs } = p;
  return {
    jobId,
    kind,
    done,
    total,
    label,
    elapsedMs,
    etaMs,
    ...(p.preview ? { preview: `data:image/jpeg;base64,${Buffer.from(p.preview).toString('base64')}` } : {}),
    ...(p.frame ? { frame: { index: p.frame.index, url: ctx.options.fileUrl(p.frame.rel) } } : {}),
    ...(p.tiles ? { tiles: p.tiles.map((t) => ({ index: t.index, preview: `data:image/jpeg;base64,${Buffer.from(t.jpeg).toString('base64')}` })) } : {}),
  };
}

type Result = Omit<JobDone, 'jobId' | 'kind' | 'state'>;

export async function finishJob(ctx: ServiceContext, spec: JobSpec, done: DoneMessage, target: string | null): Promise<Result> {
  const out = done.output;
  if (spec.kind === 'dream' && out.kind === 'dream') {
    const { name, width, height, display } = await ctx.inputs.record(spec.inputId);
    const record = {
      version: 1 as const,
      id: newGalleryId(),
      kind: 'dream' as const,
      createdAt: new Date().toISOString(),
      input: { id: spec.inputId, name, width, height, display },
      recipe: spec.recipe,
      maxSide: spec.maxSide,
      width: out.width,
      height: out.height,
      backend: out.backend,
      route: out.route,
      ...(out.device ? { device: out.device } : {}),
      ...(out.deviceLabel ? { deviceLabel: out.deviceLabel } : {}),
      elapsedMs: Math.round(out.elapsedMs),
    };
    return { item: await ctx.gallery.add(record, out.png, out.thumb) };
  }
  const url = (rel: string): string => ctx.options.fileUrl(rel);
  if (spec.kind === 'zoom-preview' && out.kind === 'preview') return { item: null, frames: out.rels.map(url) };
  if (spec.kind === 'inspect' && out.kind === 'inspect') {
    const { top, ...found } = out.findings;
    return { item: null, frames: out.rels.map(url), inspect: { ...found, ...(top ? { top: top.map(({ mapRel, ...rank }) => ({ ...rank, mapUrl: url(mapRel) })) } : {}) } };
  }
  if (!target) throw new Error(`A ${spec.kind} job needs the project it works on.`);
  // The job is still listed while it finishes; the entry it hands back is no longer being worked on.
  const idle = <T extends { jobId: string | null }>(item: T): T => ({ ...item, jobId: null });
  if (spec.kind === 'zoom') return { item: idle(await ctx.zooms.item(target)) };
  if (spec.kind === 'session-dream') return { item: idle(await ctx.sessions.item(target)) };
  if ((spec.kind === 'video' || spec.kind === 'session-video') && out.kind === 'video') {
    const { frames, durationS, width, height } = out;
    const record: VideoRecord = { file: basename(out.out), format: spec.options.format, frames, durationS, width, height, createdAt: new Date().toISOString() };
    if (spec.kind === 'video') {
      await ctx.zooms.entries.addExport(target, record);
      return { item: idle(await ctx.zooms.item(target)), video: ctx.zooms.video(target, record) };
    }
    await ctx.sessions.entries.addExport(target, record);
    return { item: idle(await ctx.sessions.item(target)), video: ctx.sessions.video(target, record) };
  }
  throw new Error(`A ${spec.kind} job ended with ${out.kind} output.`);
}
