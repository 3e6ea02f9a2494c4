// `reverie info DREAM.png`: the recipe and facts a dreamed PNG carries.
import { parseArgs } from 'node:util';
import { readDreamMetadata } from '../../engine/render/metadata.ts';
import { UsageError } from '../shared.ts';

export const infoHelp = `reverie info DREAM.png [--json]

Prints the recipe embedded in a PNG that Reverie made; reproduce it with
reverie dream INPUT --recipe-from DREAM.png -o again.png`;

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
      `steps        ${r.steps} x ${r.octaves} octaves (scale ${r.octaveScale}), step size ${r.stepSize}`,
      `tiles        ${r.tileSize} px, jitter ${r.jitter} px, seed ${r.seed}`,
      `recipe JSON  ${JSON.stringify(r)}`,
    ].join('\n') + '\n',
  );
}
