// A session as one video: each round's painting, the dream frames that grew from it (up to the picked
// frame), then the next painting, with optional crossfades generated as blended frames in between.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { encodeVideo } from '../video/encode.ts';
import { planEncode, type SizeRequest } from '../video/plan.ts';
import { ProjectError } from '../project/errors.ts';
import { frameFileName, readSessionManifest } from '../project/store.ts';
import { roundFrameCount } from './session.ts';

export type TimelineEntry = { kind: 'painting' | 'frame'; path: string } | { kind: 'crossfade'; from: string; to: string; t: number };

export interface TimelineOptions {
  /** Frames each painting stays on screen (at least 1). */
  hold: number;
  /** Blended frames generated at every cut (painting → its dream, dream → next painting). */
  crossfade: number;
}

/** The video's frames in order; pure, so counts and order are testable without images. */
export function sessionTimeline(rounds: ReadonlyArray<{ painting: string; frames: readonly string[] }>, o: TimelineOptions): TimelineEntry[] {
  const clips: Array<{ kind: 'painting' | 'frame'; paths: readonly string[] }> = [];
  for (const r of rounds) {
    clips.push({ kind: 'painting', paths: Array.from({ length: Math.max(1, o.hold) }, () => r.painting) });
    if (r.frames.length) clips.push({ kind: 'frame', paths: r.frames });
  }
  const out: TimelineEntry[] = [];
  clips.forEach((clip, i) => {
    const before = clips[i - 1]?.paths.at(-1);
    for (let k = 1; before !== undefined && k <= o.crossfade; k++) out.push({ kind: 'crossfade', from: before, to: clip.paths[0]!, t: k / (o.crossfade + 1) });
    for (const path of clip.paths) out.push({ kind: clip.kind, path });
  });
  return out;
}

export interface SessionVideoOptions extends Partial<TimelineOptions> {
  out: string;
  fps?: number;
  quality?: number;
  format?: 'mp4' | 'webm' | 'gif';
  /** Output size: both sides (fitted inside, black borders) or one (the other from the first painting's
   * aspect ratio); null or absent: the first painting's size. Scaled by ffmpeg (lanczos), up or down. */
  size?: SizeRequest | null;
  /** Include frames dreamed after the picked one (by default a round ends at its pick). */
  allFrames?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { frame: number; total: number; fraction: number; etaMs: number | null }) => void;
}

/** Gathers each round's painting and frames (relative order only; sizes are fixed when staging). */
export async function sessionRounds(dir: string, allFrames = false): Promise<Array<{ painting: string; frames: string[] }>> {
  const m = await readSessionManifest(dir);
  const rounds = [];
  for (const r of m.rounds) {
    const count = await roundFrameCount(dir, r);
    const last = !allFrames && r.picked !== null ? Math.min(r.picked, count - 1) : count - 1;
    rounds.push({ painting: join(dir, r.painting), frames: Array.from({ length: last + 1 }, (_, i) => join(dir, r.dream, frameFileName(i))) });
  }
  return rounds;
}

/** RGB at the video's size: pictures of another size are letterboxed onto black, never distorted. */
async function rgbAt(path: string, width: number, height: number): Promise<Buffer> {
  return sharp(path).resize(width, height, { fit: 'contain', background: { r: 0, g: 0, b: 0 } }).removeAlpha().raw().toBuffer();
}

export async function compileSessionVideo(dir: string, o: SessionVideoOptions): Promise<Awaited<ReturnType<typeof encodeVideo>> & { timeline: { paintings: number; frames: number; crossfades: number } }> {
  const rounds = await sessionRounds(dir, o.allFrames);
  const timeline = sessionTimeline(rounds, { hold: o.hold ?? 1, crossfade: o.crossfade ?? 0 });
  const first = await sharp(rounds[0]!.painting).metadata();
  const { width, height } = first;
  if (!width || !height) throw new ProjectError(dir, `cannot read the size of ${rounds[0]!.painting}.`);
  // A size or format the encoder would refuse is refused now, before any frame is staged.
  planEncode({ out: o.out, ...(o.format ? { format: o.format } : {}), ...(o.fps !== undefined ? { fps: o.fps } : {}), ...(o.quality !== undefined ? { quality: o.quality } : {}), size: o.size ?? null }, { width, height });
  const staging = await mkdtemp(join(tmpdir(), 'reverie-session-video-'));
  try {
    const sizes = new Map<string, boolean>();
    const fits = async (path: string): Promise<boolean> => {
      const key = dirname(path); // a round's frames share one size
      if (!sizes.has(key)) {
        const meta = await sharp(path).metadata().catch(() => {
          throw new ProjectError(dir, `${path} is missing or unreadable; re-render it (reverie resume) before compiling.`);
        });
        sizes.set(key, meta.width === width && meta.height === height);
      }
      return sizes.get(key)!;
    };
    const frames: string[] = [];
    for (const [i, e] of timeline.entries()) {
      o.signal?.throwIfAborted();
      if (e.kind !== 'crossfade' && (await fits(e.path))) {
        frames.push(e.path);
        continue;
      }
      const staged = join(staging, `${String(i).padStart(6, '0')}.png`);
      let rgb: Buffer;
      if (e.kind === 'crossfade') {
        const [a, b] = await Promise.all([rgbAt(e.from, width, height), rgbAt(e.to, width, height)]);
        rgb = Buffer.alloc(a.length);
        for (let k = 0; k < a.length; k++) rgb[k] = Math.round(a[k]! + (b[k]! - a[k]!) * e.t);
      } else {
        rgb = await rgbAt(e.path, width, height);
      }
      await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toFile(staged);
      frames.push(staged);
    }
    const result = await encodeVideo({
      frames,
      out: o.out,
      ...(o.fps !== undefined ? { fps: o.fps } : {}),
      ...(o.quality !== undefined ? { quality: o.quality } : {}),
      ...(o.format ? { format: o.format } : {}),
      size: o.size ?? null,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    const count = (k: TimelineEntry['kind']): number => timeline.filter((e) => e.kind === k).length;
    return { ...result, timeline: { paintings: count('painting'), frames: count('frame'), crossfades: count('crossfade') } };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
