// Selecting a GPU backend for tfjs inside the worker, and naming the adapter behind it. Either works
// or throws: no backend but the one asked for is registered here, so nothing falls back silently.
import * as tf from '@tensorflow/tfjs-core';
import type { GpuAdapter } from '../../engine/shared/device.ts';
import { isSoftwareAdapter } from '../../engine/shared/softwareGpu.ts';
import type { WindowBackend } from '../../engine/windowDevice/protocol.ts';

interface GpuAdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
}
interface NavigatorGpu {
  gpu?: { requestAdapter(): Promise<{ info?: GpuAdapterInfo } | null> };
}

export function webglAdapter(): GpuAdapter {
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) throw new Error('WebGL2 is not available in this window.');
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { name: `${name} (WebGL2)`, software: isSoftwareAdapter(name) };
}

export async function webgpuAdapter(): Promise<GpuAdapter> {
  const gpu = (navigator as unknown as NavigatorGpu).gpu;
  if (!gpu) throw new Error('WebGPU is not available in this window (navigator.gpu is absent).');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('WebGPU found no adapter in this window.');
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  return { name: `${name} (WebGPU)`, software: isSoftwareAdapter(name) };
}

/**
 * Results come back right: a probe large enough to span several of tfjs-backend-webgpu's 256x256
 * staging reads (a tile's gradient does). webgl reads synchronously (dataSync, as the executor's
 * kernel preparation does); webgpu asynchronously, since its synchronous read goes through a canvas
 * that returns zeros on some adapters (SwiftShader here): the worker never reads webgpu synchronously.
 */
async function checkReadBack(backend: WindowBackend): Promise<void> {
  const n = 300 * 300 * 3;
  const source = Float32Array.from({ length: n }, (_, i) => (i % 251) - 125.25);
  const probe = tf.tidy(() => tf.add(tf.tensor1d(source), tf.scalar(0.5)));
  const got = backend === 'webgl' ? probe.dataSync() : await probe.data();
  probe.dispose();
  const bad = source.findIndex((v, i) => got[i] !== v + 0.5);
  if (bad >= 0) throw new Error(`tfjs's ${backend} backend reads GPU results back wrong here (element ${bad}: ${got[bad]} for ${source[bad]! + 0.5}).`);
}

/** Makes `backend` tfjs's active backend with float32 precision, and says which adapter runs it. */
export async function useBackend(backend: WindowBackend): Promise<GpuAdapter> {
  let adapter: GpuAdapter;
  if (backend === 'webgpu') {
    adapter = await webgpuAdapter();
    await import('@tensorflow/tfjs-backend-webgpu');
  } else {
    adapter = webglAdapter();
    await import('@tensorflow/tfjs-backend-webgl');
    // Half-float textures would cost gradients three decimal digits: refuse rather than degrade.
    tf.env().set('WEBGL_FORCE_F16_TEXTURES', false);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not start its ${backend} backend here.`);
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`tfjs runs on ${tf.getBackend()}, not ${backend}.`);
  if (backend === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) {
    throw new Error('This GPU cannot render to float32 textures; gradients stay on the host.');
  }
  await checkReadBack(backend);
  return adapter;
}
