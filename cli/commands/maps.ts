// `reverie maps IN --layer mixed3 -o maps.png [--top K]`: how an image looks through a layer, one
// viridis map per channel on a shared scale; --top K lists and draws the channels it drives hardest.
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { decodeImage, encodePng, DEFAULT_MAX_PIXELS } from '../../engine/io/image.ts';
import { writeFileAtomic } from '../../engine/io/atomic.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import { channelPlane, colourise, contactSheet, featureMaps, FEATURE_PNG_KEY, layerInfo, parseChannelList, topChannels } from '../../engine/inspect/index.ts';
import { appVersion, UsageError } from '../shared.ts';
import { pngOutput } from './filters.ts';

export const mapsHelp = `reverie maps IN --layer L -o OUT.png [options]

Draws IN's feature maps at a layer as a labelled grid (viridis, one scale for all maps: dark = silent,
yellow = strongest). Labels read "channel: mean activation".
  --layer L          layer to look through (reverie layers lists them)
  --top K            only the K channels IN drives hardest (highest mean activation), listed on stdout
  --channels LIST    only these channels, e.g. 0-63 (default: all, or the top K)
  --cell PX          size of each map on the sheet (default 64)
  --columns N        sheet columns (default: square-ish)
  --max-side PX      scale IN down to this before the model sees it (default 512)
  --model M          inception_v3 (embedded), a model folder, model.json or URL
  --backend B        auto | tensorflow | wasm | cpu (default auto)
  --max-pixels N     refuse larger inputs (default ${DEFAULT_MAX_PIXELS})
  --json             print the ranking and result as JSON on stdout`;

export async function mapsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      layer: { type: 'string' }, out: { type: 'string', short: 'o' }, top: { type: 'string' }, channels: { type: 'string' }, cell: { type: 'string' }, columns: { type: 'string' },
      'max-side': { type: 'string' }, model: { type: 'string' }, backend: { type: 'string' }, 'max-pixels': { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const input = positionals[0];
  if (!input || positionals.length > 1) throw new UsageError('reverie maps takes one input image.', mapsHelp);
  if (!values.layer) throw new UsageError('Name the layer with --layer, e.g. --layer mixed3.', mapsHelp);
  const out = await pngOutput(values.out, mapsHelp);
  const top = values.top === undefined ? undefined : Number(values.top);
  if (top !== undefined && !(Number.isInteger(top) && top > 0)) throw new UsageError(`--top expects a whole number above 0, got "${values.top}".`);
  const cell = Number(values.cell ?? 64);
  const maxSide = Number(values['max-side'] ?? 512);
  if (!(Number.isInteger(cell) && cell >= 8 && cell <= 1024)) throw new UsageError(`--cell expects 8 to 1024 pixels, got "${values.cell}".`);
  if (!(Number.isInteger(maxSide) && maxSide >= 16)) throw new UsageError(`--max-side expects a whole number of pixels >= 16, got "${values['max-side']}".`);
  const image = await decodeImage(input, { maxPixels: values['max-pixels'] ? Number(values['max-pixels']) : DEFAULT_MAX_PIXELS });
  const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
  const model = await loadDreamModel(values.model);
  try {
    const info = layerInfo(model, values.layer);
    const maps = featureMaps(model, image, info.name, { maxSide });
    const ranking = topChannels(maps.means, top ?? maps.channels);
    const chosen = values.channels ? parseChannelList(values.channels, maps.channels, `layer "${info.name}"`) : ranking.map((r) => r.channel);
    if (!values.channels && top === undefined) chosen.sort((a, b) => a - b); // all channels: in channel order
    const planes = chosen.map((c) => channelPlane(maps, c));
    const hi = Math.max(1e-6, ...planes.map((p) => Math.max(...p)));
    const fineTuned = info.training === 'fine-tuned';
    const cells = chosen.map((c, i) => ({ image: colourise(planes[i]!, maps.width, maps.height, 0, hi), label: `${c}${fineTuned ? '*' : ''}: ${maps.means[c]!.toFixed(2)}`, marked: fineTuned }));
    const title = `${input.split(/[\\/]/).pop()} through ${info.name}${fineTuned ? ' (fine-tuned *)' : ''}: ${maps.width}x${maps.height} maps, scale 0-${hi.toFixed(2)}`;
    const sheet = await contactSheet(cells, { cellSize: cell, columns: values.columns ? Number(values.columns) : undefined, title, kernel: 'nearest' });
    const meta = { [FEATURE_PNG_KEY]: JSON.stringify({ app: 'reverie', appVersion: appVersion(), backend, model: model.id, layer: info.name, training: info.training, input, channels: chosen }) };
    await writeFileAtomic(out, await encodePng({ ...sheet, alpha: null }, meta));
    const shownTop = top === undefined ? [] : ranking.slice(0, top);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ output: out, width: sheet.width, height: sheet.height, layer: info.name, training: info.training, fineTuned, mapSize: [maps.height, maps.width], input: [maps.inputHeight, maps.inputWidth], channels: chosen, top: shownTop.map((r, i) => ({ rank: i + 1, channel: r.channel, mean: Number(r.mean.toFixed(5)) })), scale: [0, hi] })}\n`);
      return;
    }
    const lines = [];
    if (shownTop.length) {
      lines.push(`Top ${shownTop.length} channels of ${info.name}${fineTuned ? ' (fine-tuned weights, marked *)' : ''} for ${input}:`, 'rank  channel  mean');
      shownTop.forEach((r, i) => lines.push(`${String(i + 1).padStart(4)}  ${String(r.channel).padStart(7)}${fineTuned ? '*' : ' '} ${r.mean.toFixed(4)}`));
    }
    lines.push(`Wrote ${values.out} (${sheet.width}x${sheet.height}): ${chosen.length} maps of ${maps.width}x${maps.height}.`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    model.dispose();
  }
}
