// What this machine offers for dream steps (`reverie devices`, the Settings panel, the bench): the
// CPU with its threads, then each onnxruntime provider with the adapter it found or why it cannot
// run, and the time of one real gradient step on each device that can.
import * as tf from '@tensorflow/tfjs-core';
import type { DreamModel } from '../shared/model.ts';
import { layerMean, sum } from '../objectives/objective.ts';
import type { GpuAdapter } from './adapters.ts';
import { defaultOrtThreads, ortRuntime } from './ort.ts';
import { probeProvider } from './probe.ts';
import { providerPresence, providerSpec, type DeviceName } from './providers.ts';
import type { RouteName } from './route.ts';

export interface DeviceEntry {
  device: DeviceName;
  /** Whether a dream can run here with --device NAME. */
  available: boolean;
  /** Why not, when unavailable ("no GPU present (no Vulkan driver installed)"). */
  why?: string;
  adapter: GpuAdapter | null;
  /** A CPU rasteriser posing as a GPU: usable when named, never picked by auto. */
  software: boolean;
  /** CPU threads (the cpu entry). */
  threads?: number;
  /** Milliseconds to load and run a tiny convolution on the provider (whether it really runs). */
  probeMs?: number;
  /** One gradient step: the first (compiles the session and, on GPUs, the shaders) and the next. */
  firstStepMs?: number;
  stepMs?: number;
  /** The route that ran the timed steps: anything but the device itself is a fallback, reported as such. */
  ranOn?: RouteName;
  error?: string;
}

const ALL: readonly DeviceName[] = ['cpu', 'webgpu', 'dml', 'coreml', 'cuda'];

/** The choices for a settings panel, without running anything: what each device would use here. */
export function deviceOptions(): Array<{ choice: 'auto' | DeviceName; available: boolean; note: string }> {
  const rt = ortRuntime();
  const bundled = new Set(rt?.providers.keys() ? [...rt.providers.keys()] : []);
  const rows = ALL.map((device) => {
    if (!rt) return { choice: device, available: false, note: 'onnxruntime-node is not installed' };
    const p = providerPresence(device, bundled);
    const note = !p.present ? (p.missing ?? 'not available') : device === 'cpu' ? `${defaultOrtThreads()} threads` : `${p.adapter?.name ?? 'GPU'}${p.adapter?.software ? ' (software GPU, slower than the CPU)' : ''}`;
    return { choice: device, available: p.present, note };
  });
  return [{ choice: 'auto', available: true, note: 'a real GPU when one answers, else the CPU; never a software GPU' }, ...rows];
}

/** Every device with its presence here; a provider that is present gets a tiny probe run. */
export function listDevices(): DeviceEntry[] {
  const rt = ortRuntime();
  const bundled = new Set(rt?.providers.keys() ?? []);
  return ALL.map((device) => {
    if (!rt) return { device, available: false, why: 'onnxruntime-node is not installed or does not load here', adapter: null, software: false };
    const presence = providerPresence(device, bundled);
    const entry: DeviceEntry = { device, available: presence.present, adapter: presence.adapter, software: presence.adapter?.software ?? false };
    if (device === 'cpu') entry.threads = defaultOrtThreads();
    if (!presence.present) return { ...entry, why: presence.missing ?? 'not available' };
    try {
      entry.probeMs = Math.round(probeProvider(providerSpec(device), defaultOrtThreads()));
    } catch (err) {
      return { ...entry, available: false, why: `the provider did not run: ${(err as Error).message.split('\n')[0]}` };
    }
    return entry;
  });
}

/**
 * Times gradient steps (mixed3+mixed5-like: the model's objective over `layers`) on one device:
 * the first step and the median of the rest. Leaves the model on that device.
 */
export function timeSteps(model: DreamModel, device: DeviceName, size: number, layers: readonly string[], steps = 2): { firstStepMs: number; stepMs: number; ranOn: RouteName } {
  if (!model.useDevice || !model.device) throw new Error(`${model.id} has no native routes to time`);
  model.useDevice({ device });
  const objective = sum(...layers.map(layerMean));
  const x = tf.tidy(() => tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 7)) as tf.Tensor4D;
  const times: number[] = [];
  try {
    for (let i = 0; i < Math.max(2, steps); i++) {
      const started = performance.now();
      model.valueAndGradient(x, objective.layers, objective.fn).gradient.dispose();
      times.push(performance.now() - started);
    }
  } finally {
    x.dispose();
  }
  const rest = times.slice(1).sort((a, b) => a - b);
  return { firstStepMs: Math.round(times[0]!), stepMs: Math.round(rest[Math.floor(rest.length / 2)]!), ranOn: model.device.device };
}
