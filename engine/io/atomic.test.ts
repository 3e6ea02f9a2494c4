import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFailureReason, writeFileAtomic } from './atomic.ts';
import { OutputWriteError } from './errors.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-atomic-'));
});
afterEach(async () => {
  await chmod(dir, 0o755).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function writeError(path: string, data: Buffer | string = 'new'): Promise<OutputWriteError> {
  const err: unknown = await writeFileAtomic(path, data).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(OutputWriteError);
  return err as OutputWriteError;
}

/** chmod cannot stop root (CAP_DAC_OVERRIDE) writing, so probe whether a 0o555 folder really refuses. */
async function readOnlyFoldersWork(): Promise<boolean> {
  const probe = join(dir, 'probe');
  await mkdir(probe);
  await chmod(probe, 0o555);
  const refused = await writeFile(join(probe, 'x'), '').then(() => false, () => true);
  await chmod(probe, 0o755);
  await rm(probe, { recursive: true });
  return refused;
}

describe('writeFileAtomic', () => {
  it('writes a new file and replaces an existing one, leaving no temp files', async () => {
    const path = join(dir, 'out.png');
    await writeFileAtomic(path, Buffer.from([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    await writeFileAtomic(path, 'text ✓');
    expect(await readFile(path, 'utf8')).toBe('text ✓');
    expect(await readdir(dir)).toEqual(['out.png']);
  });

  it('keeps the permissions of the file it replaces', async () => {
    const path = join(dir, 'private.json');
    await writeFile(path, 'old', { mode: 0o600 });
    await chmod(path, 0o600);
    await writeFileAtomic(path, 'new');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('reports a missing folder', async () => {
    const err = await writeError(join(dir, 'missing', 'out.png'));
    expect(err.code).toBe('ENOENT');
    expect(err.message).toMatch(/missing\/out\.png — folder does not exist \(ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  // Running as root (as in CI containers), chmod 0o555 does not stop writes; there a parent path
  // that is a regular file stands in as the "cannot create here" case (ENOTDIR).
  it('reports an unwritable folder and leaves the existing target and no temp file', async () => {
    if (await readOnlyFoldersWork()) {
      const locked = join(dir, 'locked');
      await mkdir(locked);
      await writeFile(join(locked, 'out.png'), 'old');
      await chmod(locked, 0o555);
      try {
        const err = await writeError(join(locked, 'out.png'));
        expect(err.reason).toBe('folder is not writable');
        expect(err.code).toBe('EACCES');
        expect(await readFile(join(locked, 'out.png'), 'utf8')).toBe('old');
        expect(await readdir(locked)).toEqual(['out.png']);
      } finally {
        await chmod(locked, 0o755); // so afterEach can delete it
      }
    } else {
      await writeFile(join(dir, 'file'), 'a file, not a folder');
      const err = await writeError(join(dir, 'file', 'out.png'));
      expect(err.code).toBe('ENOTDIR');
      expect(err.reason).toMatch(/^folder does not exist/);
      expect(await readdir(dir)).toEqual(['file']);
    }
  });

  it('refuses to replace a folder, leaving no temp file', async () => {
    await mkdir(join(dir, 'out.png'));
    await writeFile(join(dir, 'out.png', 'keep'), 'x');
    const err = await writeError(join(dir, 'out.png'));
    expect(err.reason).toBe('a folder already exists at this path');
    expect(await readdir(dir)).toEqual(['out.png']);
  });

  it('maps system error codes to plain reasons', () => {
    expect(writeFailureReason('ENOSPC')).toBe('disk full');
    expect(writeFailureReason('EACCES')).toBe('folder is not writable');
    expect(writeFailureReason('EROFS')).toBe('folder is not writable');
    expect(writeFailureReason('ENOENT')).toBe('folder does not exist');
    expect(writeFailureReason(undefined)).toBe('could not write the file');
  });
});
