// Crash-safe output: readers see either the old file or the complete new one, never a partial
// write, because the data goes to a temp file in the same folder and is renamed over the target.
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputWriteError } from './errors.ts';

/** Plain-words reason for a failed write, keyed by system error code. */
export function writeFailureReason(code: string | undefined): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'disk full';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'folder is not writable';
    case 'ENOENT':
      return 'folder does not exist';
    case 'ENOTDIR':
      return 'folder does not exist (part of the path is a file)';
    case 'EISDIR':
      return 'a folder already exists at this path';
    case 'ENAMETOOLONG':
      return 'file name is too long';
    default:
      return 'could not write the file';
  }
}

/**
 * Writes `data` to `path` atomically: temp file in the same folder, fsync, rename over the target.
 * On failure the temp file is removed, any existing target is untouched, and OutputWriteError says why.
 * `mode` sets the file's permissions (default: the target's, else 0666 less the umask).
 */
export async function writeFileAtomic(path: string, data: Buffer | string, opts: { mode?: number } = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const mode = opts.mode ?? (await existingMode(path));
    // 'wx' so a colliding temp name is an error rather than a shared file.
    const handle = await open(tmp, 'wx', mode ?? 0o666);
    created = true;
    try {
      await handle.writeFile(data);
      if (mode !== undefined) await handle.chmod(mode); // keep the target's permissions despite umask
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    created = false;
    await syncDir(dir);
  } catch (err) {
    if (created) await rm(tmp, { force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    const detail = err instanceof Error ? err.message : String(err);
    throw new OutputWriteError(path, writeFailureReason(code), code, { detail, cause: err });
  }
}

async function existingMode(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.mode & 0o7777 : undefined;
  } catch {
    return undefined; // absent (or unreadable): the open/rename below reports real problems
  }
}

/** Persists a rename in `dir` itself; best effort, as some platforms (Windows) cannot fsync a folder. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data is already durable in the renamed file; only the directory entry may lag.
  }
}

/**
 * Whether the process that left a temp file or folder (named with its pid) still runs; EPERM means
 * it does, under another user. Writers use it to tell a live writer from a killed one's leftovers.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
