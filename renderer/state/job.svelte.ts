// Follows one host job from start to its end: phase, queue position, progress with ETA and the
// live preview. Dream uses it now; Zoom renders and ping-pong rounds will follow jobs the same way.
import type { ErrorInfo, GalleryItem, JobProgress, JobState, JobTicket } from '../../contract/types.ts';
import { formatEta } from '../lib/format.ts';

export type JobPhase = 'idle' | 'starting' | 'queued' | 'running' | 'cancelling';

export interface JobOutcome {
  done(item: GalleryItem): void;
  failed(error: ErrorInfo): void;
  cancelled(): void;
}

export class JobFollower {
  phase = $state<JobPhase>('idle');
  jobId = $state<string | null>(null);
  position = $state(0);
  progress = $state<JobProgress | null>(null);
  preview = $state<string | null>(null);
  previewCount = $state(0);
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
      return;
    }
    if (event.state === 'queued') this.position = event.position;
    else if (event.state === 'running') {
      if (this.phase !== 'cancelling') this.phase = 'running';
    } else {
      this.phase = 'idle';
      this.jobId = null;
      if (event.state === 'done') this.outcome.done(event.item);
      else if (event.state === 'failed') this.outcome.failed(event.error);
      else this.outcome.cancelled();
    }
  }
}
