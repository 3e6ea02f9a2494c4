// The `wholeJob` section of `npm run bench`: a whole default dream (decode, model, octaves, tiles,
// encode) of 1920x1280 and 4000x3000 photos, ours (bench/wholeDream.ts, its own process) and the
// PyTorch peer's untiled loop (bench/peers/torch_dream.py) on the same input in the same run, with
// seconds, CPU seconds, peak RSS and the ratio; and the same job under each parallel layout.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { runTorchDream } from './torchPeer.ts';

const PHOTO = fileURLToPath(new URL('../assets/examples/astronaut.jpg', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./wholeDream.ts', import.meta.url));

export interface WholeJobOptions {
  backend: string;
  /** Steps per octave for the 1920x1280 case (default: the recipe's 10) and the 4000x3000 one. */
  steps: number;
  largeSteps: number;
  skipPeer: boolean;
  skipLarge: boolean;
  skipPeerLarge: boolean;
  skipLayouts: boolean;
}

function ours(input: string, out: string, args: string[], backend: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT, '--input', input, '--out', out, '--backend', backend, ...args], { timeout: 3_600_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) return resolve({ error: `${err.message.split('\n')[0]} ${stderr.slice(-300)}` });
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>);
    });
  });
}

async function photo(dir: string, width: number, height: number): Promise<string> {
  const file = join(dir, `input-${width}x${height}.png`);
  await sharp(PHOTO).resize(width, height, { fit: 'cover' }).png().toFile(file);
  return file;
}

const ratio = (a: unknown, b: unknown): number | null => (typeof a === 'number' && typeof b === 'number' && b > 0 ? Number((a / b).toFixed(2)) : null);

async function compare(dir: string, width: number, height: number, steps: number, o: WholeJobOptions, peer: boolean): Promise<Record<string, unknown>> {
  const input = await photo(dir, width, height);
  const load = loadavg()[0];
  const reverie = await ours(input, join(dir, 'ours.png'), ['--steps', String(steps)], o.backend);
  const settings = { steps, octaves: DEFAULT_RECIPE.octaves, octaveScale: DEFAULT_RECIPE.octaveScale, stepSize: DEFAULT_RECIPE.stepSize, jitter: DEFAULT_RECIPE.jitter, layers: DEFAULT_RECIPE.layers.map((l) => l.name).join(',') };
  const pytorch = peer ? await runTorchDream(input, join(dir, 'theirs.png'), settings) : { error: 'skipped' };
  return {
    size: `${width}x${height}`,
    settings: { ...settings, tileSize: DEFAULT_RECIPE.tileSize, peer: 'untiled' },
    loadAverageAtStart: load,
    reverie,
    pytorch,
    ratioSeconds: 'seconds' in pytorch ? ratio(reverie['seconds'], pytorch.seconds) : null,
    ratioCpuSeconds: 'cpu_s' in pytorch ? ratio(reverie['cpuSeconds'], pytorch.cpu_s) : null,
    ratioPeakRss: 'max_rss_mb' in pytorch ? ratio(reverie['maxRssMB'], pytorch.max_rss_mb) : null,
  };
}

/** The same short job under each layout: tiles in this thread on all cores, one worker on all cores, one worker per core. */
async function layouts(dir: string, o: WholeJobOptions): Promise<Record<string, unknown>> {
  const input = await photo(dir, 1920, 1280);
  const cores = availableParallelism();
  const runs: Record<string, unknown> = {};
  for (const workers of [...new Set([0, 1, cores])]) {
    const r = await ours(input, join(dir, `layout${workers}.png`), ['--steps', '2', '--workers', String(workers)], o.backend);
    runs[`workers${workers}`] = { layout: r['layout'], seconds: r['seconds'], cpuSeconds: r['cpuSeconds'], dreamMs: (r['breakdownMs'] as Record<string, number> | undefined)?.['dream'], maxRssMB: r['maxRssMB'], error: r['error'] };
  }
  return { size: '1920x1280', steps: 2, cores, runs };
}

export async function wholeJob(o: WholeJobOptions): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'reverie-bench-whole-'));
  try {
    const report: Record<string, unknown> = { cores: availableParallelism() };
    report['default1920x1280'] = await compare(dir, 1920, 1280, o.steps, o, !o.skipPeer);
    if (!o.skipLarge) report['large4000x3000'] = await compare(dir, 4000, 3000, o.largeSteps, o, !o.skipPeer && !o.skipPeerLarge);
    if (!o.skipLayouts) report['layouts'] = await layouts(dir, o);
    return report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
