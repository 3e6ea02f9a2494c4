// Exporting a video of a zoom project or a session: format, frame rate, quality (CRF) and size,
// the export job with progress and cancel, and saving the result (a download in the browser, a
// save dialog in the desktop app). Zoom and Paint each own one.
import type { ReverieApi } from '../../contract/channels.ts';
import type { VideoFile, VideoFormat, VideoOptions } from '../../contract/projects.ts';
import type { JobProgress, JobState, JobTicket } from '../../contract/types.ts';
import { DEFAULT_FPS, DEFAULT_QUALITY, MAX_FPS, QUALITY_RANGE, SIZES, resolveVideoSize, type Size } from '../lib/video.ts';
import { JobFollower } from './job.svelte.ts';
import type { Notices } from './notices.svelte.ts';

export interface ExportDeps {
  api: ReverieApi;
  notices: Notices;
  download(url: string, fileName: string): void;
  /** The project or session exported from (null: nothing to export yet). */
  target(): string | null;
  /** Starts the host job for these options. */
  begin(id: string, options: VideoOptions, extra: { crossfade: number; hold: number }): Promise<JobTicket>;
  /** Told when a video is made (the project now lists it). */
  made?(video: VideoFile): void;
  /** Where given, the size is typed as a width and/or height against these frames' size (null: none yet);
   * otherwise it is picked from the preset SIZES. */
  frameSize?(): Size | null;
}

export class VideoExportState {
  format = $state<VideoFormat>('mp4');
  fps = $state(DEFAULT_FPS);
  crf = $state<number>(DEFAULT_QUALITY.mp4);
  sizeId = $state('frames');
  /** A typed size (with `frameSize`): null sides follow the frames' aspect ratio; both null keeps their size. */
  width = $state<number | null>(null);
  height = $state<number | null>(null);
  /** Sessions only: blended frames at each cut, and how long each painting holds. */
  crossfade = $state(6);
  hold = $state(12);
  last = $state<VideoFile | null>(null);
  /** A video just made and not yet saved or put aside: the stage says so where the eye is. */
  fresh = $state(false);
  readonly job: JobFollower;

  constructor(private readonly deps: ExportDeps) {
    this.job = new JobFollower(
      {
        done: ({ video }) => {
          if (!video) return;
          this.last = video;
          this.fresh = true;
          this.deps.made?.(video);
          this.deps.notices.push('success', 'Video ready', `${video.frames} frames, ${video.durationS.toFixed(1)} s, ${video.width}×${video.height} ${video.format.toUpperCase()}.`);
        },
        failed: (error) => this.deps.notices.failure(error, 'The export failed'),
        cancelled: () => this.deps.notices.push('info', 'Export cancelled', 'No video was written.'),
      },
      (jobId) => this.deps.api['job.cancel']({ jobId }),
    );
  }

  setFormat(format: VideoFormat): void {
    this.format = format;
    if (format !== 'gif') this.crf = DEFAULT_QUALITY[format];
    this.fps = Math.min(this.fps, MAX_FPS[format]);
  }

  get typedSize(): boolean {
    return this.deps.frameSize !== undefined;
  }

  private get askedSize(): VideoOptions['size'] {
    if (!this.typedSize) return SIZES.find((s) => s.id === this.sizeId)?.size ?? null;
    // An emptied number field binds as null (or NaN in some browsers): both mean "not given".
    const side = (v: number | null): number | null => (v === null || Number.isNaN(v) ? null : v);
    const [width, height] = [side(this.width), side(this.height)];
    return width === null && height === null ? null : { width, height };
  }

  /** The video's size as the encoder will make it (null: not known until there are frames), or its problem. */
  get outputSize(): { size: Size } | { problem: string } | null {
    const frame = this.deps.frameSize?.() ?? null;
    const asked = this.askedSize;
    if (!frame) return null;
    if (!asked) return { size: this.format === 'mp4' ? { width: frame.width + (frame.width % 2), height: frame.height + (frame.height % 2) } : frame };
    const resolved = resolveVideoSize(asked, frame, this.format);
    return resolved.ok ? { size: resolved.size } : { problem: resolved.problem };
  }

  get options(): VideoOptions {
    return { format: this.format, fps: this.fps, quality: this.format === 'gif' ? null : this.crf, size: this.askedSize };
  }

  get problems(): string[] {
    const found: string[] = [];
    if (!(this.fps > 0 && this.fps <= MAX_FPS[this.format])) found.push(`The frame rate must be above 0 and at most ${MAX_FPS[this.format]} for ${this.format.toUpperCase()}.`);
    if (this.format !== 'gif') {
      const [best, worst] = QUALITY_RANGE[this.format];
      if (!(Number.isInteger(this.crf) && this.crf >= best && this.crf <= worst)) found.push(`Quality (CRF) must be a whole number from ${best} to ${worst}.`);
    }
    const out = this.outputSize;
    if (out && 'problem' in out) found.push(out.problem);
    return found;
  }

  get canExport(): boolean {
    return this.deps.target() !== null && !this.job.busy && this.problems.length === 0;
  }

  async export(): Promise<void> {
    const id = this.deps.target();
    if (!id || !this.canExport) return;
    this.deps.notices.resolve('The export failed', 'Could not start the export');
    try {
      await this.job.start(() => this.deps.begin(id, this.options, { crossfade: this.crossfade, hold: this.hold }));
    } catch (err) {
      this.deps.notices.error(err, 'Could not start the export');
    }
  }

  async cancel(): Promise<void> {
    await this.job.cancel().catch((err: unknown) => this.deps.notices.error(err, 'Could not cancel'));
  }

  async save(video: VideoFile | null = this.last): Promise<void> {
    const id = this.deps.target();
    if (!video || !id) return;
    this.fresh = false;
    try {
      const outcome = await this.deps.api['video.save']({ id, file: video.file });
      if (outcome.kind === 'download') this.deps.download(outcome.url, outcome.fileName);
      else if (outcome.kind === 'saved') this.deps.notices.push('success', 'Saved', outcome.path);
    } catch (err) {
      this.deps.notices.error(err, 'Could not save the video');
    }
  }

  onEvent(event: JobState | JobProgress): void {
    this.job.onEvent(event);
  }
}
