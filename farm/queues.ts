// Where jobs live in Redis: one BullMQ queue per model fingerprint, so a worker listens only on the
// queues of models it holds (and a job never reaches a worker that lacks its model).
import { Queue, QueueEvents } from 'bullmq';
import type { FarmConnection } from './url.ts';
import type { ModelRef } from './kinds.ts';

/** Every Reverie key in Redis starts with this (BullMQ's prefix). */
export const FARM_PREFIX = 'reverie';
/**
 * BullMQ copies each result into its event stream too; a short stream keeps Redis memory bounded
 * (64 tile gradients of 4 MB at most). A submitter that misses events finds its jobs by polling.
 */
export const EVENTS_MAX_LEN = 64;

export function queueName(model: ModelRef): string {
  return `model-${model.sha256.slice(0, 24)}`;
}

/** A worker's name as BullMQ lists it (CLIENT SETNAME): host, pid and the models it holds. */
export function workerName(host: string, pid: number, models: readonly string[]): string {
  return `${host}:${pid}:${models.join('+')}`.replace(/[^A-Za-z0-9_.:+-]/g, '_');
}

export function openQueue(connection: FarmConnection, model: ModelRef | string): Queue {
  return new Queue(typeof model === 'string' ? model : queueName(model), { connection: { ...connection.options }, prefix: FARM_PREFIX, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
}

export function openQueueEvents(connection: FarmConnection, model: ModelRef | string): QueueEvents {
  return new QueueEvents(typeof model === 'string' ? model : queueName(model), { connection: { ...connection.options }, prefix: FARM_PREFIX });
}

/** Workers connected to a model's queue now (their names), for "N workers" and a warning at none. */
export async function workersOnline(queue: Queue): Promise<string[]> {
  const workers = await queue.getWorkers();
  return workers.map((w) => String(w['name'] ?? w['addr'] ?? '?'));
}
