// Max-pool gradient without arg-max indices, for providers whose MaxPool has no Indices output
// (onnxruntime's WebGPU). For each window offset in row-major order (so the first maximum wins ties,
// as the tfjs executor and ScatterElements do) it takes what is left of dy where the input there
// equals the window's max; one ConvTranspose with a one-hot kernel per offset then puts every
// offset's share back at its input pixel, in a [N*C, k*k, OH, OW] layout that needs no groups.
import { outputPadding, windowPads, type OnnxLowering } from './onnx.ts';
import type { PoolSpec } from '../../ops/pool.ts';
import type { NodeBase } from './types.ts';

/** A max-pool node's parts this lowering reads (maxPool.ts calls it, so it names no type of that module). */
export function maxPoolGradientByWindows(node: NodeBase & { spec: PoolSpec }, g: string, ctx: OnnxLowering): string {
  const x = node.inputs[0]!;
  const k = node.spec.poolSize;
  const s = node.spec.strides;
  const { pads, out, inH, inW } = windowPads(ctx, x, k, s, node.spec.padding);
  const [nn, c] = ctx.nchw(x);
  // -Infinity padding never equals a window's max, so padding never takes a share.
  let source = x;
  if (pads.some((p) => p > 0)) {
    source = ctx.fresh('maxPadded');
    ctx.emit('Pad', [x, ctx.ints('pads', [0, 0, pads[0]!, pads[1]!, 0, 0, pads[2]!, pads[3]!]), ctx.constant('minusInf', [], Float32Array.of(-Infinity))], [source]);
  }
  const planes = ctx.ints('planes', [nn * c, 1, out[0], out[1]]);
  let left = g;
  const shares: string[] = [];
  for (let i = 0; i < k[0]; i++) {
    for (let j = 0; j < k[1]; j++) {
      const window = ctx.fresh('window');
      ctx.emit('Slice', [source, ctx.ints('starts', [i, j]), ctx.ints('ends', [i + s[0] * (out[0] - 1) + 1, j + s[1] * (out[1] - 1) + 1]), ctx.ints('axes', [2, 3]), ctx.ints('steps', [...s])], [window]);
      const hit = ctx.fresh('isMax');
      ctx.emit('Equal', [window, node.name], [hit]);
      const share = ctx.fresh('share');
      ctx.emit('Where', [hit, left, ctx.zero], [share]);
      if (i !== k[0] - 1 || j !== k[1] - 1) {
        const rest = ctx.fresh('left');
        ctx.emit('Where', [hit, ctx.zero, left], [rest]);
        left = rest;
      }
      const flat = ctx.fresh('sharePlanes');
      ctx.emit('Reshape', [share, planes], [flat]);
      shares.push(flat);
    }
  }
  const stacked = ctx.fresh('shares');
  ctx.emit('Concat', shares, [stacked], { axis: 1 });
  const area = k[0] * k[1];
  const oneHot = new Float32Array(area * area);
  for (let o = 0; o < area; o++) oneHot[o * area + o] = 1;
  const placed = ctx.fresh('placed');
  ctx.emit('ConvTranspose', [stacked, ctx.constant('oneHot', [area, 1, k[0], k[1]], oneHot)], [placed], { kernel_shape: [...k], strides: [...s], pads, output_padding: outputPadding(k, s, pads, out, inH, inW) });
  const dx = ctx.fresh(`dx:${x}`);
  ctx.emit('Reshape', [placed, ctx.ints('shape', [nn, c, inH, inW])], [dx]);
  return dx;
}
