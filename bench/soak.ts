// Soak: many dream steps and zoom frames in one process, sampling tfjs tensors and resident memory after
// each; prints the slopes after warm-up as JSON (stdout and bench/out/soak.json). A leak shows as a
// positive slope: tensors per step should be exactly 0, MB per 100 steps near 0.
//   node --expose-gc --import tsx bench/soak.ts [--backend wasm] [--steps 200] [--frames 50] [--size 96]
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { dream } from '../engine/render/dream.ts';
import { DEFAULT_RECIPE, type Recipe } from '../engine/recipe/recipe.ts';
import { createZoomProject, runZoomProject } from '../engine/animate/zoomRun.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import type { RgbImage } from '../engine/shared/image.ts';

export interface Sample {
  tensors: number;
  rssMb: number;
}

export interface SoakOptions {
  steps: number;
  frames: number;
  size: number;
  /** Samples dropped from the start of each phase before slopes are fitted (caches, lazy kernels, JIT). */
  warmUpSteps: number;
  warmUpFrames: number;
}

export interface PhaseReport {
  samples: number;
  tensorsPerSample: number;
  mbPer100: number;
  tensors: { first: number; last: number; min: number; max: number };
  rssMb: { first: number; last: number; max: number };
}

const gc = (globalThis as { gc?: () => void }).gc;

function sample(): Sample {
  gc?.(); // with --expose-gc, RSS is sampled after a full collection: less noise in the slope
  return { tensors: tf.memory().numTensors, rssMb: process.memoryUsage().rss / 2 ** 20 };
}

/** Least-squares slope of ys over 0..n-1. */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

export function phaseReport(samples: readonly Sample[], warmUp: number): PhaseReport {
  const kept = samples.slice(warmUp);
  const tensors = kept.map((s) => s.tensors);
  const rss = kept.map((s) => s.rssMb);
  const round = (x: number, d = 3): number => Number(x.toFixed(d));
  return {
    samples: kept.length,
    tensorsPerSample: round(slope(tensors), 4),
    mbPer100: round(slope(rss) * 100, 2),
    tensors: { first: tensors[0] ?? 0, last: tensors.at(-1) ?? 0, min: Math.min(...tensors), max: Math.max(...tensors) },
    rssMb: { first: round(rss[0] ?? 0, 1), last: round(rss.at(-1) ?? 0, 1), max: round(Math.max(...rss), 1) },
  };
}

function picture(size: number): RgbImage {
  const width = size;
  const height = Math.round(size * 0.8);
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (Math.sin(i * 0.003) * 0.5 + 0.5) * 255 * ((i % 3) / 3 + 0.3);
  return { width, height, rgb };
}

/** Dream steps (as dreams of 10 steps, each with its own seed) and then a zoom run, sampling after each. */
export async function soak(model: DreamModel, backend: string, o: SoakOptions): Promise<{ dream: PhaseReport; zoom: PhaseReport; baseline: Sample; end: Sample }> {
  const recipe: Recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed2', weight: 1 }], channels: [{ layer: 'mixed3', index: 5, weight: 0.5 }], steps: 10, octaves: 1 };
  const input = picture(o.size);
  // One step first: the model prepares gradient kernels for the layers it meets lazily, and keeps them.
  for await (const _ of dream(model, input, { ...recipe, steps: 1 })) break;
  const baseline = sample();
  const dreamSamples: Sample[] = [];
  for (let seed = 0; dreamSamples.length < o.steps; seed++) {
    const steps = Math.min(recipe.steps, o.steps - dreamSamples.length);
    for await (const _ of dream(model, input, { ...recipe, steps, seed })) dreamSamples.push(sample());
  }
  const dir = await mkdtemp(join(tmpdir(), 'reverie-soak-'));
  const zoomSamples: Sample[] = [];
  try {
    const settings = { frames: o.frames, tween: 0, zoom: 1.05, rotate: 1, centerX: 0.5, centerY: 0.5, blend: 0.2, anchorColors: 0.5, keyframes: null };
    await createZoomProject(dir, { input, source: 'soak.png', recipe: { ...recipe, steps: 2 }, settings, backend, appVersion: 'soak' });
    await runZoomProject(model, dir, { onFrame: () => zoomSamples.push(sample()) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { dream: phaseReport(dreamSamples, o.warmUpSteps), zoom: phaseReport(zoomSamples, o.warmUpFrames), baseline, end: sample() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { backend: { type: 'string' }, steps: { type: 'string' }, frames: { type: 'string' }, size: { type: 'string' } } });
  const backend = await initBackend((values.backend ?? 'wasm') as BackendChoice);
  const model = await loadDreamModel('inception_v3');
  const o: SoakOptions = { steps: Number(values.steps ?? 200), frames: Number(values.frames ?? 50), size: Number(values.size ?? 96), warmUpSteps: 20, warmUpFrames: 5 };
  const started = performance.now();
  const r = await soak(model, backend, o);
  model.dispose();
  const report = {
    date: new Date().toISOString(),
    backend,
    node: process.version,
    gcExposed: gc !== undefined,
    options: o,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    dream: { ...r.dream, tensorsPerStep: r.dream.tensorsPerSample, mbPer100Steps: r.dream.mbPer100 },
    zoom: { ...r.zoom, tensorsPerFrame: r.zoom.tensorsPerSample, mbPer100Frames: r.zoom.mbPer100 },
    tensorsBeforeAndAfter: [r.baseline.tensors, r.end.tensors],
    rssMbBeforeAndAfter: [Number(r.baseline.rssMb.toFixed(1)), Number(r.end.rssMb.toFixed(1))],
  };
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./out/soak.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
