// Progress and ETA over a zoom run: dreamed frames and tweens cost very different amounts, so each
// kind keeps its own average time per frame.

export interface ZoomProgress {
  /** The output frame being made. */
  frame: number;
  /** Output frames in all, or null when the run goes on until cancelled. */
  frames: number | null;
  kind: 'dream' | 'tween';
  /** Dream steps done in this frame, and their total (0 of 0 for tweens). */
  step: number;
  steps: number;
  /** 0..1 over the whole run, or null when it has no end. */
  fraction: number | null;
  etaMs: number | null;
  elapsedMs: number;
}

export class ZoomClock {
  private readonly started = performance.now();
  private readonly ms = { dream: [0, 0], tween: [0, 0] };

  constructor(
    private readonly frames: number | null,
    private readonly period: number,
  ) {}

  record(kind: 'dream' | 'tween', ms: number): void {
    this.ms[kind][0]! += ms;
    this.ms[kind][1]! += 1;
  }

  progress(frame: number, kind: 'dream' | 'tween', step: number, steps: number): ZoomProgress {
    const within = steps > 0 ? step / steps : 0;
    const elapsedMs = performance.now() - this.started;
    const base = { frame, frames: this.frames, kind, step, steps, elapsedMs };
    if (this.frames === null) return { ...base, fraction: null, etaMs: null };
    const avg = (k: 'dream' | 'tween'): number | null => (this.ms[k][1]! > 0 ? this.ms[k][0]! / this.ms[k][1]! : null);
    let dreams = 0;
    for (let f = frame; f < this.frames; f++) if (f % this.period === 0) dreams++;
    const tweens = this.frames - frame - dreams;
    const dreamMs = avg('dream');
    const tweenMs = avg('tween') ?? 0;
    const etaMs = dreamMs === null && dreams > 0 ? null : (dreamMs ?? 0) * (dreams - (kind === 'dream' ? within : 0)) + tweenMs * tweens;
    return { ...base, fraction: Math.min(1, (frame + within) / this.frames), etaMs };
  }
}
