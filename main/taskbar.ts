// While jobs run, the taskbar/dock shows their progress and the machine is kept from sleeping;
// both end when the last job finishes, fails or is cancelled.
import type { HostEvent } from '../contract/channels.ts';

export interface ActivitySinks {
  /** 0..1 shows progress, -1 removes the bar (Electron's setProgressBar). */
  setProgress(fraction: number): void;
  preventSleep(): number;
  allowSleep(blockerId: number): void;
}

export class RenderActivity {
  private readonly active = new Set<string>();
  private blocker: number | undefined;

  constructor(private readonly sinks: ActivitySinks) {}

  handle(event: HostEvent): void {
    if (event.channel === 'job.progress') {
      const { done, total } = event.payload;
      if (total > 0) this.sinks.setProgress(Math.min(1, done / total));
      return;
    }
    if (event.channel !== 'job.state') return;
    const { jobId, state } = event.payload;
    if (state === 'queued' || state === 'running') {
      this.active.add(jobId);
      if (this.blocker === undefined) this.blocker = this.sinks.preventSleep();
      if (state === 'running') this.sinks.setProgress(0);
      return;
    }
    this.active.delete(jobId);
    if (this.active.size > 0) return;
    this.sinks.setProgress(-1);
    if (this.blocker !== undefined) this.sinks.allowSleep(this.blocker);
    this.blocker = undefined;
  }
}
