// Builds the renderer-facing API from a transport: one method per contract channel and no others.
// Answers travel as envelopes ({ok, value} or {ok, error}) because an Error's type does not survive
// IPC or contextBridge; the renderer side unwraps them into HostError with the original name.
import { channels, contract, type EventChannel, type InvokeChannel, type PayloadOf, type RequestOf, type ResponseOf, type ReverieApi } from './channels.ts';
import type { ErrorInfo } from './types.ts';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** What preload exposes as window.reverie: invoke methods answer envelopes. */
export type BridgeApi = { [C in InvokeChannel]: (request: RequestOf<C>) => Promise<Envelope<ResponseOf<C>>> } & {
  [E in EventChannel]: (listener: (payload: PayloadOf<E>) => void) => () => void;
};

export interface Transport {
  invoke(channel: InvokeChannel, request: unknown): Promise<Envelope<unknown>>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

/** A failure a host reported, with its typed name (RecipeError, UnsupportedImageError, …). */
export class HostError extends Error {
  constructor(
    name: string,
    message: string,
    /** What the user can do about it, where the host's error had a hint. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = name;
  }
}

function build(transport: Transport, unwrap: boolean): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const channel of channels) {
    if (contract[channel].kind === 'invoke') {
      const c = channel as InvokeChannel;
      api[c] = async (request: unknown) => {
        const answer = await transport.invoke(c, request ?? {});
        if (!unwrap) return answer;
        if (answer.ok) return answer.value;
        throw new HostError(answer.error.name, answer.error.message, answer.error.hint);
      };
    } else {
      const e = channel as EventChannel;
      api[e] = (listener: (payload: unknown) => void) => {
        if (typeof listener !== 'function') throw new TypeError(`${e} takes a listener function.`);
        return transport.subscribe(e, listener);
      };
    }
  }
  return Object.freeze(api);
}

/** The renderer's API: answers unwrapped, failures thrown as HostError. */
export function buildApi(transport: Transport): ReverieApi {
  return build(transport, true) as ReverieApi;
}

/** Preload's API: envelopes kept, so nothing but plain data crosses contextBridge. */
export function buildBridge(transport: Transport): BridgeApi {
  return build(transport, false) as BridgeApi;
}

/** The renderer's API over preload's bridge. */
export function apiFromBridge(bridge: BridgeApi): ReverieApi {
  const b = bridge as unknown as Record<string, (arg: unknown) => unknown>;
  return buildApi({
    invoke: (channel, request) => b[channel]!(request) as Promise<Envelope<unknown>>,
    subscribe: (channel, listener) => b[channel]!(listener) as () => void,
  });
}
