// JSON files in the config folder: written atomically; a file that cannot be read back as valid is
// set aside (renamed, never deleted) and reported, so a corrupt file costs defaults, not a crash.
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import { ReverieError } from '../shared/errors.ts';

export class SettingsError extends ReverieError {
  override name = 'SettingsError';
}

export interface Loaded<T> {
  value: T;
  /** Set when the file was unreadable or invalid: what was wrong, and where the bad copy went. */
  problem?: string;
}

/**
 * Reads and validates `path`. Missing → fallback. Unparseable or invalid → the file is renamed to
 * `<path>.corrupt-<time>` and the fallback returned, with the reason in `problem`.
 */
export async function readJsonFile<T>(path: string, validate: (json: unknown, source: string) => T, fallback: () => T): Promise<Loaded<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { value: fallback() };
    return { value: fallback(), problem: `${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); using defaults.` };
  }
  let reason: string;
  try {
    return { value: validate(JSON.parse(text), path) };
  } catch (err) {
    reason = err instanceof SyntaxError ? `not valid JSON (${err.message})` : (err as Error).message;
  }
  const aside = await setAside(path);
  return { value: fallback(), problem: `${path} was unusable: ${reason}. ${aside ? `It was set aside as ${aside}` : 'It could not be set aside'}; using defaults.` };
}

/** Renames a bad file out of the way; null when even that fails. */
export async function setAside(path: string): Promise<string | null> {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  return rename(path, aside).then(() => aside, () => null);
}

export async function writeJsonFile(path: string, value: unknown, opts: { mode?: number } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, opts);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
