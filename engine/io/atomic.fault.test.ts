// Failures that cannot be provoked for real in a test (a full disk, a rename refused after the
// data was written) are injected by wrapping node:fs/promises for this file only.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from './atomic.ts';
import { OutputWriteError } from './errors.ts';

const fault = vi.hoisted(() => ({ rename: null as NodeJS.ErrnoException | null }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      if (fault.rename !== null) throw fault.rename;
      return real.rename(from, to);
    },
  };
});

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: injected`), { code });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-atomic-fault-'));
});
afterEach(async () => {
  fault.rename = null;
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic under injected faults', () => {
  it.each([
    ['ENOSPC', 'disk full'],
    ['EACCES', 'folder is not writable'],
    ['EROFS', 'folder is not writable'],
  ])('%s after the data is written: removes the temp file, keeps the old target', async (code, reason) => {
    const path = join(dir, 'dream.png');
    await writeFile(path, 'old');
    fault.rename = errno(code);
    const err: unknown = await writeFileAtomic(path, Buffer.alloc(1 << 20, 7)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputWriteError);
    expect(err).toMatchObject({ code, reason, file: path });
    expect((err as Error).message).toBe(`${path} — ${reason} (${code}: injected)`);
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['dream.png']);
  });
});
