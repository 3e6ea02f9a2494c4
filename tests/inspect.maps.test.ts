// Feature maps, top channels, the first convolution's kernels, seed filters and contact sheets.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../engine/io/image.ts';
import type { Graph } from '../engine/graph/graph.ts';
import type { DreamModel } from '../engine/shared/model.ts';
import { preReluSource, redirectedChannel } from '../engine/objectives/redirected.ts';
import { applySeedFilter, channelPlane, strongestNeighbours, contactSheet, featureMaps, firstConvolution, kernelPatches, MARK_COLOUR, sheetLayout, topChannels, viridis } from '../engine/inspect/index.ts';
import { toModelRange } from '../engine/render/image.ts';
import type { RgbImage } from '../engine/shared/image.ts';
import { embeddedModel } from './helpers/embedded.ts';

const CAT = new URL('../assets/examples/cat.jpg', import.meta.url).pathname;
let model: DreamModel;
let cat: RgbImage;

beforeAll(async () => {
  model = await embeddedModel();
  cat = await decodeImage(CAT);
});

describe('feature maps', () => {
  it("gives a photo's maps and its top channels, without leaks", () => {
    const before = tf.memory().numTensors;
    const maps = featureMaps(model, cat, 'mixed3', { maxSide: 160 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.max(maps.inputWidth, maps.inputHeight)).toBe(160);
    expect(maps.channels).toBe(768);
    expect(maps.data.length).toBe(maps.height * maps.width * 768);
    const plane = channelPlane(maps, 100);
    expect(maps.means[100]).toBeCloseTo(plane.reduce((s, v) => s + v, 0) / plane.length, 4);
    const top = topChannels(maps.means, 5);
    expect(top).toHaveLength(5);
    expect(top[0]!.mean).toBe(Math.max(...maps.means));
    for (let i = 1; i < top.length; i++) expect(top[i]!.mean).toBeLessThanOrEqual(top[i - 1]!.mean);
    expect(() => channelPlane(maps, 768)).toThrow(/0-767/);
    const neighbours = strongestNeighbours(model, cat, 'mixed3', top[0]!.channel, 3);
    expect(neighbours).toHaveLength(3);
    expect(neighbours.map((n) => n.channel)).not.toContain(top[0]!.channel);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('traces channels to the convolution that makes them: relu(pools(pre-ReLU)) is the activation', () => {
    const graph = (model as unknown as { graph: Graph }).graph;
    const x = toModelRange({ width: 96, height: 96, rgb: cat.rgb.slice(0, 96 * 96 * 3) }, model.inputRange);
    for (const channel of [5, 420, 600]) {
      const source = preReluSource(graph, 'mixed3', channel)!;
      expect(source).not.toBeNull();
      const input = source.conv.inputs[0]!;
      const acts = model.activations(x, ['mixed3', input]);
      const diff = tf.tidy(() => {
        const [kh, kw, cin] = source.conv.kernel.shape;
        let pre: tf.Tensor4D = tf.conv2d(acts[input]!, tf.slice(source.conv.kernel, [0, 0, 0, source.channel], [kh, kw, cin, 1]), source.conv.spec.strides, source.conv.spec.padding);
        if (source.conv.bias) pre = tf.add(pre, tf.slice(source.conv.bias, [source.channel], [1]));
        for (const p of source.pools) pre = p.op === 'maxpool' ? tf.maxPool(pre, p.spec.poolSize, p.spec.strides, p.spec.padding) : tf.avgPool(pre, p.spec.poolSize, p.spec.strides, p.spec.padding);
        const actual = tf.slice(acts['mixed3']!, [0, 0, 0, channel], [-1, -1, -1, 1]);
        return tf.max(tf.abs(tf.sub(tf.relu(pre), actual))).dataSync()[0]!;
      });
      expect(diff).toBeLessThan(1e-3);
      expect(channel < 480 ? source.pools : source.pools.length).toEqual(channel < 480 ? [] : 1);
      tf.dispose(Object.values(acts));
    }
    x.dispose();
    expect(redirectedChannel(model, 'mixed3', 5).layers).toHaveLength(2);
  });
});

describe('kernels and seed filters', () => {
  it("draws the first convolution's 32 filters of 3x3x3 as patches", () => {
    const before = tf.memory().numTensors;
    const conv = firstConvolution(model);
    expect(conv.shape).toEqual([3, 3, 3, 32]);
    expect(conv.layers[0]).toBe('conv2d_1');
    const patches = kernelPatches(conv);
    expect(patches).toHaveLength(32);
    expect(patches[0]!.width).toBe(3);
    // Each filter stretched to full contrast touches 0 or 255 somewhere.
    expect(patches.every((p) => p.rgb.some((v) => v < 0.5 || v > 254.5))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Sobel x finds a vertical edge and nothing else; blur keeps flat areas flat', () => {
    const before = tf.memory().numTensors;
    const w = 8;
    const rgb = new Float32Array(w * w * 3).map((_, i) => (Math.floor(i / 3) % w < 4 ? 40 : 200));
    const edge = applySeedFilter({ width: w, height: w, rgb }, 'sobel-x');
    const row = Array.from({ length: w }, (_, x) => edge.rgb[(2 * w + x) * 3]!);
    expect(row[0]).toBe(127.5);
    expect(row[3]).toBeGreaterThan(250);
    expect(row[7]).toBe(127.5);
    const blurred = applySeedFilter({ width: w, height: w, rgb: new Float32Array(w * w * 3).fill(90) }, 'blur');
    expect(Math.max(...blurred.rgb.map((v) => Math.abs(v - 90)))).toBeLessThan(1e-3);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('contact sheets', () => {
  it('lays out labelled cells at the promised size, framing marked ones', async () => {
    const tile: RgbImage = { width: 10, height: 10, rgb: new Float32Array(300).fill(0) };
    const cells = Array.from({ length: 5 }, (_, i) => ({ image: tile, label: String(i), marked: i === 4 }));
    const sheet = await contactSheet(cells, { cellSize: 40, columns: 3 });
    const layout = sheetLayout(5, { cellSize: 40, columns: 3 });
    expect([sheet.width, sheet.height]).toEqual([layout.width, layout.height]);
    expect([layout.columns, layout.rows]).toEqual([3, 2]);
    const px = (x: number, y: number): number[] => Array.from(sheet.rgb.slice((y * sheet.width + x) * 3, (y * sheet.width + x) * 3 + 3));
    // The label strip under the first cell has light text pixels on the dark background.
    const strip = Array.from({ length: 30 * layout.labelHeight }, (_, i) => px(4 + (i % 30), 44 + Math.floor(i / 30))[0]!);
    expect(Math.max(...strip)).toBeGreaterThan(150);
    // Cell 4 (second row, second column) is framed in orange.
    const orange = [0xff, 0x8c, 0x1a];
    expect(MARK_COLOUR).toBe('#ff8c1a');
    expect(px(4 + 44 - 1, 4 + 40 + layout.labelHeight + 4 + 10)).toEqual(orange);
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
  });
});
