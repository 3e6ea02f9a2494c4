// The preload Electron actually loads is a bundle: build it for real and run it in a bare VM
// context (as a sandboxed preload runs) to check what it exposes and what it requires.
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { channels } from '../contract/channels.ts';
import { WINDOW_BRIDGE_KEY, WINDOW_FRAME_CHANNEL } from '../contract/windowIpc.ts';
import { buildPreload } from '../main/build.ts';
import { tempDir } from './appHelpers.ts';

describe('preload bundle', () => {
  it("is one CommonJS file that requires only electron and exposes one method per channel, and the window device's frames", async () => {
    const out = await buildPreload(join(await tempDir('preload'), 'preload'));
    const code = await readFile(out, 'utf8');
    const required: string[] = [];
    const exposed = new Map<string, Record<string, unknown>>();
    const invoked: string[] = [];
    const sent: Array<[string, unknown]> = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
      ipcRenderer: { invoke: async (channel: string) => (invoked.push(channel), { ok: true, value: null }), send: (channel: string, payload: unknown) => sent.push([channel, payload]), on: () => undefined, removeListener: () => undefined },
    };
    const module = { exports: {} };
    runInNewContext(code, {
      module,
      exports: module.exports,
      require: (id: string) => {
        required.push(id);
        if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
        return electron;
      },
    });
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['reverie', WINDOW_BRIDGE_KEY]);
    const api = exposed.get('reverie')!;
    expect(Object.keys(api).sort()).toEqual([...channels].sort());
    await (api['dream.start'] as (r: unknown) => Promise<unknown>)({});
    expect(invoked).toEqual(['dream.start']);
    const windowBridge = exposed.get(WINDOW_BRIDGE_KEY)!;
    expect(Object.keys(windowBridge).sort()).toEqual(['listen', 'send']);
    (windowBridge['send'] as (frame: unknown) => void)(new Uint8Array([1, 2]));
    (windowBridge['send'] as (frame: unknown) => void)('not a frame');
    expect(sent).toEqual([[WINDOW_FRAME_CHANNEL, new Uint8Array([1, 2])]]);
  });
});
