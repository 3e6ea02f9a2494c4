// The job queue: jobs run one at a time on the engine, in order; queued ones can be cancelled
// before they start, the running one between steps. Every change is reported as a contract event.
// A job may name a target (a project or session id): hosts refuse a second job on a busy target.
import { randomBytes } from 'node:crypto';
import type { HostEvent } from '../contract/channels.ts';
import type { JobDone, JobKind, JobProgress, JobState, JobTicket } from '../contract/types.ts';
import { JobCancelledError, type Engine } from './engine.ts';
import type { DoneMessage, JobSpec, ProgressMessage } from './protocol.ts';
import { errorInfo } from './protocol.ts';

type Spec = JobSpec extends infer S ? (S extends JobSpec ? Omit<S, 'jobId'> : never) : never;

interface Job {
  jobId: string;
  spec: JobSpec;
  target: string | null;
  state: 'queued' | 'running';
}

/** What a finished job leaves: its gallery entry and anything else it made (the done event's fields). */
export type FinishJob = (spec: JobSpec, done: DoneMessage, target: string | null) => Promise<Omit<JobDone, 'jobId' | 'kind' | 'state'>>;

export interface QueueHooks {
  finish: FinishJob;
  /** The renderer's view of a progress message (frame files become URLs). */
  progress: (jobId: string, kind: JobKind, p: ProgressMessage) => JobProgress;
}

export class JobQueue {
  private readonly jobs: Job[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly hooks: QueueHooks,
    private readonly emit: (event: HostEvent) => void,
  ) {}

  enqueue(spec: Spec, target: string | null = null): JobTicket {
    const jobId = `job-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const job: Job = { jobId, spec: { ...spec, jobId } as JobSpec, target, state: 'queued' };
    this.jobs.push(job);
    const position = this.jobs.length - 1;
    this.emit({ channel: 'job.state', payload: { jobId, kind: spec.kind, state: 'queued', position } });
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
    this.emit({ channel: 'job.state', payload: { jobId, kind: job.spec.kind, state: 'cancelled' } });
    this.reportPositions();
    return true;
  }

  list(): JobState[] {
    return this.jobs.map((j, position) => (j.state === 'running' ? { jobId: j.jobId, kind: j.spec.kind, state: 'running' } : { jobId: j.jobId, kind: j.spec.kind, state: 'queued', position }));
  }

  /** True while any job is queued or running (hosts keep the machine awake meanwhile). */
  get busy(): boolean {
    return this.jobs.length > 0;
  }

  /** True while a job on this project or session (of one of `kinds`, if given) is queued or running. */
  hasTarget(target: string, kinds?: readonly JobKind[]): boolean {
    return this.jobFor(target, kinds) !== null;
  }

  /** The id of the first job on this target (of one of `kinds`, if given), or null. */
  jobFor(target: string, kinds?: readonly JobKind[]): string | null {
    return this.jobs.find((j) => j.target === target && (!kinds || kinds.includes(j.spec.kind)))?.jobId ?? null;
  }

  private reportPositions(): void {
    for (const [position, j] of this.jobs.entries()) {
      if (j.state === 'queued') this.emit({ channel: 'job.state', payload: { jobId: j.jobId, kind: j.spec.kind, state: 'queued', position } });
    }
  }

  private pump(): void {
    const job = this.jobs[0];
    if (!job || job.state === 'running') return;
    job.state = 'running';
    const { jobId, spec } = job;
    const kind = spec.kind;
    this.emit({ channel: 'job.state', payload: { jobId, kind, state: 'running' } });
    void this.engine
      .run(spec, (p) => this.emit({ channel: 'job.progress', payload: this.hooks.progress(jobId, kind, p) }))
      .then((done) => this.hooks.finish(spec, done, job.target))
      .then(
        (result): HostEvent[] => [
          { channel: 'job.state', payload: { ...result, jobId, kind, state: 'done' } },
          { channel: 'gallery.changed', payload: {} },
        ],
        (err: unknown): HostEvent[] => [
          { channel: 'job.state', payload: err instanceof JobCancelledError ? { jobId, kind, state: 'cancelled' } : { jobId, kind, state: 'failed', error: errorInfo(err) } },
          // A cancelled or failed render still changed its project (frames so far, its status).
          ...(job.target ? [{ channel: 'gallery.changed', payload: {} } as HostEvent] : []),
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
