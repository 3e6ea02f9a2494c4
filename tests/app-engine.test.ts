// The host's engine handle switching models: each restart launches a fresh worker with the new spec
// and stops the old one, whose late messages are ignored; calls in flight fail with a clear error,
// waiters get the new model, and a running job blocks the switch. Links here are scripted message
// pipes (the real worker switch runs in app-models.test.ts).
import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../contract/types.ts';
import { Engine, type EngineLink, type EngineSpec } from '../host/engine.ts';
import type { EngineMessage, HostMessage } from '../host/protocol.ts';

interface ScriptedLink extends EngineLink {
  spec: EngineSpec;
  posted: HostMessage[];
  stopped: boolean;
  send(message: EngineMessage): void;
}

function launcher() {
  const links: ScriptedLink[] = [];
  const launch = (spec: EngineSpec): EngineLink => {
    let handler: (m: EngineMessage) => void = () => undefined;
    const link: ScriptedLink = {
      spec,
      posted: [],
      stopped: false,
      post: (m) => void link.posted.push(m),
      onMessage: (h) => void (handler = h),
      onExit: () => undefined,
      stop: async () => void (link.stopped = true),
      send: (m) => handler(m),
    };
    links.push(link);
    return link;
  };
  return { links, launch };
}

const ready = (modelId: string): EngineMessage => ({ type: 'ready', backend: 'wasm', modelId, loadMs: 5, accelerator: null, layers: [{ name: `${modelId}-layer`, channels: 8, training: 'imagenet' }], classes: { labels: null, reason: 'no head' } });

describe('Engine.restart', () => {
  it('loads the new model in a fresh worker, stops the old one and ignores what it still says', async () => {
    const { links, launch } = launcher();
    const statuses: EngineStatus[] = [];
    const engine = new Engine(launch, { appVersion: 't', previewIntervalMs: 0 }, (s) => statuses.push(s), { model: 'inception_v3', backend: 'wasm', cacheDir: '/cache' });
    engine.start();
    expect(links[0]!.spec).toEqual({ model: 'inception_v3', backend: 'wasm', cacheDir: '/cache' });
    links[0]!.send(ready('inception_v3'));
    const call = engine.call({ op: 'inspect.cached', cache: { dir: '/c', rel: 'c' }, modelId: 'inception_v3', layer: 'mixed3', channels: [1], recipe: { size: 8, steps: 1 } });

    await engine.restart({ ...engine.spec, model: 'mobilenet_v2' });
    await expect(call).rejects.toMatchObject({ name: 'EngineRestartedError' });
    expect(links[0]!.stopped).toBe(true);
    expect(links[1]!.spec).toEqual({ model: 'mobilenet_v2', backend: 'wasm', cacheDir: '/cache' });
    expect(engine.status).toEqual({ state: 'starting', modelId: 'mobilenet_v2' });

    const waiting = engine.whenReady();
    links[0]!.send(ready('inception_v3')); // the old worker, late: not heard
    expect(engine.status.state).toBe('starting');
    links[1]!.send(ready('mobilenet_v2'));
    await waiting;
    expect(engine.status).toMatchObject({ state: 'ready', modelId: 'mobilenet_v2' });
    expect(engine.layers.map((l) => l.name)).toEqual(['mobilenet_v2-layer']);
    expect(statuses.map((s) => `${s.state}:${s.state === 'failed' ? '' : s.modelId}`)).toEqual(['starting:inception_v3', 'ready:inception_v3', 'starting:mobilenet_v2', 'ready:mobilenet_v2']);
  });

  it('is refused while a job runs, and works again once it ends', async () => {
    const { links, launch } = launcher();
    const engine = new Engine(launch, { appVersion: 't', previewIntervalMs: 0 }, () => undefined);
    engine.start();
    links[0]!.send(ready('inception_v3'));
    const job = engine.run({ kind: 'video', jobId: 'j1', source: '/s', out: '/o', options: { format: 'mp4', fps: 24, quality: null, size: null } }, () => undefined);
    expect(engine.busy).toBe(true);
    await expect(engine.restart({ model: 'mobilenet_v2' })).rejects.toMatchObject({ name: 'EngineRestartedError', message: expect.stringMatching(/busy with job j1/) });
    expect(links).toHaveLength(1);
    links[0]!.send({ type: 'done', jobId: 'j1', output: { kind: 'zoom', frames: 1, made: 1 } });
    await job;
    await engine.restart({ model: 'mobilenet_v2' });
    expect(links).toHaveLength(2);
    expect(links[1]!.spec.model).toBe('mobilenet_v2');
  });
});
