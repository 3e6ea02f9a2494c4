// `reverie devices`: what this machine offers for dream steps, with a probe and a timed step each;
// `--fetch-cuda` installs onnxruntime's CUDA provider where that is possible.
import { parseArgs } from 'node:util';
import { initBackend } from '../../engine/backend.ts';
import { listDevices, timeSteps, type DeviceEntry } from '../../engine/accel/devices.ts';
import { GPU_PREFERENCE } from '../../engine/accel/providers.ts';
import { fetchCudaProvider } from '../../engine/accel/fetchCuda.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import { UsageError } from '../shared.ts';

export const devicesHelp = `reverie devices [--size PX] [--no-step] [--json]
reverie devices --fetch-cuda

Lists where dream steps can run: the CPU (onnxruntime on every core), WebGPU (Vulkan on Linux,
D3D12 on Windows, Metal on macOS), DirectML (Windows), CoreML (macOS) and CUDA (Linux, once fetched),
each with the adapter it found or why it cannot run, and the time of one gradient step (mixed3+mixed5)
at --size PX (default 128) on each device that can. Software GPUs (SwiftShader, llvmpipe/lavapipe,
Microsoft Basic Render) are marked: "--device auto" never picks them, naming them uses them.
  --no-step     skip the timed steps (the provider probe still runs)
  --fetch-cuda  download onnxruntime-node's CUDA 12 provider (Linux x64, needs the internet,
                an NVIDIA driver and CUDA 12); fails cleanly offline`;

function line(e: DeviceEntry): string {
  const name = e.device.padEnd(7);
  if (!e.available) return `  ${name} -  ${e.why ?? 'not available'}`;
  const what = e.device === 'cpu' ? `${e.threads} thread${e.threads === 1 ? '' : 's'}` : `${e.adapter?.name ?? 'GPU'}${e.software ? ' (software GPU: slower than the CPU, never picked by auto)' : ''}`;
  const step = e.stepMs !== undefined ? `, step ${e.stepMs} ms (first ${e.firstStepMs} ms)` : '';
  const fell = e.ranOn && e.ranOn !== e.device ? `, FELL BACK to ${e.ranOn}` : '';
  const err = e.error ? `, step failed: ${e.error}` : '';
  return `  ${name} ok ${what}; probe ${e.probeMs} ms${step}${fell}${err}`;
}

export async function devicesCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { size: { type: 'string' }, 'no-step': { type: 'boolean' }, json: { type: 'boolean' }, 'fetch-cuda': { type: 'boolean' } } });
  if (values['fetch-cuda']) {
    const library = await fetchCudaProvider();
    process.stdout.write(`CUDA provider installed: ${library}\nCheck it with: reverie devices\n`);
    return;
  }
  const size = Number(values.size ?? 128);
  if (!Number.isInteger(size) || size < 75) throw new UsageError(`--size expects a whole number of pixels from 75, got "${values.size}".`);
  const entries = listDevices();
  if (!values['no-step'] && entries.some((e) => e.available)) {
    await initBackend('auto');
    const model = await loadDreamModel('inception_v3');
    try {
      for (const e of entries.filter((x) => x.available)) {
        try {
          Object.assign(e, timeSteps(model, e.device, size, ['mixed3', 'mixed5']));
        } catch (err) {
          e.error = (err as Error).message.split('\n')[0]!;
        }
      }
    } finally {
      model.dispose();
    }
  }
  const gpus = entries.filter((e) => e.device !== 'cpu' && e.available);
  const summary = gpus.length === 0 ? 'No GPU present: dreams run on the CPU.' : gpus.every((e) => e.software) ? 'Only software GPUs: --device auto uses the CPU.' : `--device auto uses ${GPU_PREFERENCE.find((d) => gpus.some((e) => e.device === d && !e.software))}.`;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ size, devices: entries, gpuPresent: gpus.some((e) => !e.software), summary })}\n`);
    return;
  }
  process.stdout.write(`${['Devices for dream steps' + (values['no-step'] ? '' : ` (one step at ${size}x${size}, mixed3+mixed5)`) + ':', ...entries.map(line), summary].join('\n')}\n`);
}
