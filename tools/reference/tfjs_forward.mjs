#!/usr/bin/env node
// Forward pass of nsfwjs's InceptionV3 with tfjs's own LayersModel, for the
// --check-forward validation of tools/reference/keras_inception_torch.py.
//
//   node tools/reference/tfjs_forward.mjs --input x.npy --layers mixed3,mixed5 \
//        --out-dir DIR [--backend cpu|wasm]
//
// Reads float32 NHWC [1,H,W,3] .npy, writes DIR/<layer>.npy (float32 NHWC) for
// each layer and prints one JSON line. Loads the model from an in-memory
// IOHandler built from the same files the reference reads (model.min.js and
// group1-shard*of6.min.js, concatenated in manifest order). Forward only.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const require = createRequire(join(repoRoot, 'package.json'));

function parseArgs(argv) {
  const out = { backend: 'cpu', layers: 'mixed5', modelDir: join(repoRoot, 'node_modules/nsfwjs/dist/models/inception_v3') };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const val = argv[i + 1];
    if (key === '--input') out.input = val;
    else if (key === '--layers') out.layers = val;
    else if (key === '--out-dir') out.outDir = val;
    else if (key === '--backend') out.backend = val;
    else if (key === '--model-dir') out.modelDir = val;
    else throw new Error(`unknown argument ${key}`);
    i++;
  }
  if (!out.input || !out.outDir) throw new Error('usage: tfjs_forward.mjs --input x.npy --layers a,b --out-dir DIR [--backend cpu|wasm]');
  return out;
}

// Minimal .npy (v1/v2/v3) reader for little-endian float32 C-order arrays.
function readNpy(path) {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4') throw new Error(`${path}: dtype ${descr}, expected <f4`);
  if (fortran !== 'False') throw new Error(`${path}: Fortran order not supported`);
  const shape = shapeStr.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = buf.readFloatLE(dataStart + 4 * i);
  return { shape, data };
}

function writeNpy(path, shape, data) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

function ioHandler(modelDir) {
  const { modelTopology, weightsManifest } = require(join(modelDir, 'model.min.js'));
  const weightSpecs = [];
  const parts = [];
  for (const group of weightsManifest) {
    for (const p of group.paths) {
      const b64 = require(join(modelDir, `${p}.min.js`));
      if (typeof b64 !== 'string') throw new Error(`${p}.min.js did not export a string`);
      parts.push(Buffer.from(b64, 'base64'));
    }
    weightSpecs.push(...group.weights);
  }
  const all = Buffer.concat(parts);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return { load: async () => ({ modelTopology, weightSpecs, weightData, format: 'layers-model' }) };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tf = await import('@tensorflow/tfjs');
  if (args.backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${wasmDir}/`);
  }
  const ok = await tf.setBackend(args.backend);
  if (!ok) throw new Error(`backend ${args.backend} unavailable`);
  await tf.ready();

  const layers = args.layers.split(',').map((s) => s.trim()).filter(Boolean);
  const t0 = performance.now();
  const model = await tf.loadLayersModel(ioHandler(args.modelDir));
  const sub = tf.model({ inputs: model.inputs, outputs: layers.map((l) => model.getLayer(l).output) });
  const tLoad = performance.now() - t0;

  const { shape, data } = readNpy(args.input);
  const x = tf.tensor(data, shape, 'float32');
  const t1 = performance.now();
  let outs = sub.predict(x);
  if (!Array.isArray(outs)) outs = [outs];
  const results = {};
  for (let i = 0; i < layers.length; i++) {
    const t = outs[i];
    const values = await t.data();
    writeNpy(join(args.outDir, `${layers[i]}.npy`), t.shape, values);
    results[layers[i]] = t.shape;
  }
  const tFwd = performance.now() - t1;
  console.log(JSON.stringify({ backend: tf.getBackend(), tfjs: tf.version.tfjs, layers: results, loadMs: Math.round(tLoad), forwardMs: Math.round(tFwd) }));
}

main().catch((err) => {
  console.error(err?.stack ?? String(err));
  process.exit(1);
});
