// One gradient pool per host, started when a job first needs one and kept for the next jobs (each
// worker loads its own model copy, so starting a pool costs about a model load).
import type { BackendChoice } from '../backend.ts';
import { GradientPool } from './gradientPool.ts';
import { chooseLayout, tilesPerStep, type ParallelLayout } from './layout.ts';

export interface PoolSpec {
  /** The model every worker loads: the one the host dreams with. */
  model: string;
  backend: BackendChoice;
  cacheDir?: string;
  /** Overrides the layout's worker count (the CLI's --workers). */
  workers?: number;
  cores?: number;
}

export class PoolKeeper {
  private pool: GradientPool | undefined;
  private starting: Promise<GradientPool> | undefined;

  constructor(private readonly spec: PoolSpec) {}

  /** The pool kept now, if any. */
  get current(): GradientPool | undefined {
    return this.pool;
  }

  /** The layout for a job on an image of this size with this recipe. */
  layoutFor(width: number, height: number, tileSize: number): ParallelLayout {
    return this.layoutForUnits(tilesPerStep(width, height, tileSize));
  }

  /** A pool for this job when its layout wants workers; undefined when its tiles run in this thread. */
  forJob(width: number, height: number, tileSize: number): Promise<GradientPool | undefined> {
    return this.forLayout(this.layoutFor(width, height, tileSize));
  }

  /** The layout for `units` independent gradients per step (a batch of feature images), by the same rule as tiles. */
  layoutForUnits(units: number): ParallelLayout {
    return chooseLayout(units, { ...(this.spec.workers !== undefined ? { workers: this.spec.workers } : {}), ...(this.spec.cores !== undefined ? { cores: this.spec.cores } : {}) });
  }

  /** A pool for `units` gradients per step (visualizeMany's batch), or undefined where they run in this thread. */
  forUnits(units: number): Promise<GradientPool | undefined> {
    return this.forLayout(this.layoutForUnits(units));
  }

  private async forLayout(layout: ParallelLayout): Promise<GradientPool | undefined> {
    if (layout.workers === 0) return undefined;
    const current = this.pool ?? (await this.starting?.catch(() => undefined));
    if (current && !current.isClosed && current.size === layout.workers) return current;
    await this.close();
    this.starting = GradientPool.start({ size: layout.workers, threadsPerTile: layout.threadsPerTile, model: this.spec.model, backend: this.spec.backend, ...(this.spec.cacheDir ? { cacheDir: this.spec.cacheDir } : {}) });
    try {
      this.pool = await this.starting;
    } finally {
      this.starting = undefined;
    }
    return this.pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }
}
