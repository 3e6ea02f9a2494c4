// `npm run bench`: engine figures as JSON (stdout and bench/out/bench.json), with the PyTorch peer's
// figure for the same dream step and the same whole dream from the same run, so ratios compare like with like.
//   npm run bench [-- --skip-peer --skip-large ...]; npm run bench -- --only wholeJob
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { autodiffForward } from '../engine/graph/autodiff.ts';
import type { LayersDreamModel } from '../engine/model/layersModel.ts';
import { layerMean, sum } from '../engine/objectives/objective.ts';
import { runTorchPeer } from './torchPeer.ts';
import { wholeJob } from './wholeJob.ts';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { time } from './timing.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    repeats: { type: 'string' },
    'skip-naive': { type: 'boolean' },
    'skip-peer': { type: 'boolean' },
    'skip-large': { type: 'boolean' },
    'skip-zoom': { type: 'boolean' },
    'skip-models': { type: 'boolean' },
    // --only wholeJob runs just that section (minutes on a quiet machine), written to bench/out/wholeJob.json.
    only: { type: 'string' },
    'skip-whole-job': { type: 'boolean' },
    'whole-steps': { type: 'string' },
    'whole-large-steps': { type: 'string' },
    'skip-peer-large': { type: 'boolean' },
    'skip-layouts': { type: 'boolean' },
    'skip-sizes': { type: 'boolean' },
    'skip-farm': { type: 'boolean' },
    'skip-devices': { type: 'boolean' },
  },
});
const repeats = Number(values.repeats ?? 5);
const LAYERS = ['mixed3', 'mixed5'];

const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
const wholeJobSection = () =>
  wholeJob({
    backend,
    steps: Number(values['whole-steps'] ?? 10),
    largeSteps: Number(values['whole-large-steps'] ?? 10),
    skipPeer: values['skip-peer'] === true,
    skipLarge: values['skip-large'] === true,
    skipPeerLarge: values['skip-peer-large'] === true,
    skipLayouts: values['skip-layouts'] === true,
  });
if (values.only !== undefined) {
  if (values.only !== 'wholeJob') throw new Error(`--only knows the section "wholeJob", not "${values.only}".`);
  const section = { date: new Date().toISOString(), backend, node: process.version, wholeJob: await wholeJobSection() };
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./out/wholeJob.json', import.meta.url), `${JSON.stringify(section, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(section, null, 2)}\n`);
  process.exit(0);
}
const loadStart = performance.now();
const model = (await loadDreamModel('inception_v3')) as LayersDreamModel;
const modelLoadMs = Math.round(performance.now() - loadStart);
const objective = sum(...LAYERS.map(layerMean));
const x = tf.randomUniform([1, 299, 299, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
// The first step pays one-off costs (onnxruntime compiles the graph for this size; tfjs prepares kernels).
const firstStart = performance.now();
model.valueAndGradient(x, objective.layers, objective.fn).gradient.dispose();
const firstStepMs = Math.round(performance.now() - firstStart);

const step = await time(repeats, async () => {
  const { gradient } = model.valueAndGradient(x, objective.layers, objective.fn);
  await gradient.data();
  gradient.dispose();
});
const forward = await time(repeats, async () => {
  const acts = model.activations(x, LAYERS);
  await Promise.all(Object.values(acts).map((a) => a.data()));
  tf.dispose(Object.values(acts));
});
// The same step on the tfjs executor alone (what runs where onnxruntime-node is not installed).
let tfjsStep: { median: number; min: number } | null = null;
if (model.accelerator) {
  model.setAccelerated(false);
  tfjsStep = await time(Math.min(repeats, 3), async () => {
    const { gradient } = model.valueAndGradient(x, objective.layers, objective.fn);
    await gradient.data();
    gradient.dispose();
  });
  model.setAccelerated(true);
}
let naive: { median: number; min: number } | null = null;
if (!values['skip-naive']) {
  // tf.grad through the same graph in plain tfjs ops: what a straightforward TF.js dream would run.
  const naiveGrad = tf.grad((t: tf.Tensor) => tf.addN(LAYERS.map((l) => tf.mean(autodiffForward(model.graph, t as tf.Tensor4D, l, 'tfjs')))));
  naive = await time(Math.min(repeats, 2), async () => {
    const g = tf.tidy(() => naiveGrad(x));
    await g.data();
    g.dispose();
  });
}
x.dispose();
const peer = values['skip-peer'] ? { error: 'skipped' } : await runTorchPeer(299, LAYERS.join(','));
const peerMs = 'step_ms_median' in peer ? peer.step_ms_median : null;

/** Another bench script in its own process (so peak RSS is that run's alone); its JSON output. */
function benchScript(name: string, args: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const script = fileURLToPath(new URL(`./${name}`, import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, '--backend', backend, ...args], { timeout: 1_800_000, maxBuffer: 16 << 20, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      if (err) return resolve({ error: `${err.message.split('\n')[0]} ${stderr.slice(-300)}` });
      const text = stdout.trim();
      // Scripts print either one JSON line or one pretty-printed JSON document.
      resolve(JSON.parse(text.startsWith('{\n') ? text : text.split('\n').at(-1)!) as Record<string, unknown>);
    });
  });
}
const tiledRun = (args: string[], env: Record<string, string> = {}) => benchScript('tiled.ts', args, env);
// One tiled step with tiles in this thread (onnxruntime on every core) and across the worker pool
// (one thread per tile: the engine's layout for tiled images), with and without onnxruntime.
const large = values['skip-large']
  ? null
  : {
      tiled1024: await tiledRun(['--size', '1024', '--workers', '0', '--steps', '3']),
      tiled1024Pool: await tiledRun(['--size', '1024', '--workers', '2', '--steps', '3']),
      tiled1024TfjsPool: await tiledRun(['--size', '1024', '--workers', '2', '--steps', '3'], { REVERIE_ONNX: '0' }),
      step4096: await tiledRun(['--size', '4096', '--workers', '0', '--steps', '1']),
    };

const zoom = values['skip-zoom'] ? null : await benchScript('zoom.ts', []);
const models = values['skip-models'] ? null : await benchScript('models.ts', []);
const wholeJobReport = values['skip-whole-job'] ? null : await wholeJobSection();
// The same photo at 640 and 2560 px with the size-aware defaults (a few minutes on two cores).
const sizes = values['skip-sizes'] ? null : await benchScript('sizes.ts', []);
// Needs Debian's redis-server (the farm section starts its own on a free loopback port).
const farm = values['skip-farm'] ? null : await benchScript('farm.ts', []);
// Per device (CPU, each GPU provider with an adapter; software GPUs marked): ms per 299x299 step.
const devices = values['skip-devices'] ? null : await benchScript('devices.ts', []);

const report = {
  date: new Date().toISOString(),
  backend,
  accelerator: model.accelerator ?? null,
  node: process.version,
  model: model.id,
  modelLoadMs,
  firstStep299Ms: firstStepMs,
  firstDreamStepDoneMs: modelLoadMs + firstStepMs,
  step299: { layers: LAYERS, ms: step.median, minMs: step.min, repeats },
  tfjsExecutorStep299Ms: tfjsStep?.median ?? (model.accelerator ? null : step.median),
  forward299Ms: forward.median,
  naiveTfjsStep299Ms: naive?.median ?? null,
  speedupOverNaive: naive ? Number((naive.median / step.median).toFixed(2)) : null,
  pytorch: peer,
  ratioToPytorch: peerMs ? Number((step.median / peerMs).toFixed(2)) : null,
  large,
  zoom,
  models,
  wholeJob: wholeJobReport,
  sizes,
  farm,
  devices,
};
model.dispose();
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(new URL('./out/bench.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
