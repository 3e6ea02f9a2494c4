// The same photo dreamed with the built-in defaults (size-aware octaves) at 640 and 2560 px wide:
// time, octaves, the pattern size measured in image fractions, and how strongly it dreams: the mean
// absolute change per channel (0..255) with both images seen at 640 px wide, so sizes compare alike.
// Run as its own process; one JSON line.
import sharp from 'sharp';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { initBackend, type BackendChoice } from '../engine/backend.ts';
import { loadDreamModel } from '../engine/model/load.ts';
import { dreamToEnd } from '../engine/render/dream.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { DEFAULT_PATTERN_SIZE } from '../engine/recipe/octavePlan.ts';
import type { RgbImage } from '../engine/shared/image.ts';
import { patternFraction } from '../tests/helpers/patternSize.ts';

const { values } = parseArgs({ options: { backend: { type: 'string' }, widths: { type: 'string' } } });
const widths = (values.widths ?? '640,2560').split(',').map(Number);
const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
const model = await loadDreamModel('inception_v3');
const photo = fileURLToPath(new URL('../assets/examples/cat.jpg', import.meta.url));
const recipe = { ...DEFAULT_RECIPE, patternSize: DEFAULT_PATTERN_SIZE };
/** Mean |a - b| per channel with both seen at 640 px wide (bicubic). */
async function changeAt640(a: RgbImage, b: RgbImage): Promise<number> {
  const at640 = (img: RgbImage) => sharp(Buffer.from(Uint8Array.from(img.rgb, (v) => Math.max(0, Math.min(255, Math.round(v))))), { raw: { width: img.width, height: img.height, channels: 3 } }).resize({ width: 640, kernel: 'cubic' }).raw().toBuffer();
  const [x, y] = await Promise.all([at640(a), at640(b)]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}

const runs = [];
for (const width of widths) {
  const { data, info } = await sharp(photo).resize({ width, kernel: 'lanczos3' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const input = { width: info.width, height: info.height, rgb: Float32Array.from(data) };
  let octaves = 0;
  const started = performance.now();
  const out = await dreamToEnd(model, input, recipe, { onProgress: (p) => (octaves = p.octaves) });
  const ms = Math.round(performance.now() - started);
  runs.push({ width: info.width, height: info.height, octaves, ms, patternFraction: Number(patternFraction(out, input).toFixed(4)), changeAt640: Number((await changeAt640(out, input)).toFixed(2)) });
}
model.dispose();
process.stdout.write(`${JSON.stringify({ backend, accelerator: model.accelerator ?? null, patternSize: DEFAULT_PATTERN_SIZE, runs })}\n`);
