// `reverie dream IN -o OUT.png`: dream one image with a recipe; Ctrl-C stops and writes nothing.
import { access, constants } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { loadSettings } from '../../engine/settings/settings.ts';
import { decodeImage, encodePng, DEFAULT_MAX_PIXELS } from '../../engine/io/image.ts';
import { writeFileAtomic } from '../../engine/io/atomic.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import { dreamToEnd, type DreamProgress } from '../../engine/render/dream.ts';
import { PoolKeeper } from '../../engine/parallel/poolKeeper.ts';
import { tilesPerStep } from '../../engine/parallel/layout.ts';
import { metadataText } from '../../engine/render/metadata.ts';
import { recipeAssets } from '../../engine/recipe/recipe.ts';
import { assetsText, dreamAssets, type Asset } from '../../engine/io/assets.ts';
import { recipeFlagHelp, recipeFlagSpec, recipeFromFlags } from '../recipeOptions.ts';
import { jsonLinesSink, terminalSink } from '../progress.ts';
import { applyDevice, deviceFields, deviceFlagHelp, deviceFlagSpec, onGpu, parseDeviceFlag } from '../device.ts';
import { appVersion, firstFrameNote, maxPixelsFlag, UsageError, withInterrupt } from '../shared.ts';
import { farmChoice, farmFlagHelp, farmFlagSpec } from '../farm/runner.ts';
import { farmTilePool, type FarmTilePool } from '../../host/farm/tilePool.ts';
import { modelFingerprint } from '../farm/model.ts';
import { parseFarmUrl } from '../../farm/url.ts';

export const dreamHelp = `reverie dream IN -o OUT.png [options]

Dreams IN with gradient ascent on the chosen layers and writes OUT.png with the recipe embedded.
IN is PNG, JPEG, WebP, TIFF, AVIF or GIF; of an animated or multi-page file, the first frame is used.
  --layers mixed3,mixed5      layers to amplify, optional weights: mixed3:1,mixed5:0.5
  --channel LAYER:INDEX[:W]   amplify one channel (repeatable; negative weights suppress it)
  --steps N                   gradient steps per octave (default 10)
  --step-size S               step length in pixel units (default 1.5)
  --octaves N                 a fixed number of scales, smallest first (default: from the image size,
                              see --pattern-size)
  --octave-scale F            size ratio between octaves (default 1.4)
  --tile PX                   largest tile the gradient is computed on (default 512)
  --jitter PX                 random roll per step (default 64)
  --seed N                    random seed (default 0); same recipe + seed + backend = same pixels
  --model M                   inception_v3 (embedded), a model folder, model.json or URL
  --recipe FILE.json          start from a recipe file; flags override it
  --recipe-from DREAM.png     reuse the recipe embedded in a PNG Reverie made
${recipeFlagHelp}
  --backend B                 auto | tensorflow | wasm | cpu (default: the saved setting, else auto)
${deviceFlagHelp}
  --max-pixels N              refuse larger inputs (default ${DEFAULT_MAX_PIXELS})
  --workers N                 worker threads for tiled images (default: the engine's layout, one per
                              core for images of several tiles; 0 = none). Pixels do not depend on it
  --json                      JSON-lines progress on stdout instead of a progress bar
${farmFlagHelp}
                              (the tiles of each step of a tiled image become farm jobs)`;

export async function dreamCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...recipeFlagSpec, ...farmFlagSpec, out: { type: 'string', short: 'o' }, backend: { type: 'string' }, json: { type: 'boolean' }, 'max-pixels': { type: 'string' }, workers: { type: 'string' }, ...deviceFlagSpec },
  });
  const input = positionals[0];
  if (!input || positionals.length > 1) throw new UsageError('reverie dream takes one input image.', dreamHelp);
  if (!values.out) throw new UsageError('Name the output with -o OUT.png.', dreamHelp);
  const out = resolve(values.out);
  if (extname(out).toLowerCase() !== '.png') throw new UsageError(`Output "${values.out}" must end in .png: the PNG carries the recipe.`);
  try {
    await access(dirname(out), constants.W_OK);
  } catch {
    throw new UsageError(`Cannot write to the folder of "${values.out}": it does not exist or is not writable.`);
  }
  const found: Asset[] = [];
  const recipe = await recipeFromFlags(values, found);
  // Only what the recipe names is used and embedded (a --mask replaces a --recipe-from PNG's mask).
  const named = new Set(recipeAssets(recipe));
  const assets = [...new Map(found.filter((a) => named.has(a.hash)).map((a) => [a.hash, a])).values()];
  const farmAt = farmChoice(values);
  const farm = farmAt ? parseFarmUrl(farmAt.url, farmAt.insecure) : undefined;
  const sink = values.json ? jsonLinesSink(process.stdout) : terminalSink(process.stderr);
  const maxPixels = maxPixelsFlag(values['max-pixels'], DEFAULT_MAX_PIXELS);
  const image = await decodeImage(input, { maxPixels });
  const note = firstFrameNote(input, image.pages);
  if (note) sink.event('warning', note);
  // No --backend or --device: the ones saved with `reverie settings set …` (auto unless changed).
  const saved = (await loadSettings()).value;
  const device = parseDeviceFlag(values.device, saved.device);
  const backend = await initBackend((values.backend ?? saved.backend) as BackendChoice);
  const loadStarted = performance.now();
  const model = await loadDreamModel(recipe.model);
  applyDevice(model, device);
  // How many worker threads (and threads per tile) is the engine's layout decision; --workers overrides it.
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) throw new UsageError(`--workers expects a whole number, got "${values.workers}".`);
  const chosen = onGpu(model) ? 0 : workers;
  const pools = new PoolKeeper({ model: recipe.model, backend, ...(chosen !== undefined ? { workers: chosen } : {}) });
  const tiled = tilesPerStep(image.width, image.height, recipe.tileSize) > 1;
  // With a farm the tiles of each step go there; otherwise the engine's layout may start local workers.
  const pool = farm ? undefined : await pools.forJob(image.width, image.height, recipe.tileSize);
  let farmPool: FarmTilePool | undefined;
  const farmRef = farm ? await modelFingerprint(recipe.model) : undefined;
  if (farm) {
    sink.event('farm', { url: farm.display, message: tiled ? `Tiles of each step go to the farm at ${farm.display}` : `The image fits one tile (${recipe.tileSize}px): it dreams here, not on the farm at ${farm.display}` });
  }
  sink.event('model', { model: model.id, backend, ...deviceFields(model), workers: pool?.size ?? 0, loadMs: Math.round(performance.now() - loadStarted), accelerator: model.accelerator ?? null, message: `Model ${model.id} on ${backend}${model.accelerator ? ` + ${model.accelerator}` : ''}${pool ? ` with ${pool.size} workers` : ''} (${image.width}x${image.height})` });
  try {
    const result = await withInterrupt(async (signal) => {
      if (farm && farmRef && tiled) {
        farmPool = farmTilePool(farm, farmRef, signal);
        const online = await farmPool.workers();
        sink.event('farm', { url: farm.display, workers: online, message: `${online} worker(s) online for ${farmRef.id}${online ? '' : ' (the tiles wait in the queue until one joins)'}` });
      }
      const tiles = pool ?? farmPool;
      const onProgress = (p: DreamProgress): void => {
        const label = `octave ${p.octave + 1}/${p.octaves} step ${p.step + 1}/${p.steps} (${p.width}x${p.height})`;
        sink.update(p.done / p.total, label, p.etaMs, { octave: p.octave, step: p.step, done: p.done, total: p.total, value: Number(p.value.toFixed(5)), device: model.device?.device ?? 'tfjs' });
      };
      return dreamToEnd(model, { width: image.width, height: image.height, rgb: image.rgb }, recipe, { signal, onProgress, assets: dreamAssets(assets), ...(tiles ? { pool: tiles } : {}) });
    });
    const png = await encodePng(
      { width: result.width, height: result.height, rgb: result.rgb, alpha: image.alpha },
      { ...metadataText({ app: 'reverie', appVersion: appVersion(), backend, ...deviceFields(model), input: basename(input), createdAt: new Date().toISOString(), recipe }), ...(await assetsText(assets)) },
    );
    await writeFileAtomic(out, png);
    // route: the executor the steps ran on (workers only run where there is no native route: tfjs);
    // device: where this thread's native steps ran (cpu, webgpu, ...), with the steps each device took.
    sink.done(`Wrote ${values.out}`, { output: out, width: result.width, height: result.height, route: pool?.lastRoute ?? model.lastRoute ?? 'tfjs', ...deviceFields(model), deviceSteps: model.device?.steps ?? {} });
  } finally {
    await pools.close();
    await farmPool?.close();
    model.dispose();
  }
}
