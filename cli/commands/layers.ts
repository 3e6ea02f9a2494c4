// `reverie layers`: every layer a user can dream on, blocks first, with shapes and what trained them.
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import type { LayerInfo } from '../../engine/shared/model.ts';

export const layersHelp = `reverie layers [--model M] [--size 299 | --size HxW] [--all] [--json]

Lists the layers you can dream on: name, output shape for an input of the given size, channels,
and whether the weights are ImageNet-trained or fine-tuned. Blocks (mixed0..mixed10) come first;
--all adds every convolution, pooling and concatenation unit.`;

const TRAINING_LABEL: Record<LayerInfo['training'], string> = { imagenet: 'ImageNet', 'fine-tuned': 'fine-tuned', unknown: 'unknown' };

function parseSize(text: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text);
  if (!m) throw new Error(`--size expects N or HxW, got "${text}".`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

export async function layersCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, size: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' }, backend: { type: 'string' } } });
  await initBackend((values.backend ?? 'auto') as BackendChoice);
  const model = await loadDreamModel(values.model);
  try {
    const [h, w] = values.size ? parseSize(values.size) : [model.defaultInputSize, model.defaultInputSize];
    const all = model.layers(h, w);
    const shown = values.all ? all : all.filter((l) => l.kind === 'block' || l.kind === 'concat');
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ model: model.id, input: [h, w, 3], layers: shown }, null, 2)}\n`);
      return;
    }
    const rows = shown.map((l) => [l.name, l.kind, `${l.height}x${l.width}x${l.channels}`, String(l.channels), TRAINING_LABEL[l.training]]);
    const head = ['layer', 'kind', `shape @ ${h}x${w}`, 'channels', 'trained on'];
    const widths = head.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    const lines = [`${model.description}`, '', fmt(head), fmt(widths.map((n) => '-'.repeat(n))), ...rows.map(fmt)];
    if (!values.all) lines.push('', `${all.length - shown.length} more units (convolutions, pooling): reverie layers --all`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    model.dispose();
  }
}
