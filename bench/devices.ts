// `npm run bench` devices section (or alone: node --import tsx bench/devices.ts [--size 299] [--steps 3]):
// ms per gradient step (mixed3+mixed5) on every device this machine can run, each marked with the
// route that actually ran and whether its GPU is software (SwiftShader, llvmpipe: correctness only).
// A machine with a real GPU reports its figure with the same command. `window` times the app window's
// WebGL2 and WebGPU in Debian's chromium (bench/windowDevices.ts), or says why it could not.
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { listDevices, timeSteps } from '../engine/accel/devices.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { windowDeviceRows } from './windowDevices.ts';

const { values } = parseArgs({ options: { backend: { type: 'string' }, size: { type: 'string' }, steps: { type: 'string' } } });
const size = Number(values.size ?? 299);
const steps = Number(values.steps ?? 3);
await initBackend((values.backend ?? 'auto') as BackendChoice);
const model = await loadDreamModel('inception_v3');
const devices = [];
for (const entry of listDevices()) {
  const row: Record<string, unknown> = { device: entry.device, available: entry.available, software: entry.software, adapter: entry.adapter?.name ?? null };
  if (!entry.available) row['why'] = entry.why;
  else {
    try {
      // steps + 1: the first step compiles the session (and, on GPUs, its shaders) and is reported apart.
      const t = timeSteps(model, entry.device, size, ['mixed3', 'mixed5'], steps + 1);
      Object.assign(row, { stepMs: t.stepMs, firstStepMs: t.firstStepMs, ranOn: t.ranOn, fellBack: t.ranOn !== entry.device });
    } catch (err) {
      row['error'] = (err as Error).message.split('\n')[0];
    }
  }
  if (entry.device === 'cpu') row['threads'] = entry.threads;
  devices.push(row);
}
model.dispose();
const window = await windowDeviceRows(size, steps).catch((err: unknown) => ({ error: (err as Error).message.split('\n')[0] }));
process.stdout.write(`${JSON.stringify({ size, layers: ['mixed3', 'mixed5'], steps, devices, window })}\n`);
