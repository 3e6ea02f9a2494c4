// What farm tests compare and count: the PNGs of an output folder, byte for byte or as pixels, and
// the jobs a model's queue still holds.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { Queue } from 'bullmq';
import { expect } from 'vitest';
import { parseFarmUrl } from '../../farm/url.ts';
import { FARM_PREFIX, queueName } from '../../farm/queues.ts';
import type { TestWorker } from './farmWorkers.ts';

export async function files(folder: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.png')) out.set(join(entry.parentPath, entry.name).slice(folder.length), await readFile(join(entry.parentPath, entry.name)));
  }
  return out;
}

/** Decoded pixels per file (dreamed PNGs carry a creation time, so their bytes differ run to run). */
export async function pixels(folder: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const [name, png] of await files(folder)) out.set(name, await sharp(png).raw().toBuffer());
  return out;
}

export function expectSame(a: Map<string, Buffer>, b: Map<string, Buffer>, count: number): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  expect(a.size).toBe(count);
  for (const [name, bytes] of a) expect(bytes.equals(b.get(name)!), name).toBe(true);
}

/** The queue of the model a worker serves (from its ready event). */
export function queueOfWorkers(worker: TestWorker, url: string): Queue {
  const ready = worker.events.find((e) => e.type === 'ready') as unknown as { models: Array<{ id: string; sha256: string }> };
  return new Queue(queueName(ready.models[0]!), { connection: parseFarmUrl(url).options, prefix: FARM_PREFIX });
}

/** Jobs a queue still holds in any state (a finished run leaves none: results are taken off); closes it. */
export async function jobsLeftIn(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children');
  await queue.close();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
