// `reverie filters --layer mixed4 --channels 0-63 -o sheet.png`: feature visualizations of a layer's
// channels as a labelled contact sheet (or one channel as a picture of any size), cached on disk.
import { access, constants } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { encodePng } from '../../engine/io/image.ts';
import { writeFileAtomic } from '../../engine/io/atomic.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import { loadSettings } from '../../engine/settings/settings.ts';
import { applyDevice, deviceFields, deviceFlagSpec, onGpu, parseDeviceFlag } from '../device.ts';
import { PoolKeeper } from '../../engine/parallel/poolKeeper.ts';
import { DEFAULT_MODEL } from '../../engine/model/load.ts';
import { contactSheet, engineCacheDevice, FEATURE_PNG_KEY, FeatureCache, featureRecipe, layerInfo, parseChannelList, visualizeMany, type FeatureRecipe } from '../../engine/inspect/index.ts';
import { jsonLinesSink, terminalSink } from '../progress.ts';
import { appVersion, UsageError, withInterrupt } from '../shared.ts';
import { farmChoice, farmFlagHelp, farmFlagSpec } from '../farm/runner.ts';
import { renderOnFarm } from '../farm/features.ts';

export const filtersHelp = `reverie filters --layer L --channels LIST -o OUT.png [options]

Renders what each channel of a layer responds to (feature visualization from noise: Lucid's decorrelated
Fourier images, robustness transforms and Adam) and writes a labelled contact sheet. One channel writes
the picture itself, at any size (--channels 97 --size 512). Results are cached, so a second run is instant.
Channels of fine-tuned layers (mixed6 and later in the embedded model) are marked * and framed in orange.
  --layer L            layer to inspect (reverie layers lists them)
  --channels LIST      e.g. 97, 0-63 or 0-7,12 (default 0-15)
  --size PX            side of each visualization (default 128)
  --steps N            Adam steps (default 256)
  --lr F               Adam learning rate (default 0.05)
  --seed N             random seed (default 0)
  --param P            fourier | pixel (default fourier)
  --batch N            channels optimised together (default 4; results do not depend on it)
  --columns N          sheet columns (default: square-ish)
  --cell PX            sheet cell size (default: --size, at most 256)
  --cache-dir DIR      cache folder (default $REVERIE_CACHE_DIR/filters or ~/.cache/reverie/filters)
  --no-cache           render everything and store nothing
  --model M            inception_v3 (embedded), a model folder, model.json or URL
  --backend B          auto | tensorflow | wasm | cpu (default auto)
  --device D           auto | cpu | webgpu | dml | coreml | cuda (default: the saved setting, else auto)
  --json               JSON-lines progress and result on stdout
${farmFlagHelp}
                       (channels not in the cache become farm jobs)`;

const int = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n)) throw new UsageError(`--${flag} expects a whole number, got "${v}".`);
  return n;
};

/** Resolves -o, refusing anything but a .png in a writable folder, before any work starts. */
export async function pngOutput(path: string | undefined, help: string): Promise<string> {
  if (!path) throw new UsageError('Name the output with -o OUT.png.', help);
  const out = resolve(path);
  if (extname(out).toLowerCase() !== '.png') throw new UsageError(`Output "${path}" must end in .png.`);
  try {
    await access(dirname(out), constants.W_OK);
  } catch {
    throw new UsageError(`Cannot write to the folder of "${path}": it does not exist or is not writable.`);
  }
  return out;
}

export async function filtersCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      layer: { type: 'string' }, channels: { type: 'string' }, out: { type: 'string', short: 'o' }, size: { type: 'string' }, steps: { type: 'string' },
      lr: { type: 'string' }, seed: { type: 'string' }, param: { type: 'string' }, batch: { type: 'string' }, columns: { type: 'string' }, cell: { type: 'string' },
      'cache-dir': { type: 'string' }, 'no-cache': { type: 'boolean' }, model: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, ...deviceFlagSpec,
      ...farmFlagSpec,
    },
  });
  if (!values.layer) throw new UsageError('Name the layer with --layer, e.g. --layer mixed4.', filtersHelp);
  const out = await pngOutput(values.out, filtersHelp);
  const partial: Partial<FeatureRecipe> = { size: int('size', values.size), steps: int('steps', values.steps), seed: int('seed', values.seed) };
  if (values.lr !== undefined) partial.learningRate = Number(values.lr);
  if (values.param !== undefined) partial.param = values.param as FeatureRecipe['param'];
  const recipe = featureRecipe(Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)));
  const sink = values.json ? jsonLinesSink(process.stdout) : terminalSink(process.stderr);
  const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
  const device = parseDeviceFlag(values.device, (await loadSettings()).value.device);
  const model = await loadDreamModel(values.model);
  // A batch's images spread over worker threads by the engine's layout rule (none on a GPU device).
  let pools: PoolKeeper | undefined;
  try {
    applyDevice(model, device);
    pools = new PoolKeeper({ model: values.model ?? DEFAULT_MODEL, backend, ...(onGpu(model) ? { workers: 0 } : {}) });
    const info = layerInfo(model, values.layer);
    const channels = parseChannelList(values.channels ?? `0-${Math.min(16, info.channels) - 1}`, info.channels, `layer "${info.name}"`);
    const fineTuned = info.training === 'fine-tuned';
    const trainingNote = fineTuned ? `${info.name} has fine-tuned weights (not ImageNet): its channels are marked * and framed in orange.` : `${info.name}: ${info.training === 'imagenet' ? 'ImageNet' : 'unknown'} weights.`;
    sink.event('start', { model: model.id, backend, ...deviceFields(model), layer: info.name, training: info.training, channels: channels.length, message: `${model.id} on ${backend}: ${info.name}, ${channels.length} channel(s) at ${recipe.size}px, ${recipe.steps} steps. ${trainingNote}` });
    // Keyed by the route the steps take (each rounds differently): the CPU's entries, or the GPU's own.
    const cache = values['no-cache'] ? null : new FeatureCache(values['cache-dir'] ?? undefined, engineCacheDevice(model.device?.device));
    const farm = farmChoice(values);
    const result = await withInterrupt((signal) =>
      farm ? renderOnFarm(farm.url, farm.insecure, model, info.name, channels, recipe, { signal, cache, onDone: (done, total) => sink.update(done / total, `channels ${done}/${total} on the farm`, null, { done, total }) }) : visualizeMany(model, channels.map((channel) => ({ layer: info.name, channel })), recipe, {
        signal,
        cache,
        batchSize: int('batch', values.batch) ?? 4,
        pools,
        onProgress: (p) => sink.update(p.done / p.total, `channels ${p.targets.map((t) => t.channel).join(',')} step ${p.step + 1}/${p.steps}`, p.etaMs, { done: p.done, total: p.total, value: Number(p.value.toFixed(4)) }),
      }),
    );
    const meta = { [FEATURE_PNG_KEY]: JSON.stringify({ app: 'reverie', appVersion: appVersion(), backend, model: model.id, layer: info.name, training: info.training, channels, recipe }) };
    let image = result.images[0]!;
    if (channels.length > 1) {
      const cellSize = int('cell', values.cell) ?? Math.min(recipe.size, 256);
      const title = `${info.name}${fineTuned ? ' (fine-tuned *)' : ''}  ${recipe.size}px ${recipe.steps} steps`;
      const cells = channels.map((channel, i) => ({ image: result.images[i]!, label: `${channel}${fineTuned ? '*' : ''}`, marked: fineTuned }));
      image = await contactSheet(cells, { cellSize, columns: int('columns', values.columns), title });
    }
    await writeFileAtomic(out, await encodePng({ ...image, alpha: null }, meta));
    const fromCache = result.cached.filter(Boolean).length;
    sink.done(`Wrote ${values.out} (${image.width}x${image.height}): ${info.name} channels ${values.channels ?? channels.join(',')}, ${fromCache} of ${channels.length} from the cache.${fineTuned ? ` ${trainingNote}` : ''}`, {
      output: out, width: image.width, height: image.height, layer: info.name, training: info.training, fineTuned,
      channels: channels.map((channel, i) => ({ channel, cached: result.cached[i], fineTuned })),
    });
  } finally {
    await pools?.close();
    model.dispose();
  }
}
