// The list of layers a user can dream on: named blocks first (mixed0..mixed10), then every unit.
import { ancestors, inferShapes, type Graph, type GraphNode } from './graph.ts';
import type { LayerInfo, Training } from './types.ts';

/** How to read a model's trainable flags: for the embedded model, frozen layers kept their ImageNet weights. */
export type TrainingProvenance = { frozen: Training; trainable: Training };

const BLOCK = /^(mixed|block|inception)_?\d+[a-z]?$/i;

function kindOf(node: GraphNode): LayerInfo['kind'] {
  if (node.op === 'concat') return BLOCK.test(node.name) ? 'block' : 'concat';
  if (node.op === 'conv' || node.op === 'relu' || node.op === 'affine') return 'conv';
  if (node.op === 'maxpool' || node.op === 'avgpool') return 'pool';
  return 'other';
}

function blockOrder(name: string): number {
  return Number(/\d+/.exec(name)?.[0] ?? 0);
}

export function listLayers(graph: Graph, height: number, width: number, provenance: TrainingProvenance): LayerInfo[] {
  const shapes = inferShapes(graph, height, width);
  const infos = graph.nodes
    .filter((n) => n.op !== 'input')
    .map((node): LayerInfo => {
      const [h, w, c] = shapes.get(node.name)!;
      // A layer counts as fine-tuned when any weight on its path from the input was trainable.
      const fineTuned = ancestors(graph, [node.name]).some((a) => a.trainable && (a.op === 'conv' || a.op === 'affine'));
      return {
        name: node.name,
        kind: kindOf(node),
        height: h,
        width: w,
        channels: c,
        training: fineTuned ? provenance.trainable : provenance.frozen,
      };
    });
  const blocks = infos.filter((l) => l.kind === 'block').sort((a, b) => blockOrder(a.name) - blockOrder(b.name));
  return [...blocks, ...infos.filter((l) => l.kind !== 'block')];
}
