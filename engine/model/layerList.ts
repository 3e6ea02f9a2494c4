// The list of layers a user can dream on: the model's curated layers (or named blocks, mixed0..mixed10)
// first, then every unit. The classifier's logits close the list; the rest of the head is not listed.
import { ancestors, inferShapes, nodeWeights, type Graph, type GraphNode } from '../graph/graph.ts';
import { opOf } from '../graph/ops/index.ts';
import type { LayerInfo, Training } from '../shared/model.ts';

/**
 * How to read a model's trainable flags (for the embedded models, frozen layers kept their ImageNet
 * weights), and which layers its curated list (curated.ts) puts first, as 'block's.
 */
export type TrainingProvenance = { frozen: Training; trainable: Training; curated?: readonly string[] };

const BLOCK = /^(mixed|block|inception)_?\d+[a-z]?$/i;

/** The op's kind; concats named like blocks (mixed3, block_2) are blocks. */
function kindOf(node: GraphNode): LayerInfo['kind'] {
  const kind = opOf(node).kind;
  return kind === 'concat' && BLOCK.test(node.name) ? 'block' : kind;
}

function blockOrder(name: string): number {
  return Number(/\d+/.exec(name)?.[0] ?? 0);
}

export function listLayers(graph: Graph, height: number, width: number, provenance: TrainingProvenance): LayerInfo[] {
  const shapes = inferShapes(graph, height, width);
  const logits = graph.classifier?.logits ?? null;
  const curated = provenance.curated ?? [];
  const infos = graph.nodes
    .filter((n) => n.op !== 'input' && (!n.head || n.name === logits))
    .map((node): LayerInfo => {
      const [h, w, c] = shapes.get(node.name)!;
      // A layer counts as fine-tuned when any weight on its path from the input was trainable.
      const fineTuned = ancestors(graph, [node.name]).some((a) => a.trainable && nodeWeights(a).length > 0);
      return {
        name: node.name,
        kind: curated.includes(node.name) ? 'block' : kindOf(node),
        height: h,
        width: w,
        channels: c,
        training: fineTuned ? provenance.trainable : provenance.frozen,
      };
    });
  const rank = (l: LayerInfo) => (curated.includes(l.name) ? curated.indexOf(l.name) : curated.length + blockOrder(l.name));
  const blocks = infos.filter((l) => l.kind === 'block').sort((a, b) => rank(a) - rank(b));
  return [...blocks, ...infos.filter((l) => l.kind !== 'block')];
}
