// The engine thread's side of the "window" device: tiles go to the host (and on to the app window's
// GPU worker) through the engine's port; a tile the window cannot compute (window closed or reloaded,
// GPU context lost, a failed tile, no window open) is computed here on the CPU route instead, and
// every later tile of the job stays here. Nothing is lost: the dream waits for each tile either way.
import type { GpuAdapter } from '../engine/shared/device.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import type { Objective } from '../engine/objectives/objective.ts';
import type { ObjectiveTerms } from '../engine/parallel/protocol.ts';
import { termsObjectives, tileGradient, type TileGradient } from '../engine/render/tileStep.ts';
import type { WindowBackend, WindowTerms } from '../engine/windowDevice/protocol.ts';
import { classLogit } from '../engine/model/classes.ts';
import { targetKey, type FeatureTarget } from '../engine/objectives/featureTarget.ts';
import { backendWords, type WindowBackendChoice } from '../engine/windowDevice/choice.ts';
import type { EngineMessage, WindowTileReply } from './protocol.ts';

type Answer = Extract<WindowTileReply, { ok: true }>;

/** The engine's accelerator text on the window device: where steps go, and what stands behind. */
export function windowAccelerator(cpu: string | null, choice: WindowBackendChoice): string {
  const gpu = choice === 'auto' ? 'WebGPU or WebGL2, a hardware GPU only' : backendWords[choice];
  return `the app window's GPU (${gpu}), ${cpu ?? 'the CPU'} when no window can`;
}

/** Matches the host's answers to the tiles this engine sent. */
export class WindowTileClient {
  private readonly pending = new Map<number, { resolve(a: Answer): void; reject(err: Error): void }>();
  private nextId = 1;

  /** `choice`: the window backend the Device setting asks for (the host picks it on the page). */
  constructor(
    private readonly post: (message: EngineMessage) => void,
    readonly choice: WindowBackendChoice = 'auto',
  ) {}

  request(pixels: Float32Array, height: number, width: number, terms: WindowTerms): Promise<Answer> {
    const tileId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(tileId, { resolve, reject });
      // Copied, not transferred: the CPU route needs the pixels if the window fails.
      this.post({ type: 'window-tile', tileId, height, width, terms, pixels });
    });
  }

  receive(reply: WindowTileReply): void {
    const p = this.pending.get(reply.tileId);
    this.pending.delete(reply.tileId);
    if (reply.ok) p?.resolve(reply);
    else p?.reject(new Error(reply.message));
  }
}

/** One job's tile source on the window device, with the CPU route behind it. */
export class WindowTileSource {
  windowTiles = 0;
  cpuTiles = 0;
  /** Why the job left the window, once it has. */
  fallback: string | null = null;
  ranOn: { backend: WindowBackend; adapter: GpuAdapter } | null = null;
  /** The counts when the latest frame began (a zoom records each frame's device apart). */
  private frameStart = { window: 0, cpu: 0 };
  /** Feature images' tiles by where they ran, by target. */
  private readonly features = new Map<string, { window: number; cpu: number }>();
  /** The CPU route's objectives, built once per terms (its seeds carry over between fallback tiles). */
  private readonly objectiveOf: (terms: ObjectiveTerms) => Objective;

  constructor(
    private readonly client: WindowTileClient,
    private readonly model: DreamModel,
    private readonly onFallback: (reason: string) => void,
  ) {
    this.objectiveOf = termsObjectives(model);
  }

  /** The route of the latest tile, as the job reports it. */
  get lastRoute(): 'window' | 'onnxruntime' | 'tfjs' {
    return this.cpuTiles > 0 ? (this.model.lastRoute ?? 'tfjs') : 'window';
  }

  /** The terms as the window takes them: class names resolved to logits here, where the labels are. */
  private windowTerms(terms: ObjectiveTerms): WindowTerms {
    if (terms.feature) return { layers: [], channels: [], feature: terms.feature };
    const { classes, ...rest } = terms;
    return classes?.length ? { ...rest, logits: classes.map((c) => classLogit(this.model, c.name, c.weight)) } : rest;
  }

  /** Where one feature image's tiles ran so far: its cache key (inspect/cache.ts) is where it was computed. */
  featureDevice(target: FeatureTarget): 'window' | 'cpu' | 'window+cpu' | null {
    const t = this.features.get(targetKey(target));
    if (!t) return null;
    return t.cpu === 0 ? 'window' : t.window === 0 ? 'cpu' : 'window+cpu';
  }

  private count(terms: ObjectiveTerms, where: 'window' | 'cpu'): void {
    if (!terms.feature) return;
    const key = targetKey(terms.feature);
    const t = this.features.get(key) ?? { window: 0, cpu: 0 };
    t[where]++;
    this.features.set(key, t);
  }

  async gradient(pixels: Float32Array, height: number, width: number, terms: ObjectiveTerms): Promise<TileGradient> {
    if (this.fallback === null) {
      try {
        const r = await this.client.request(pixels, height, width, this.windowTerms(terms));
        this.windowTiles++;
        this.count(terms, 'window');
        this.ranOn = { backend: r.backend, adapter: r.adapter };
        return { value: r.value, gradient: r.gradient };
      } catch (err) {
        if (this.fallback === null) {
          this.fallback = (err as Error).message;
          this.onFallback(this.fallback);
        }
      }
    }
    this.cpuTiles++;
    this.count(terms, 'cpu');
    return tileGradient(this.model, pixels, height, width, this.objectiveOf(terms));
  }

  /** Where the tiles since the previous call ran (one zoom frame's), as describe() words them; the next frame starts counting. */
  frameDevice(): { device: string; deviceLabel: string; softwareGpu?: true } {
    const now = { window: this.windowTiles, cpu: this.cpuTiles };
    const described = this.describe({ window: now.window - this.frameStart.window, cpu: now.cpu - this.frameStart.cpu });
    this.frameStart = now;
    return described;
  }

  /** Where the job's steps ran (or `tiles`' share of them), in words: the device the metadata and the gallery record. */
  describe(tiles = { window: this.windowTiles, cpu: this.cpuTiles }): { device: string; deviceLabel: string; softwareGpu?: true } {
    const gpu = this.ranOn ? `the app window's ${this.ranOn.backend} on ${this.ranOn.adapter.name}${this.ranOn.adapter.software ? ', software GPU' : ''}` : "the app window's GPU";
    const cpu = this.model.device?.label ?? 'the CPU route';
    if (tiles.cpu === 0) return { device: 'window', deviceLabel: gpu, ...(this.ranOn?.adapter.software ? { softwareGpu: true as const } : {}) };
    if (tiles.window === 0) return { device: this.model.device?.device ?? 'cpu', deviceLabel: `${cpu} (the window could not: ${this.fallback})` };
    const count = (n: number): string => `${n} tile${n === 1 ? '' : 's'}`;
    return { device: 'window+cpu', deviceLabel: `${gpu} for ${count(tiles.window)}, then ${cpu} for ${count(tiles.cpu)} (${this.fallback})` };
  }
}

/**
 * A job's route on the window device (dreams, zoom frames, session rounds alike): its tile source, the
 * badge told the window now and the CPU route when the window stops, and the progress label's note.
 */
export function openWindowRoute(client: WindowTileClient, model: DreamModel, onDevice?: (device: string, accelerator: string | null) => void): { tiles: WindowTileSource; where(): string } {
  const cpu = model.accelerator ?? null;
  let where = " · on the window's GPU";
  const tiles = new WindowTileSource(client, model, (reason) => {
    where = ` · on the CPU (the window device stopped: ${reason})`;
    onDevice?.(model.device?.device ?? 'cpu', `${cpu ?? 'the CPU'} (the window device stopped: ${reason})`);
  });
  // Each job tries the window afresh: the badge says so again after an earlier job fell back.
  onDevice?.('window', windowAccelerator(cpu, client.choice));
  return { tiles, where: () => where };
}
