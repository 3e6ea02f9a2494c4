// `reverie dream` on both gradient routes: onnxruntime-node by default where it loads, the tfjs
// executor with REVERIE_ONNX=0. Each says which ran, and both dream the same picture nearly alike.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, writeTestImage } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-accel-'));
  await writeTestImage(join(dir, 'in.png'), 96, 80);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function dreamWith(env: Record<string, string>, out: string): Promise<{ code: number; events: Array<Record<string, unknown>> }> {
  const args = [BIN, 'dream', join(dir, 'in.png'), '-o', join(dir, out), '--steps', '3', '--octaves', '1', '--seed', '5', '--json'];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { ...process.env, ...env }, timeout: 300_000 }, (err, stdout) => {
      const events = stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code: err ? 1 : 0, events });
    });
  });
}

async function pixels(name: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(join(dir, name)).removeAlpha().raw().toBuffer());
}

describe('gradient routes in the CLI', () => {
  it('runs onnxruntime by default, tfjs alone with REVERIE_ONNX=0, and both dream the picture alike', async () => {
    const native = await dreamWith({}, 'native.png');
    const tfjs = await dreamWith({ REVERIE_ONNX: '0' }, 'tfjs.png');
    expect(native.code).toBe(0);
    expect(tfjs.code).toBe(0);
    const modelEvent = (r: typeof native) => r.events.find((e) => e['type'] === 'model')!;
    expect(String(modelEvent(native)['accelerator'])).toMatch(/^onnxruntime-node /);
    expect(modelEvent(tfjs)['accelerator']).toBeNull();
    // The route the steps actually ran on, not just the one on offer: a silent fallback fails here.
    const doneEvent = (r: typeof native) => r.events.find((e) => e['type'] === 'done')!;
    expect(doneEvent(native)['route']).toBe('onnxruntime');
    expect(doneEvent(tfjs)['route']).toBe('tfjs');

    const [a, b, input] = await Promise.all([pixels('native.png'), pixels('tfjs.png'), sharp(join(dir, 'in.png')).removeAlpha().raw().toBuffer()]);
    let changed = 0;
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
      changed += Math.abs(a[i]! - input[i]!);
      diff += Math.abs(a[i]! - b[i]!);
    }
    // The dream moved pixels by several levels on average; the routes differ by float rounding only.
    expect(changed / a.length).toBeGreaterThan(2);
    expect(diff / a.length).toBeLessThan(0.5);
  });
});
