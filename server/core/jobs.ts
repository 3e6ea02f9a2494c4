// The job queue: jobs run one at a time on the engine, in order; queued ones can be cancelled
// before they start, the running one between steps. Every change is reported as a contract event.
import { randomBytes } from 'node:crypto';
import type { HostEvent } from '../../contract/channels.ts';
import type { GalleryItem, JobKind, JobState, JobTicket } from '../../contract/types.ts';
import { JobCancelledError, type Engine } from './engine.ts';
import type { DoneMessage, DreamJobSpec, ProgressMessage } from './protocol.ts';
import { errorInfo } from './protocol.ts';

interface Job {
  jobId: string;
  kind: JobKind;
  spec: DreamJobSpec;
  state: 'queued' | 'running';
}

export type FinishJob = (spec: DreamJobSpec, done: DoneMessage) => Promise<GalleryItem>;

export function progressLabel(p: ProgressMessage): string {
  return `octave ${p.octave + 1}/${p.octaves} · step ${p.step + 1}/${p.steps} · ${p.width}×${p.height}`;
}

export class JobQueue {
  private readonly jobs: Job[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly finish: FinishJob,
    private readonly emit: (event: HostEvent) => void,
  ) {}

  enqueue(kind: JobKind, spec: Omit<DreamJobSpec, 'jobId'>): JobTicket {
    const jobId = `job-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const job: Job = { jobId, kind, spec: { ...spec, jobId }, state: 'queued' };
    this.jobs.push(job);
    const position = this.jobs.length - 1;
    this.emit({ channel: 'job.state', payload: { jobId, kind, state: 'queued', position } });
    this.pump();
    return { jobId, position };
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.find((j) => j.jobId === jobId);
    if (!job) return false;
    if (job.state === 'running') {
      this.engine.cancel(jobId);
      return true;
    }
    this.jobs.splice(this.jobs.indexOf(job), 1);
    this.emit({ channel: 'job.state', payload: { jobId, kind: job.kind, state: 'cancelled' } });
    this.reportPositions();
    return true;
  }

  list(): JobState[] {
    return this.jobs.map((j, position) => (j.state === 'running' ? { jobId: j.jobId, kind: j.kind, state: 'running' } : { jobId: j.jobId, kind: j.kind, state: 'queued', position }));
  }

  /** True while any job is queued or running (hosts keep the machine awake meanwhile). */
  get busy(): boolean {
    return this.jobs.length > 0;
  }

  private reportPositions(): void {
    for (const [position, j] of this.jobs.entries()) {
      if (j.state === 'queued') this.emit({ channel: 'job.state', payload: { jobId: j.jobId, kind: j.kind, state: 'queued', position } });
    }
  }

  private pump(): void {
    const job = this.jobs[0];
    if (!job || job.state === 'running') return;
    job.state = 'running';
    const { jobId, kind } = job;
    this.emit({ channel: 'job.state', payload: { jobId, kind, state: 'running' } });
    void this.engine
      .run(job.spec, (p) => {
        const preview = p.preview ? `data:image/jpeg;base64,${Buffer.from(p.preview).toString('base64')}` : undefined;
        this.emit({
          channel: 'job.progress',
          payload: { jobId, kind, done: p.done, total: p.total, label: progressLabel(p), elapsedMs: p.elapsedMs, etaMs: p.etaMs, ...(preview ? { preview } : {}) },
        });
      })
      .then((done) => this.finish(job.spec, done))
      .then(
        (item): HostEvent[] => [
          { channel: 'job.state', payload: { jobId, kind, state: 'done', item } },
          { channel: 'gallery.changed', payload: {} },
        ],
        (err: unknown): HostEvent[] => [
          { channel: 'job.state', payload: err instanceof JobCancelledError ? { jobId, kind, state: 'cancelled' } : { jobId, kind, state: 'failed', error: errorInfo(err) } },
        ],
      )
      .then((outcome) => {
        // Off the list first, so whoever hears the outcome sees the queue as it now is.
        this.jobs.splice(this.jobs.indexOf(job), 1);
        for (const event of outcome) this.emit(event);
        this.reportPositions();
        this.pump();
      });
  }
}
