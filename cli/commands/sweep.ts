// `reverie sweep IN -o sheet.png --vary layers=mixed3,mixed4,mixed5`: one image dreamed with each
// value of one or two recipe settings, as a labelled contact sheet. Locally or on a farm (--farm).
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage, encodePng, DEFAULT_MAX_PIXELS } from '../../engine/io/image.ts';
import { writeFileAtomic } from '../../engine/io/atomic.ts';
import { contactSheet } from '../../engine/inspect/sheet.ts';
import { layerInfo } from '../../engine/inspect/targets.ts';
import { metadataText } from '../../engine/render/metadata.ts';
import { parseRecipe, type Recipe } from '../../engine/recipe/recipe.ts';
import type { RgbImage } from '../../engine/shared/image.ts';
import { FarmJobsFailedError } from '../../farm/submit.ts';
import { recipeFlagSpec, recipeFromFlags } from '../recipeOptions.ts';
import { jsonLinesSink, terminalSink } from '../progress.ts';
import { appVersion, maxPixelsFlag, UsageError, withInterrupt } from '../shared.ts';
import { farmFlagHelp, farmFlagSpec } from '../farm/runner.ts';
import { imageToRaw, rawToImage } from '../farm/handlers.ts';
import { openJobSession } from '../farm/session.ts';
import { parseSweepAxis, sweepCells, SWEEP_KEYS } from '../farm/sweep.ts';
import { pngOutput } from './filters.ts';

export const sweepHelp = `reverie sweep IN -o SHEET.png --vary KEY=VALUES [--vary KEY=VALUES] [options]

Dreams IN once per value (two --vary: once per combination) and writes a labelled contact sheet.
KEY is one of ${SWEEP_KEYS.join(', ')}:
  --vary layers=mixed3,mixed4+mixed5   --vary channel=mixed4:0-7   --vary step-size=0.5,1.5,3
Every other setting comes from the recipe flags of reverie dream (--steps, --octaves, --recipe, …).
  --cell PX           side of each cell (default 256)
${farmFlagHelp}
  --backend B         auto | tensorflow | wasm | cpu (default auto; local runs)
  --max-pixels N      refuse larger inputs (default ${DEFAULT_MAX_PIXELS})
  --json              JSON-lines progress on stdout`;

export async function sweepCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...recipeFlagSpec, ...farmFlagSpec, out: { type: 'string', short: 'o' }, vary: { type: 'string', multiple: true }, cell: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, 'max-pixels': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('reverie sweep takes one input image.', sweepHelp);
  const out = await pngOutput(values.out, sweepHelp);
  const varies = values.vary ?? [];
  if (varies.length < 1 || varies.length > 2) throw new UsageError('Give one or two --vary KEY=VALUES.', sweepHelp);
  const cellSize = values.cell === undefined ? 256 : Number(values.cell);
  if (!Number.isInteger(cellSize) || cellSize < 16 || cellSize > 1024) throw new UsageError(`--cell expects a whole number of pixels from 16 to 1024, got "${values.cell}".`);
  const base = await recipeFromFlags(values);
  const image = await decodeImage(positionals[0]!, { maxPixels: maxPixelsFlag(values['max-pixels'], DEFAULT_MAX_PIXELS) });
  const sink = values.json ? jsonLinesSink(process.stdout) : terminalSink(process.stderr);
  // The model here gives channel counts for channel ranges (the dreams themselves may run elsewhere).
  const session = await openJobSession(values, base.model, { needModel: true });
  const results: RgbImage[] = [];
  try {
    const axes = varies.map((v) => parseSweepAxis(v, (layer) => layerInfo(session.model!, layer).channels));
    const cells = sweepCells(axes, base).map((c) => ({ ...c, recipe: parseRecipe(c.recipe, `sweep cell "${c.label}"`) as Recipe }));
    sink.event('start', { cells: cells.length, message: `Sweep of ${cells.length} cell(s) on ${await session.runner.describe()}` });
    const started = performance.now();
    let done = 0;
    const raw = imageToRaw(image);
    const failures = await withInterrupt((signal) =>
      session.runner.run(
        { length: cells.length, get: (i) => ({ kind: 'dream-image' as const, payload: { model: session.ref, recipe: { ...cells[i]!.recipe, model: session.ref.id }, image: raw } }) },
        {
          signal,
          onResult: (i, result) => {
            results[i] = rawToImage(result);
            done++;
            const elapsed = performance.now() - started;
            sink.update(done / cells.length, `${done}/${cells.length} ${cells[i]!.label}`, (elapsed / done) * (cells.length - done), { done, total: cells.length });
          },
          onFailure: (i, reason) => sink.event('failed', { cell: cells[i]!.label, reason, message: `${cells[i]!.label}: ${reason}` }),
        },
      ),
    );
    if (failures.length) throw new FarmJobsFailedError(failures.map((f) => ({ ...f, reason: `${cells[f.index]!.label}: ${f.reason}` })));
    const columns = axes.length === 2 ? axes[1]!.values.length : undefined; // one row per value of the first axis
    const sheet = await contactSheet(cells.map((c, i) => ({ image: results[i]!, label: c.label })), { cellSize, ...(columns ? { columns } : {}), title: `${basename(positionals[0]!)}: ${axes.map((a) => a.name).join(' × ')}` });
    const meta = metadataText({ app: 'reverie', appVersion: appVersion(), backend: session.backend, input: basename(positionals[0]!), createdAt: new Date().toISOString(), recipe: base });
    await writeFileAtomic(out, await encodePng({ ...sheet, alpha: null }, { ...meta, 'reverie-sweep': JSON.stringify(cells.map((c) => ({ label: c.label, recipe: c.recipe }))) }));
    sink.done(`Wrote ${values.out} (${sheet.width}x${sheet.height}, ${cells.length} cells)`, { output: out, cells: cells.length, width: sheet.width, height: sheet.height });
  } finally {
    await session.close();
  }
}
