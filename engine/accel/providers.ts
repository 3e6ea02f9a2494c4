// The devices a dream step can run on and the onnxruntime execution provider behind each: what is
// bundled in the npm package per platform, which adapter it would use, and how to lower the graph for it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CPU_LOWERING, type Lowering } from '../graph/ops/onnx.ts';
import { gpuAdapters } from './adapters.ts';
import type { GpuAdapter } from '../shared/device.ts';

import type { DeviceChoice, DeviceName, ProviderSpec } from '../shared/device.ts';

export type { DeviceChoice, DeviceName, ProviderSpec };
export const deviceChoices: readonly DeviceChoice[] = ['auto', 'cpu', 'webgpu', 'dml', 'coreml', 'cuda'];
/** The order `auto` tries GPUs in: the vendor runtimes first, then WebGPU, then CoreML (partial op coverage). */
export const GPU_PREFERENCE: readonly Exclude<DeviceName, 'cpu'>[] = ['cuda', 'dml', 'webgpu', 'coreml'];

export class DeviceUnavailableError extends Error {
  override name = 'DeviceUnavailableError';
}

/** WebGPU has no MaxPool Indices output and no Sum kernel; GPU providers get the plain-op forms. */
export const GPU_LOWERING: Lowering = { maxPoolIndices: false, variadicSum: false };

export function providerSpec(device: DeviceName): ProviderSpec {
  switch (device) {
    case 'cpu':
      return { device, executionProviders: ['cpu'], lowering: CPU_LOWERING };
    case 'webgpu':
      return { device, executionProviders: [{ name: 'webgpu' }, 'cpu'], lowering: GPU_LOWERING };
    case 'dml':
      return { device, executionProviders: [{ name: 'dml', deviceId: 0 }, 'cpu'], lowering: GPU_LOWERING };
    case 'coreml':
      return { device, executionProviders: [{ name: 'coreml' }, 'cpu'], lowering: GPU_LOWERING };
    case 'cuda':
      return { device, executionProviders: [{ name: 'cuda', deviceId: 0 }, 'cpu'], lowering: GPU_LOWERING };
  }
}

export function parseDevice(text: string, source = '--device'): DeviceChoice {
  if ((deviceChoices as readonly string[]).includes(text)) return text as DeviceChoice;
  throw new DeviceUnavailableError(`${source} must be one of ${deviceChoices.join(', ')}; got "${text}".`);
}

/** What this platform's onnxruntime-node package carries for a device, before any adapter is asked. */
export interface ProviderPresence {
  device: DeviceName;
  /** Whether its provider is in the installed package (CUDA's libraries are fetched separately on Linux). */
  present: boolean;
  /** Why not, in words, when absent. */
  missing?: string;
  /** The adapter it would use (GPU providers); null when none. */
  adapter: GpuAdapter | null;
}

function ortBinDir(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** The CUDA provider library that onnxruntime-node's install script fetches on Linux x64. */
export function cudaProviderLibrary(): string | null {
  const dir = ortBinDir();
  return dir ? join(dir, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so') : null;
}

export function providerPresence(device: DeviceName, bundled: ReadonlySet<string>, platform: NodeJS.Platform = process.platform): ProviderPresence {
  const adapters = device === 'cpu' ? [] : gpuAdapters(platform);
  const adapter = adapters[0] ?? null;
  const absent = (missing: string): ProviderPresence => ({ device, present: false, missing, adapter });
  switch (device) {
    case 'cpu':
      return { device, present: true, adapter: null };
    case 'webgpu':
      if (!bundled.has('webgpu')) return absent('this onnxruntime-node build has no WebGPU provider');
      if (!adapter) return absent(platform === 'linux' ? 'no GPU present (no Vulkan driver installed)' : 'no GPU present');
      return { device, present: true, adapter };
    case 'dml':
      if (platform !== 'win32' || !bundled.has('dml')) return absent('DirectML is Windows only');
      return adapter ? { device, present: true, adapter } : absent('no GPU present');
    case 'coreml':
      if (platform !== 'darwin' || !bundled.has('coreml')) return absent('CoreML is macOS only');
      return { device, present: true, adapter };
    case 'cuda': {
      const lib = cudaProviderLibrary();
      if (platform !== 'linux' && platform !== 'win32') return absent('CUDA is Linux and Windows only');
      if (!bundled.has('cuda') || !lib || !existsSync(lib)) return absent('CUDA provider not installed (fetch it with `reverie devices --fetch-cuda`; needs an NVIDIA driver and CUDA 12)');
      return { device, present: true, adapter: { name: 'NVIDIA (CUDA)', software: false } };
    }
  }
}
