// Browser mode's transport: invokes are POST /api/<channel> (wire JSON), events arrive on one
// WebSocket that reconnects with backoff. The session credential rides in a header (calls) or a
// subprotocol (the socket), never in a cookie or a URL.
import type { Envelope, Transport } from '../../contract/api.ts';
import type { EventChannel, HostEvent, InvokeChannel } from '../../contract/channels.ts';
import { fromWire, toWire } from '../../contract/wire.ts';
import { EVENTS_PROTOCOL, SESSION_HEADER, SESSION_PROTOCOL_PREFIX } from '../../contract/browserAuth.ts';

/** closed: nothing answers (stopped, or now at another address); refused: a server answers but no longer knows this tab (restarted with a new token). */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'refused';

export interface HttpDeps {
  fetch: typeof fetch;
  WebSocket: typeof WebSocket;
  setTimeout: (fn: () => void, ms: number) => unknown;
}

export class HttpTransport implements Transport {
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private socket: WebSocket | null = null;
  private retryMs = 500;
  private everOpened = false;
  /** The last answer was a refusal of this tab's credentials. */
  private refused = false;
  /** Called on every connection change; `reconnected` after a drop, so state can be refetched. */
  onConnection: (state: ConnectionState, reconnected: boolean) => void = () => undefined;

  constructor(
    private readonly origin: string,
    /** The page's session credential (the window device's socket and model files use it too). */
    readonly session: string | null,
    private readonly deps: HttpDeps = { fetch: globalThis.fetch.bind(globalThis), WebSocket: globalThis.WebSocket, setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms) },
  ) {}

  async invoke(channel: InvokeChannel, request: unknown): Promise<Envelope<unknown>> {
    let text: string;
    let status: number;
    try {
      const res = await this.deps.fetch(`${this.origin}/api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.session ? { [SESSION_HEADER]: this.session } : {}) },
        body: toWire(request),
        credentials: 'same-origin',
      });
      status = res.status;
      this.refused = status === 401 || status === 403;
      text = await res.text();
    } catch {
      return { ok: false, error: { name: 'ConnectionError', message: 'Reverie is not answering. Is the server (npm start) still running?' } };
    }
    try {
      return fromWire(text) as Envelope<unknown>;
    } catch {
      return { ok: false, error: { name: 'ConnectionError', message: text.trim() || `The server answered HTTP ${status}.` } };
    }
  }

  /** After a drop: is the server gone, or there but refusing this tab (a restart with a new token)? */
  private async probe(): Promise<void> {
    await this.invoke('app.info', {});
    if (this.refused && !this.socket) this.onConnection('refused', false);
  }

  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    this.connect();
    return () => set.delete(listener);
  }

  private connect(): void {
    if (this.socket) return;
    const protocols = [EVENTS_PROTOCOL, ...(this.session ? [`${SESSION_PROTOCOL_PREFIX}${this.session}`] : [])];
    const ws = new this.deps.WebSocket(`${this.origin.replace(/^http/, 'ws')}/api/events`, protocols);
    this.socket = ws;
    this.onConnection('connecting', false);
    ws.onopen = () => {
      this.retryMs = 500;
      this.refused = false;
      this.onConnection('open', this.everOpened);
      this.everOpened = true;
    };
    ws.onmessage = (message: MessageEvent) => {
      const event = fromWire(String(message.data)) as HostEvent;
      for (const listener of this.listeners.get(event.channel) ?? []) listener(event.payload);
    };
    ws.onclose = () => {
      this.socket = null;
      // Once a refusal is known it stays said until a socket opens again (no flicker between the two).
      this.onConnection(this.refused ? 'refused' : 'closed', false);
      void this.probe();
      this.deps.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }
}
