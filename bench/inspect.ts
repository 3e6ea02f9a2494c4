// `node --import tsx bench/inspect.ts`: the feature-visualization quality figures as JSON. For a seeded
// sample of channels per layer, each channel's mean activation on its own visualization against the
// bundled photographs (ratio, bar 5x) and against the other sampled channels' visualizations.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { visualizeMany } from '../engine/inspect/channels.ts';
import { activationRatios, loadPhotos } from '../engine/inspect/quality.ts';
import { contactSheet } from '../engine/inspect/sheet.ts';
import { encodePng } from '../engine/io/image.ts';
import { layerInfo } from '../engine/inspect/targets.ts';
import { seededRandom } from '../engine/shared/random.ts';

const { values } = parseArgs({
  options: { backend: { type: 'string' }, layers: { type: 'string' }, 'per-layer': { type: 'string' }, size: { type: 'string' }, steps: { type: 'string' }, seed: { type: 'string' }, batch: { type: 'string' } },
});
const layers = (values.layers ?? 'mixed3,mixed4').split(',');
const perLayer = Number(values['per-layer'] ?? 12);
const size = Number(values.size ?? 128);
const steps = Number(values.steps ?? 256);
const seed = Number(values.seed ?? 1);
const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
const model = await loadDreamModel('inception_v3');
const photoPaths = ['cat', 'coffee', 'astronaut'].map((n) => new URL(`../assets/examples/${n}.jpg`, import.meta.url).pathname);
const photos = await loadPhotos(photoPaths, size);

function sample(count: number, channels: number): number[] {
  const random = seededRandom(seed);
  const picked = new Set<number>();
  while (picked.size < Math.min(count, channels)) picked.add(Math.floor(random() * channels));
  return [...picked].sort((a, b) => a - b);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number): number | null => (Number.isFinite(x) ? Number(x.toFixed(3)) : null);
const report: Record<string, unknown> = {};
const started = performance.now();
for (const layer of layers) {
  const channels = sample(perLayer, layerInfo(model, layer).channels);
  const t0 = performance.now();
  const { images } = await visualizeMany(model, channels.map((channel) => ({ layer, channel })), { size, steps }, { batchSize: Number(values.batch ?? 6) });
  const renderMs = performance.now() - t0;
  const q = activationRatios(model, layer, channels, images, photos);
  // Channels the photos leave silent have no ratio (NaN): counted apart, not in the ratio figures.
  const ratios = q.map((c) => c.ratio).filter((r) => Number.isFinite(r));
  // The sheet beside the figures, so a reader can see what was measured.
  const sheet = await contactSheet(q.map((c, i) => ({ image: images[i]!, label: `${c.channel}: ${Number.isFinite(c.ratio) ? `${c.ratio.toFixed(1)}x` : 'silent on photos'}` })), { cellSize: size, title: `${layer} ${size}px ${steps} steps` });
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`./out/inspect-${layer}.png`, import.meta.url), await encodePng({ ...sheet, alpha: null }));
  report[layer] = {
    channels: q.map((c) => ({ channel: c.channel, own: round(c.own), photos: round(c.photos), ratio: round(c.ratio), othersMax: round(c.othersMax), passes: c.passes })),
    passed: q.filter((c) => c.passes).length,
    sampled: q.length,
    silentOnPhotos: q.filter((c) => !(c.photos > 0)).length,
    ratioAtLeast5: q.filter((c) => c.ratio >= 5).length,
    ownHighest: q.filter((c) => c.own > c.othersMax).length,
    medianRatio: round(median(ratios)),
    minRatio: round(Math.min(...ratios)),
    msPerChannel: Math.round(renderMs / channels.length),
  };
}
const out = { bench: 'inspect', backend, model: model.id, size, steps, seed, photos: photoPaths.length, totalSeconds: Math.round((performance.now() - started) / 1000), layers: report };
model.dispose();
const text = JSON.stringify(out, null, 2);
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(new URL('./out/inspect.json', import.meta.url), `${text}\n`);
process.stdout.write(`${text}\n`);
