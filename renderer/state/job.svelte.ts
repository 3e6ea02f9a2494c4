// Follows one host job from start to its end: phase, queue position, progress with ETA, the live
// preview and the frames written so far. Every panel's jobs (dreams, zoom renders and previews,
// ping-pong rounds, videos) are followed this way.
import type { ErrorInfo, JobDone, JobProgress, JobState, JobTicket } from '../../contract/types.ts';
import { formatEta } from '../lib/format.ts';

export type JobPhase = 'idle' | 'starting' | 'queued' | 'running' | 'cancelling';

export interface JobOutcome {
  done(result: JobDone): void;
  failed(error: ErrorInfo): void;
  cancelled(): void;
  /** Each frame as it lands, with its index (channel pictures are placed by it). */
  frame?(frame: { index: number; url: string }): void;
  /** Pictures of a batch as they stand (channel grids), by index. */
  tiles?(tiles: Array<{ index: number; preview: string }>): void;
}

export class JobFollower {
  phase = $state<JobPhase>('idle');
  jobId = $state<string | null>(null);
  position = $state(0);
  progress = $state<JobProgress | null>(null);
  preview = $state<string | null>(null);
  previewCount = $state(0);
  /** Frames the job has written so far, in order (zoom renders, previews, ping-pong rounds). */
  frames = $state<string[]>([]);
  /** Events that arrived before the start call answered with their job id. */
  private early: Array<JobState | JobProgress> = [];

  constructor(
    private readonly outcome: JobOutcome,
    private readonly cancelJob: (jobId: string) => Promise<unknown>,
  ) {}

  get busy(): boolean {
    return this.phase !== 'idle';
  }

  get fraction(): number {
    const p = this.progress;
    return p && p.total > 0 ? p.done / p.total : 0;
  }

  get statusText(): string {
    if (this.phase === 'starting') return 'Starting…';
    if (this.phase === 'queued') return this.position > 0 ? `Queued (${this.position} ahead)` : 'Waiting for the engine…';
    if (this.phase === 'cancelling') return 'Cancelling…';
    if (this.phase === 'running') return this.progress ? `${this.progress.label} · ${formatEta(this.progress.etaMs)}` : 'Preparing…';
    return '';
  }

  /** Starts a job through `begin` (the host call); a failure to start is thrown, leaving it idle. */
  async start(begin: () => Promise<JobTicket>): Promise<void> {
    this.phase = 'starting';
    this.jobId = null;
    this.progress = null;
    this.preview = null;
    this.previewCount = 0;
    this.frames = [];
    this.early = [];
    try {
      const ticket = await begin();
      this.jobId = ticket.jobId;
      this.position = ticket.position;
      if (this.phase === 'starting') this.phase = ticket.position > 0 ? 'queued' : 'running';
      for (const e of this.early.splice(0)) this.onEvent(e);
    } catch (err) {
      this.phase = 'idle';
      throw err;
    }
  }

  /** Follows a job started elsewhere (before a reload, or from another panel) from now on. */
  attach(jobId: string): void {
    if (this.busy) return;
    this.jobId = jobId;
    this.phase = 'running';
    this.progress = null;
    this.preview = null;
    this.previewCount = 0;
    this.frames = [];
  }

  async cancel(): Promise<void> {
    if (!this.jobId || this.phase === 'idle' || this.phase === 'cancelling') return;
    this.phase = 'cancelling';
    await this.cancelJob(this.jobId);
  }

  onEvent(event: JobState | JobProgress): void {
    if (this.phase === 'starting' && this.jobId === null) {
      this.early.push(event);
      return;
    }
    if (event.jobId !== this.jobId) return;
    if ('label' in event) {
      this.progress = event;
      if (this.phase === 'queued') this.phase = 'running';
      if (event.preview) {
        this.preview = event.preview;
        this.previewCount++;
      }
      if (event.frame) {
        this.frames = [...this.frames, event.frame.url];
        this.outcome.frame?.(event.frame);
      }
      if (event.tiles) this.outcome.tiles?.(event.tiles);
      return;
    }
    if (event.state === 'queued') this.position = event.position;
    else if (event.state === 'running') {
      if (this.phase !== 'cancelling') this.phase = 'running';
    } else {
      this.phase = 'idle';
      this.jobId = null;
      if (event.state === 'done') this.outcome.done(event);
      else if (event.state === 'failed') this.outcome.failed(event.error);
      else this.outcome.cancelled();
    }
  }
}
