// `reverie atlas -o DIR`: every channel of the chosen layers as a feature visualization tile, plus an
// offline index.html to browse them (in the spirit of OpenAI Microscope). Locally or on a farm; a
// second run skips tiles already made with the same model and recipe, so a stopped atlas resumes.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng } from '../../engine/io/image.ts';
import { writeFileAtomic } from '../../engine/io/atomic.ts';
import { readPngTexts } from '../../engine/io/pngText.ts';
import { FEATURE_PNG_KEY, featureRecipe, layerInfo, parseChannelList, type FeatureRecipe } from '../../engine/inspect/index.ts';
import { DEFAULT_MODEL } from '../../engine/model/load.ts';
import { FarmJobsFailedError } from '../../farm/submit.ts';
import { jsonLinesSink, terminalSink } from '../progress.ts';
import { appVersion, UsageError, withInterrupt } from '../shared.ts';
import { atlasHtml, type AtlasIndex } from '../farm/atlasHtml.ts';
import { ATLAS_INDEX, atlasTile } from '../../host/atlasIndex.ts';
import { rawToImage } from '../farm/handlers.ts';
import { outputFolder } from '../farm/outputs.ts';
import { farmFlagHelp, farmFlagSpec } from '../farm/runner.ts';
import { openJobSession } from '../farm/session.ts';

export const DEFAULT_ATLAS_LAYERS = Array.from({ length: 11 }, (_, i) => `mixed${i}`);

export const atlasHelp = `reverie atlas -o DIR [options]

Renders what every channel of the chosen layers responds to (feature visualization, as reverie filters)
as DIR/<layer>/<channel>.png and writes DIR/index.html: an offline page with layer navigation, search,
and each channel's "dream with this" recipe. Tiles already in DIR with the same recipe are kept.
  --layers L1,L2       layers (default mixed0..mixed10)
  --channels LIST      channels of each layer, e.g. 0-23 (default: all)
  --size PX            side of each tile (default 128)
  --steps N            Adam steps (default 256)
  --seed N             random seed (default 0)
  --model M            a model name (default ${DEFAULT_MODEL})
${farmFlagHelp}
  --backend B          auto | tensorflow | wasm | cpu (default auto; local runs)
  --json               JSON-lines progress on stdout`;

const int = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n)) throw new UsageError(`--${flag} expects a whole number, got "${v}".`);
  return n;
};

/** A tile's PNG text: the same for the same model, target and recipe, so reruns can recognise it. */
const tileMeta = (model: { id: string; sha256: string }, layer: string, channel: number, recipe: FeatureRecipe): string =>
  JSON.stringify({ app: 'reverie', model: model.id, modelSha256: model.sha256, layer, channel, recipe });

async function alreadyMade(path: string, meta: string): Promise<boolean> {
  try {
    return readPngTexts(await readFile(path), path)[FEATURE_PNG_KEY] === meta;
  } catch {
    return false;
  }
}

export async function atlasCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...farmFlagSpec, out: { type: 'string', short: 'o' }, layers: { type: 'string' }, channels: { type: 'string' }, size: { type: 'string' }, steps: { type: 'string' }, seed: { type: 'string' }, model: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' } },
  });
  const out = await outputFolder(values.out, atlasHelp);
  const partial = { size: int('size', values.size), steps: int('steps', values.steps), seed: int('seed', values.seed) };
  const recipe = featureRecipe(Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)));
  const sink = values.json ? jsonLinesSink(process.stdout) : terminalSink(process.stderr);
  const session = await openJobSession(values, values.model ?? DEFAULT_MODEL, { needModel: true });
  try {
    const model = session.model!;
    const layers = (values.layers ?? DEFAULT_ATLAS_LAYERS.join(',')).split(',').map((s) => s.trim()).filter(Boolean).map((name) => {
      const info = layerInfo(model, name);
      return { name: info.name, training: info.training, channels: values.channels ? parseChannelList(values.channels, info.channels, `layer "${info.name}"`) : Array.from({ length: info.channels }, (_, c) => c) };
    });
    const index: AtlasIndex = { model: session.ref, size: recipe.size, steps: recipe.steps, layers };
    const all = layers.flatMap((l) => l.channels.map((channel) => ({ layer: l.name, channel, path: join(out, atlasTile(l.name, channel)), meta: tileMeta(session.ref, l.name, channel, recipe) })));
    const todo: typeof all = [];
    for (const t of all) if (!(await alreadyMade(t.path, t.meta))) todo.push(t);
    for (const l of layers) await mkdir(join(out, l.name), { recursive: true });
    sink.event('start', { channels: all.length, todo: todo.length, message: `Atlas of ${all.length} channel(s) (${all.length - todo.length} already made) at ${recipe.size}px on ${await session.runner.describe()}` });
    const started = performance.now();
    let done = 0;
    const failures = await withInterrupt((signal) =>
      session.runner.run(
        { length: todo.length, get: (i) => ({ kind: 'feature' as const, payload: { model: session.ref, layer: todo[i]!.layer, channel: todo[i]!.channel, recipe: { ...recipe } } }) },
        {
          signal,
          onResult: async (i, result) => {
            const t = todo[i]!;
            await writeFileAtomic(t.path, await encodePng({ ...rawToImage(result), alpha: null }, { [FEATURE_PNG_KEY]: t.meta }));
            done++;
            const elapsed = performance.now() - started;
            sink.update(done / todo.length, `${done}/${todo.length} ${t.layer}:${t.channel}`, (elapsed / done) * (todo.length - done), { done, total: todo.length });
          },
          onFailure: (i, reason) => sink.event('failed', { layer: todo[i]!.layer, channel: todo[i]!.channel, reason, message: `${todo[i]!.layer}:${todo[i]!.channel}: ${reason}` }),
        },
      ),
    );
    await writeFileAtomic(join(out, ATLAS_INDEX), `${JSON.stringify({ ...index, appVersion: appVersion(), recipe }, null, 1)}\n`);
    await writeFileAtomic(join(out, 'index.html'), atlasHtml(index));
    if (failures.length) throw new FarmJobsFailedError(failures.map((f) => ({ ...f, reason: `${todo[f.index]!.layer}:${todo[f.index]!.channel}: ${f.reason}` })));
    sink.done(`Wrote ${all.length} tile(s) and ${join(out, 'index.html')}`, { output: out, channels: all.length, rendered: todo.length });
  } finally {
    await session.close();
  }
}
