// A reader that closes its end of the pipe early (`reverie … --json | head -1`) must not crash the
// command or cost its result: the output is still written and the exit status is the usual one.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, writeTestImage } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-pipe-'));
  await writeTestImage(join(dir, 'in.png'), 64, 48);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs reverie with stdout's read end closed at once; resolves with the exit code and stderr. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('stdout closed by the reader', () => {
  it('a --json dream still writes its PNG and exits 0, with no EPIPE crash', async () => {
    const out = join(dir, 'out.png');
    const r = await withClosedStdout(['dream', join(dir, 'in.png'), '-o', out, '--steps', '2', '--octaves', '1', '--layers', 'mixed0', '--json']);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.ts:/);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('a listing exits 0 quietly', async () => {
    const r = await withClosedStdout(['layers', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
