// `reverie info DREAM.png`: the recipe and facts a dreamed PNG carries.
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { readDreamMetadata } from '../../engine/render/metadata.ts';
import { octaveCount, octaveSteps } from '../../engine/recipe/octavePlan.ts';
import type { Recipe } from '../../engine/recipe/recipe.ts';
import { UsageError } from '../shared.ts';

export const infoHelp = `reverie info DREAM.png [--json]

Prints the recipe embedded in a PNG that Reverie made; reproduce it with
reverie dream INPUT --recipe-from DREAM.png -o again.png`;

/** The steps line: a fixed count, or (size-aware) the octaves this PNG's size gets and each one's steps. */
async function stepsLine(file: string, r: Recipe): Promise<string> {
  if (r.patternSize === undefined) return `${r.steps} x ${r.octaves} octaves (scale ${r.octaveScale}), step size ${r.stepSize}`;
  const { width = 0, height = 0 } = await sharp(file).metadata();
  const n = octaveCount(r, height, width);
  const sides = Array.from({ length: n }, (_, i) => Math.min(height, width) / r.octaveScale ** (n - 1 - i));
  return `${octaveSteps(r, sides).join('+')} over ${n} octaves (from the image size, pattern size ${r.patternSize}, scale ${r.octaveScale}), step size ${r.stepSize}`;
}

export async function infoCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const file = positionals[0];
  if (!file) throw new UsageError('Name the PNG to read.', infoHelp);
  const meta = await readDreamMetadata(file);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(meta, null, 2)}\n`);
    return;
  }
  const r = meta.recipe;
  const terms = [...r.layers.map((l) => `${l.name}${l.weight !== 1 ? `:${l.weight}` : ''}`), ...r.channels.map((c) => `${c.layer}:${c.index}${c.weight !== 1 ? `:${c.weight}` : ''}`), ...(r.classes ?? []).map((c) => `class "${c.name}"${c.weight !== 1 ? `:${c.weight}` : ''}`)];
  process.stdout.write(
    [
      `Made by Reverie ${meta.appVersion} on ${meta.backend}, ${meta.createdAt}, from ${meta.input}`,
      ...(meta.deviceLabel ? [`device       ${meta.deviceLabel}`] : []),
      `model        ${r.model}`,
      `objective    ${terms.join(' + ')}`,
      `steps        ${await stepsLine(file, r)}`,
      `tiles        ${r.tileSize} px, jitter ${r.jitter} px, seed ${r.seed}`,
      `recipe JSON  ${JSON.stringify(r)}`,
    ].join('\n') + '\n',
  );
}
