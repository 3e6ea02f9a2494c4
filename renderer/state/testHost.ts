// For the renderer's unit tests: the real contract API over an in-memory transport whose handlers
// a test scripts, with a way to push host events. No network, no DOM.
import { buildApi, type Envelope } from '../../contract/api.ts';
import type { EventChannel, HostEvent, InvokeChannel, RequestOf, ResponseOf, ReverieApi } from '../../contract/channels.ts';

export type Script = { [C in InvokeChannel]?: (request: RequestOf<C>) => ResponseOf<C> | Promise<ResponseOf<C>> };

export interface TestHost {
  api: ReverieApi;
  calls: Array<{ channel: InvokeChannel; request: unknown }>;
  emit(event: HostEvent): void;
}

export function testHost(script: Script): TestHost {
  const calls: TestHost['calls'] = [];
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const api = buildApi({
    invoke: async (channel, request): Promise<Envelope<unknown>> => {
      calls.push({ channel, request });
      const handler = script[channel] as ((r: unknown) => unknown) | undefined;
      if (!handler) return { ok: false, error: { name: 'NotScripted', message: `${channel} is not scripted in this test` } };
      try {
        return { ok: true, value: await handler(request) };
      } catch (err) {
        const e = err as Error;
        return { ok: false, error: { name: e.name, message: e.message } };
      }
    },
    subscribe: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set.add(listener));
      return () => set.delete(listener);
    },
  });
  return { api, calls, emit: (event) => listeners.get(event.channel)?.forEach((l) => l(event.payload)) };
}

export function failure(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}
