// Requests come from a renderer, which a host does not trust: every field is checked here, and
// failures are typed errors the UI shows as they are.
import type { FileBytes } from '../contract/types.ts';
import { ReverieError } from '../engine/shared/errors.ts';
import { recipeAssets, type Recipe } from '../engine/recipe/recipe.ts';
import { MAX_IMAGE_BYTES } from './limits.ts';

export class BadRequestError extends ReverieError {
  override name = 'BadRequestError';
}
export class NotFoundError extends ReverieError {
  override name = 'NotFoundError';
}
/** The project or session is being rendered: the request would race the job. */
export class BusyError extends ReverieError {
  override name = 'BusyError';
}

/** Ids are ours (hex, dashes): nothing that could name a path outside the data folder. */
const ID = /^[a-z0-9][a-z0-9-]{0,79}$/;

/** Images and PNGs the renderer may send in one request. */
export const MAX_UPLOAD_BYTES = MAX_IMAGE_BYTES;

export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestError(`${what} must be an object.`);
  return value as Record<string, unknown>;
}

export function requireId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new BadRequestError(`${what} is not a valid id.`);
  return value;
}

export function requireInt(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BadRequestError(`${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function requireFileBytes(value: unknown, maxBytes = MAX_IMAGE_BYTES): FileBytes {
  const req = requireObject(value, 'The request');
  const name = req['name'];
  const data = req['data'];
  if (typeof name !== 'string' || name.length === 0 || name.length > 255) throw new BadRequestError('The file needs a name of 1 to 255 characters.');
  if (!(data instanceof Uint8Array)) throw new BadRequestError(`${name}: the file's bytes are missing.`);
  if (data.length === 0) throw new BadRequestError(`${name}: the file is empty.`);
  if (data.length > maxBytes) throw new BadRequestError(`${name}: the file is larger than ${formatLimit(maxBytes)}.`);
  // Only the base name is kept: the name is a label, never a path.
  return { name: name.split(/[\\/]/).pop() || 'image', data };
}

/**
 * Every mask and guide the recipe names must come with the request (the app sends them as imported
 * inputs; term masks reach the engine from the CLI only so far): say so before queueing.
 */
export function requireNoAssets(recipe: Recipe, given: readonly { hash: string }[] = []): void {
  const missing = recipeAssets(recipe).filter((h) => !given.some((a) => a.hash === h));
  if (missing.length > 0) {
    throw new BadRequestError('This recipe names a mask or guide image that did not come with it: choose them again in the Dream panel, or use reverie dream --recipe-from on the PNG (or --mask, --guide).');
  }
}

function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${Math.round(bytes / 1024)} KB`;
}
