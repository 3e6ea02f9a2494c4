// The window as a device for the host's jobs: each open page attaches a link (the WebSocket in
// browser mode; Electron IPC could carry the same messages), and tiles go to the newest page that
// works, on the backend the Device setting names or the best hardware one the page offers. A page
// that closes, reloads or loses its GPU context fails what it held; one that cannot start a backend
// refuses that backend. The caller (the engine's window tile source) then computes on the CPU route.
import type { GpuAdapter } from '../engine/shared/device.ts';
import type { FromWindow, ToWindow, WindowBackend, WindowTerms } from '../engine/windowDevice/protocol.ts';
import { decodeFrame, encodeFrame } from '../engine/windowDevice/frames.ts';
import { pickWindowBackend, type WindowBackendChoice, type WindowOffers } from '../engine/windowDevice/choice.ts';

/** How the host talks to one page, whatever carries the messages. */
export interface WindowPort {
  send(message: ToWindow): void;
}

export interface WindowTileResult {
  value: number;
  gradient: Float32Array;
  backend: WindowBackend;
  adapter: GpuAdapter;
}

export class WindowDeviceError extends Error {
  override name = 'WindowDeviceError';
}

interface Pending {
  resolve(r: { value: number; gradient: Float32Array; backend: WindowBackend }): void;
  reject(err: Error): void;
}

type Started = { backend: WindowBackend; adapter: GpuAdapter };

class PageLink {
  failed: string | null = null;
  /** The adapters the page said it offers (its first message). */
  offers: WindowOffers | null = null;
  readonly hello: Promise<WindowOffers>;
  private said!: (offers: WindowOffers) => void;
  /** The page's worker as last started: which backend and model, and when it is ready. */
  private ready: { key: string; backend: WindowBackend; done: Promise<Started> } | null = null;
  private starting: { resolve(r: Started): void; reject(err: Error): void } | null = null;
  /** Backends this page refused to start, and why: asked again, they fail at once (another may still start). */
  private readonly refused = new Map<WindowBackend, string>();
  readonly pending = new Map<number, Pending>();
  /** One tile at a time per page: its worker runs them in turn, so each answer's time limit is its own. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(readonly port: WindowPort) {
    this.hello = new Promise((resolve) => (this.said = resolve));
  }

  inTurn<T>(job: () => Promise<T>): Promise<T> {
    const run = this.turn.then(job, job);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** The page's worker on `backend` with the model: started once, again when either changes. */
  start(backend: WindowBackend, modelId: string, modelUrl: string): Promise<Started> {
    const refusal = this.refused.get(backend);
    if (refusal) return Promise.reject(new WindowDeviceError(refusal));
    const key = `${backend}\n${modelId}`;
    if (this.ready?.key !== key) {
      const done = new Promise<Started>((resolve, reject) => {
        this.starting = { resolve, reject };
        this.port.send({ type: 'start', backend, modelUrl, modelId });
      });
      this.ready = { key, backend, done };
    }
    return this.ready.done;
  }

  receive(message: FromWindow): void {
    if (message.type === 'hello') {
      this.offers = { webgl: message.webgl, webgpu: message.webgpu };
      this.said(this.offers);
      this.port.send({ type: 'heard' });
    } else if (message.type === 'ready') {
      this.starting?.resolve({ backend: message.backend, adapter: message.adapter });
      this.starting = null;
    } else if (message.type === 'result') this.take(message.id)?.resolve(message);
    else if (message.id !== null) this.take(message.id)?.reject(new WindowDeviceError(message.message));
    else if (this.starting && this.ready) {
      // The page could not start this backend: that backend is refused here, the page stays usable.
      this.refused.set(this.ready.backend, message.message);
      this.starting.reject(new WindowDeviceError(message.message));
      this.starting = null;
      this.ready = null;
    } else this.fail(message.message);
  }

  /** The page is gone or its device broke: everything it held fails, and it gets no more tiles. */
  fail(reason: string): void {
    this.failed ??= reason;
    this.starting?.reject(new WindowDeviceError(reason));
    this.starting = null;
    for (const p of this.pending.values()) p.reject(new WindowDeviceError(reason));
    this.pending.clear();
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }
}

export class WindowDevice {
  private readonly pages: PageLink[] = [];
  private nextId = 1;

  /**
   * `answerMs`: how long a page may take to start or to answer one tile before it counts as failed
   * (a software GPU takes ~30 s for a 299x299 tile here; a hung page must not hold a dream forever).
   */
  constructor(
    private readonly model: () => { modelId: string; modelUrl: string },
    private readonly answerMs = 300_000,
  ) {}

  /** `work` on `link`, or the link fails (and with it everything it holds) after answerMs. */
  private async inTime<T>(link: PageLink, work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = `The window did not answer within ${Math.round(this.answerMs / 1000)} s.`;
        link.fail(reason);
        reject(new WindowDeviceError(reason));
      }, this.answerMs);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A page connected; the returned handlers take its messages and its end. */
  attach(port: WindowPort): { receive(message: FromWindow): void; closed(): void } {
    const link = new PageLink(port);
    this.pages.push(link);
    return {
      receive: (message) => link.receive(message),
      closed: () => {
        link.fail('The window closed or reloaded.');
        const at = this.pages.indexOf(link);
        if (at >= 0) this.pages.splice(at, 1);
      },
    };
  }

  /** The same over binary frames (browser mode's WebSocket); `receive` is false for a malformed frame. */
  attachFrames(send: (frame: Uint8Array) => void): { receive(frame: Uint8Array): boolean; closed(): void } {
    const link = this.attach({ send: (message) => send(encodeFrame(message)) });
    return {
      receive: (frame) => {
        let message: FromWindow;
        try {
          message = decodeFrame(frame) as FromWindow;
        } catch {
          return false;
        }
        link.receive(message);
        return true;
      },
      closed: link.closed,
    };
  }

  /** What the newest working page offers (the Settings panel's device notes); null when no page said. */
  offers(): WindowOffers | null {
    return this.pages.findLast((p) => !p.failed && p.offers)?.offers ?? null;
  }

  /** Whether a page is open that has not failed. */
  get available(): boolean {
    return this.pages.some((p) => !p.failed);
  }

  /**
   * One tile's gradient on the newest working page, on the backend `choice` names or (auto) the best
   * hardware one it offers; rejects with WindowDeviceError when none can.
   */
  async gradient(pixels: Float32Array, height: number, width: number, terms: WindowTerms, choice: WindowBackendChoice): Promise<WindowTileResult> {
    const link = this.pages.findLast((p) => !p.failed);
    if (!link) throw new WindowDeviceError('No app window is open to compute on.');
    const { modelId, modelUrl } = this.model();
    return link.inTurn(async () => {
      // A page that failed while this tile waited its turn takes no more.
      if (link.failed) throw new WindowDeviceError(link.failed);
      const picked = pickWindowBackend(choice, await this.inTime(link, link.hello));
      if ('refused' in picked) throw new WindowDeviceError(picked.refused);
      const started = await this.inTime(link, link.start(picked.backend, modelId, modelUrl));
      const id = this.nextId++;
      const answer = new Promise<{ value: number; gradient: Float32Array; backend: WindowBackend }>((resolve, reject) => {
        link.pending.set(id, { resolve, reject });
        link.port.send({ type: 'gradient', id, height, width, terms, pixels });
      });
      const result = await this.inTime(link, answer);
      if (result.gradient.length !== height * width * 3) throw new WindowDeviceError(`The window returned ${result.gradient.length} values for a ${width}x${height} tile.`);
      return { ...result, adapter: started.adapter };
    });
  }
}
