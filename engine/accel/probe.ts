// Asks a provider to run a tiny convolution: whether it finds an adapter and runs at all, before a
// dream trusts it with the real graph. Throws the provider's own error when it cannot.
import { encodeModel, type OnnxGraph } from '../graph/onnxProto.ts';
import { OrtSession, ortRuntime } from './ort.ts';
import type { ProviderSpec } from './providers.ts';

const probeGraph: OnnxGraph = {
  nodes: [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] } },
    { op: 'Relu', inputs: ['c'], outputs: ['y'] },
  ],
  initializers: [{ name: 'w', dims: [4, 3, 3, 3], data: Float32Array.from({ length: 108 }, (_, i) => ((i % 7) - 3) / 10) }],
  inputs: [{ name: 'x', dims: [1, 3, 8, 8] }],
  outputs: [{ name: 'y', dims: [1, 4, 8, 8] }],
};

/** Milliseconds to load and run the probe graph on this provider. */
export function probeProvider(spec: ProviderSpec, threads: number): number {
  const rt = ortRuntime();
  if (!rt) throw new Error('onnxruntime-node is not installed or does not load here');
  const started = performance.now();
  const session = new OrtSession(rt, encodeModel(probeGraph), { threads, executionProviders: spec.executionProviders });
  try {
    const out = session.run({ x: { data: new Float32Array(192).fill(0.5), dims: [1, 3, 8, 8] } }, ['y'])['y']!;
    if (out.length !== 256 || !out.every(Number.isFinite)) throw new Error(`${spec.device} returned a malformed result`);
  } finally {
    session.dispose();
  }
  return performance.now() - started;
}
