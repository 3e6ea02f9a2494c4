// `reverie kernels -o kernels.png`: the first convolution's filters as colour patches; and
// `reverie kernels --apply sobel-x IN -o out.png`: a classic hand-made filter applied to any picture.
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { decodeImage, encodePng, DEFAULT_MAX_PIXELS } from '../../engine/io/image.ts';
import { writeFileAtomic } from '../../engine/io/atomic.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import { applySeedFilter, contactSheet, firstConvolution, isSeedFilter, kernelPatches, SEED_FILTERS } from '../../engine/inspect/index.ts';
import { UsageError } from '../shared.ts';
import { pngOutput } from './filters.ts';

const filterList = Object.entries(SEED_FILTERS).map(([name, f]) => `    ${name.padEnd(8)} ${f.describe}`).join('\n');

export const kernelsHelp = `reverie kernels -o OUT.png [--cell PX] [--normalise each|all] [--model M]
reverie kernels --apply FILTER IN -o OUT.png

Draws the first convolution's filters (batch norm folded in) as colour patches: mid-grey is zero,
brighter colours are positive weights on that colour. --normalise all keeps their relative strength.
--apply convolves IN with one of the classic 3x3 filters (edges drawn around mid-grey):
${filterList}`;

export async function kernelsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, apply: { type: 'string' }, cell: { type: 'string' }, normalise: { type: 'string' }, columns: { type: 'string' }, model: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' } },
  });
  const out = await pngOutput(values.out, kernelsHelp);
  const report = (message: string, data: Record<string, unknown>): void => void process.stdout.write(values.json ? `${JSON.stringify({ output: out, ...data })}\n` : `${message}\n`);
  if (values.apply !== undefined) {
    if (!isSeedFilter(values.apply)) throw new UsageError(`Unknown filter "${values.apply}"; choose one of: ${Object.keys(SEED_FILTERS).join(', ')}.`, kernelsHelp);
    const input = positionals[0];
    if (!input || positionals.length > 1) throw new UsageError('--apply takes one input image.', kernelsHelp);
    await initBackend((values.backend ?? 'auto') as BackendChoice);
    const image = await decodeImage(input, { maxPixels: DEFAULT_MAX_PIXELS });
    const result = applySeedFilter(image, values.apply);
    await writeFileAtomic(out, await encodePng({ ...result, alpha: image.alpha }));
    report(`Wrote ${values.out} (${result.width}x${result.height}): ${values.apply}, ${SEED_FILTERS[values.apply].describe}.`, { filter: values.apply, width: result.width, height: result.height });
    return;
  }
  if (positionals.length) throw new UsageError('reverie kernels takes no input image unless --apply is given.', kernelsHelp);
  const normalise = values.normalise ?? 'each';
  if (normalise !== 'each' && normalise !== 'all') throw new UsageError(`--normalise expects each or all, got "${normalise}".`);
  const cell = Number(values.cell ?? 48);
  if (!(Number.isInteger(cell) && cell >= 8 && cell <= 512)) throw new UsageError(`--cell expects 8 to 512 pixels, got "${values.cell}".`);
  await initBackend((values.backend ?? 'auto') as BackendChoice);
  const model = await loadDreamModel(values.model);
  try {
    const conv = firstConvolution(model);
    const patches = kernelPatches(conv, normalise);
    const [kh, kw, cin, cout] = conv.shape;
    const sheet = await contactSheet(
      patches.map((image, i) => ({ image, label: String(i) })),
      { cellSize: cell, columns: values.columns ? Number(values.columns) : undefined, kernel: 'nearest', title: `${conv.layers[0] ?? conv.name}: ${cout} filters ${kh}x${kw}x${cin}` },
    );
    await writeFileAtomic(out, await encodePng({ ...sheet, alpha: null }));
    report(`Wrote ${values.out} (${sheet.width}x${sheet.height}): ${cout} filters of ${conv.layers.join(' + ')}, ${kh}x${kw}x${cin}.`, { layer: conv.name, layers: conv.layers, filters: cout, shape: conv.shape, width: sheet.width, height: sheet.height });
  } finally {
    model.dispose();
  }
}
