// model.json and its weight shards: the uniform ModelFiles view, and the checks every source (embedded,
// folder, URL, cache) runs on them before anything is decoded.
import type * as tf from '@tensorflow/tfjs-core';
import { ModelLoadError } from '../../shared/errors.ts';

export interface ModelFiles {
  /** 'embedded:inception_v3', an absolute folder path, or the URL it came from */
  id: string;
  format: 'layers-model' | 'graph-model';
  /** Keras topology for layers models (as stored: maybe wrapped in model_config), GraphDef JSON for graph models */
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** All shards concatenated in manifest order */
  weightData: ArrayBuffer;
  userDefinedMetadata?: Record<string, unknown>;
}

/** One weightsManifest entry: shard paths and the weights they hold, in order. */
export type WeightGroup = tf.io.WeightsManifestConfig[number];

/** model.json parsed and checked, before its shards are read. */
export interface ModelJson {
  format: ModelFiles['format'];
  modelTopology: unknown;
  groups: WeightGroup[];
  userDefinedMetadata?: Record<string, unknown>;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
const QUANT_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** Bytes the specs occupy in the weight buffer (quantized values take the quantized width). */
export function specsByteLength(file: string, specs: readonly tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const s of specs) {
    const q = s.quantization?.dtype;
    const width = q !== undefined ? QUANT_BYTES[q] : DTYPE_BYTES[s.dtype];
    if (width === undefined) {
      throw new ModelLoadError(file, `weight "${s.name}" has dtype ${q ?? s.dtype}, which is not supported (only float32, int32, bool, or uint8/uint16/float16 quantization).`);
    }
    total += width * s.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

function detectFormat(file: string, json: Record<string, unknown>): ModelFiles['format'] {
  if (json['format'] === 'layers-model' || json['format'] === 'graph-model') return json['format'];
  const t = json['modelTopology'] as Record<string, unknown> | undefined;
  if (t && typeof t === 'object') {
    if ('model_config' in t || 'class_name' in t) return 'layers-model';
    if (Array.isArray(t['node'])) return 'graph-model';
  }
  throw new ModelLoadError(file, 'neither a TF.js layers model (modelTopology.model_config / class_name) nor a graph model (modelTopology.node).');
}

/** Parses a model.json text; `file` names it in errors. */
export function parseModelJson(file: string, text: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // Never quote what was fetched: JSON.parse's message carries the text's first characters.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new ModelLoadError(file, `not valid JSON${at === undefined ? '' : ` (at character ${at})`}.`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ModelLoadError(file, 'not a model.json object.');
  const obj = json as Record<string, unknown>;
  const format = detectFormat(file, obj);
  const manifest = obj['weightsManifest'];
  if (!Array.isArray(manifest)) throw new ModelLoadError(file, 'has no weightsManifest list.');
  for (const g of manifest as Partial<WeightGroup>[]) {
    if (!Array.isArray(g?.paths) || !Array.isArray(g.weights)) throw new ModelLoadError(file, 'weightsManifest entry lacks paths or weights.');
    for (const p of g.paths) checkRelativePath(file, p);
    specsByteLength(file, g.weights);
  }
  const meta = obj['userDefinedMetadata'];
  return {
    format,
    modelTopology: obj['modelTopology'],
    groups: manifest as WeightGroup[],
    ...(meta && typeof meta === 'object' ? { userDefinedMetadata: meta as Record<string, unknown> } : {}),
  };
}

/** Shard paths are relative to model.json and may not climb out of its folder. */
export function checkRelativePath(file: string, p: unknown): void {
  // Checked as a URL resolves it too: "%2e%2e" is ".." to a URL, and "%2f" a slash.
  let decoded: string | null = null;
  try {
    decoded = typeof p === 'string' ? decodeURIComponent(p) : null;
  } catch {
    decoded = null;
  }
  const climbs = (q: string) => q === '' || q.startsWith('/') || q.includes('\\') || q.split('/').includes('..') || /^[a-z]+:/i.test(q);
  if (typeof p !== 'string' || decoded === null || climbs(p) || climbs(decoded)) {
    throw new ModelLoadError(file, `weightsManifest path ${JSON.stringify(p)} is not a plain relative path.`);
  }
}

/**
 * Checks a group's shard sizes against its specs. Weights may straddle shards, so only the group total
 * is exact; the converter makes all shards but the last equal, so the odd one out is named as culprit.
 */
export function checkGroupSizes(shardNames: readonly string[], sizes: readonly number[], specs: readonly tf.io.WeightsManifestEntry[], jsonFile: string): void {
  const need = specsByteLength(jsonFile, specs);
  const have = sizes.reduce((a, b) => a + b, 0);
  if (have === need) return;
  const counts = new Map<number, number>();
  for (const s of sizes.slice(0, -1)) counts.set(s, (counts.get(s) ?? 0) + 1);
  const usual = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const odd = sizes.slice(0, -1).findIndex((s) => s !== usual);
  const culprit = shardNames[odd >= 0 ? odd : shardNames.length - 1] ?? jsonFile;
  const what = shardNames.length === 1 ? `shard has ${have} bytes` : `the group's ${shardNames.length} shards have ${have} bytes in all`;
  throw new ModelLoadError(culprit, `${what}, but its ${specs.length} weights need ${need} (${have < need ? 'truncated' : 'too long'}).`);
}

/** One exact-size ArrayBuffer (a Buffer may be a view into a larger shared pool). */
function concat(parts: readonly Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.byteLength), 0);
  return out.buffer;
}

/** ModelFiles from a checked model.json and its shard bytes, in manifest order. */
export function filesOf(id: string, json: ModelJson, parts: readonly Uint8Array[]): ModelFiles {
  const { format, modelTopology, groups, userDefinedMetadata } = json;
  return { id, format, modelTopology, weightSpecs: groups.flatMap((g) => g.weights), weightData: concat(parts), ...(userDefinedMetadata ? { userDefinedMetadata } : {}) };
}
