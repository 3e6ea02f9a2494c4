// Where one compiled dream step's time goes, per max-pool gradient lowering: onnxruntime's own
// per-node profile of a few steps at one tile size, summed by op type and by part of the graph; then
// wall time per step with the lowerings alternating in one process (fair on a loaded machine).
// Run: node --import tsx bench/stepProfile.ts [--size 500] [--steps 3] [--rounds 3] [--layers mixed3,mixed5] [--lowerings indices,windows]
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import type { LayersDreamModel } from '../engine/model/layersModel.ts';
import { OrtExecutor } from '../engine/accel/ortExecutor.ts';
import { compileDreamGraph, CPU_LOWERING, WeightStore, type Lowering } from '../engine/accel/compile.ts';
import { providerSpec } from '../engine/accel/providers.ts';
import type { ObjectiveFn } from '../engine/shared/model.ts';

interface ProfileEvent { cat: string; name: string; ts: number; dur: number; args?: { op_name?: string } }

const { values } = parseArgs({
  options: { size: { type: 'string', default: '500' }, steps: { type: 'string', default: '3' }, rounds: { type: 'string', default: '3' }, layers: { type: 'string', default: 'mixed3,mixed5' }, lowerings: { type: 'string', default: 'indices,windows' } },
});
const size = Number(values.size);
const steps = Number(values.steps);
const layers = values.layers!.split(',');
/** Max-pool gradient forms: 'indices' (MaxPool's Indices + ScatterElements, the CPU's) or 'windows' (the GPU providers'). */
type Form = 'indices' | 'windows';
const lowerings = values.lowerings!.split(',') as Form[];
const loweringOf = (form: Form): Lowering => ({ ...CPU_LOWERING, maxPoolIndices: form === 'indices' });

await initBackend('wasm');
const model = (await loadDreamModel('inception_v3')) as LayersDreamModel;
const objective: ObjectiveFn = (a) => tf.addN(layers.map((l) => tf.mean(a[l]!))) as tf.Scalar;
const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
const executor = (form: Form) => new OrtExecutor(model.graph, { provider: { ...providerSpec('cpu'), lowering: loweringOf(form) } });

/** Mean ms per step after a warm-up step (which compiles). */
function timeSteps(ort: OrtExecutor): number {
  let total = 0;
  for (let i = 0; i <= steps; i++) {
    const t0 = performance.now();
    tf.dispose(ort.valueAndGradient(x, layers, objective).gradient);
    if (i > 0) total += performance.now() - t0;
  }
  ort.dispose();
  return total / steps;
}

/** Per-node times of the last `steps` runs, by op type and by part of the graph (forward, backward, max-pool gradient). */
async function profile(form: Form): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'reverie-step-profile-'));
  process.env['REVERIE_ORT_PROFILE'] = join(dir, 'step');
  const stepMs = timeSteps(executor(form));
  delete process.env['REVERIE_ORT_PROFILE'];
  const file = (await readdir(dir)).find((f) => f.endsWith('.json'))!;
  const events = JSON.parse(await readFile(join(dir, file), 'utf8')) as ProfileEvent[];
  await rm(dir, { recursive: true, force: true });
  const runs = events.filter((e) => e.name === 'SequentialExecutor::Execute').slice(-steps);
  const inRuns = (e: ProfileEvent) => runs.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && inRuns(e));
  // Node names are `${op}_${index}` in the compiled graph, or fused/reordered names from onnxruntime's
  // optimizer: those after the first seed's Transpose (and the reorders between them) are the backward pass.
  const { onnx } = compileDreamGraph(model.graph, layers, [1, size, size, 3], new WeightStore(), loweringOf(form));
  const firstBackward = onnx.nodes.findIndex((n) => n.op === 'Transpose' && n.inputs[0]!.startsWith('seed:'));
  const maxPoolParts = /^(argmaxFlat|gFlat|zeros|scatter|maxPadded|window|isMax|share|shares|sharePlanes|left|placed)#/;
  const byOp = new Map<string, number>();
  const byPart = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let backward = false;
  for (const e of nodes) {
    const name = e.name.replace(/_kernel_time$/, '');
    const m = /^([A-Za-z]+)_(\d+)$/.exec(name);
    const node = m ? onnx.nodes[Number(m[2])] : undefined;
    if (m && Number(m[2]) >= firstBackward) backward = true;
    if (/^dx:|^drelu|#/.test(name)) backward = true;
    const part = node && (node.outputs.some((o) => maxPoolParts.test(o)) || node.op === 'ScatterElements' || (node.op === 'MaxPool' && node.outputs.length > 1)) ? 'maxPool (indices fwd + gradient)' : /^Reorder/.test(name) ? 'NCHWc reorders' : backward ? 'backward' : 'forward';
    add(byPart, part, e.dur / 1000 / steps);
    add(byOp, e.args?.op_name ?? '?', e.dur / 1000 / steps);
    // The next run starts with the forward pass again.
    if (runs.some((r) => Math.abs(e.ts + e.dur - (r.ts + r.dur)) < 50)) backward = false;
  }
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  const table = (t: Map<string, number>) => Object.fromEntries([...t].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, `${v.toFixed(1)} ms (${((100 * v) / total).toFixed(1)}%)`]));
  const runMs = runs.reduce((a, r) => a + r.dur, 0) / 1000 / steps;
  // Outside the session run: feeds, the objective's value and seeds on tfjs, the gradient's copy.
  return { stepMs: Number(stepMs.toFixed(1)), runMs: Number(runMs.toFixed(1)), outsideRunMs: Number((stepMs - runMs).toFixed(1)), nodeMs: Number(total.toFixed(1)), byPart: table(byPart), byOp: table(byOp) };
}

const profiles: Record<string, unknown> = {};
for (const form of lowerings) profiles[form] = await profile(form);
const wall: Record<string, number[]> = Object.fromEntries(lowerings.map((f) => [f, []]));
for (let r = 0; r < Number(values.rounds); r++) for (const form of lowerings) wall[form]!.push(Number(timeSteps(executor(form)).toFixed(1)));
console.log(JSON.stringify({ size, layers, steps, profiles, wallMsPerStepByRound: wall }, null, 1));
model.dispose();
x.dispose();
