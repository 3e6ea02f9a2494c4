// A small RAM disk for real "disk full" and "read-only" faults. Mounting needs root (CAP_SYS_ADMIN), as
// CI runs; where it is refused the tests fail saying so, rather than quietly testing another fault.
import { execFileSync } from 'node:child_process';
import { statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

function mount(args: string[]): boolean {
  try {
    execFileSync('mount', args, { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Mounts a tmpfs of `bytes` at `dir` (which must exist); throws, with mount's reason, where it may not. */
export function mountTmpfs(dir: string, bytes: number): void {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    const reason = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).replace(/\s+/g, ' ').trim();
    throw new Error(`Cannot mount a tmpfs at ${dir} (${reason}). The disk-full and read-only tests need a real one: run them as root (CI does), or in a container with CAP_SYS_ADMIN.`);
  }
}

/** Remounts read-only or read-write; retries while a file is still open for writing (EBUSY). */
export async function remount(dir: string, mode: 'ro' | 'rw'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (mount(['-o', `remount,${mode}`, dir])) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`could not remount ${dir} ${mode}`);
}

export function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'pipe' });
}

export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Fills the disk at `dir` until only about `leave` bytes are free; returns the filler's path. */
export async function fillDisk(dir: string, leave: number): Promise<string> {
  const filler = join(dir, 'filler.bin');
  await writeFile(filler, Buffer.alloc(Math.max(0, (await freeBytes(dir)) - leave)));
  return filler;
}
