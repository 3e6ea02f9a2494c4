// Ctrl-C (SIGINT) to the real CLI in the middle of dream (with worker threads), zoom, session dream and
// session video: it exits promptly with the cancel message, writes no output, and leaves no process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZoomManifest } from '../../engine/project/store.ts';
import { runCli } from '../helpers/cli.ts';
import { photo } from './badImages.ts';
import { processesMentioning, startCli, type RunningCli } from './processes.ts';

let root: string;
let input: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-cancel-cli-'));
  input = join(root, 'in.png');
  await photo(128, 96).png().toFile(input);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** SIGINT once `event` is seen; the process must be gone within `withinMs` (a live worker would keep it). */
async function interrupt(run: RunningCli, event: (e: Record<string, unknown>) => boolean, withinMs = 15_000) {
  await run.event(event);
  run.child.kill('SIGINT');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), withinMs);
  const r = await run.exit;
  clearTimeout(timer);
  expect(r.signal, `still running ${withinMs} ms after Ctrl-C:\n${r.stderr}`).toBeNull();
  expect(processesMentioning(root)).toEqual([]);
  return r;
}

const quiet = (dir: string): Promise<string[]> => readdir(dir).then((names) => names.filter((n) => n !== 'in.png'));

describe('Ctrl-C in the CLI', () => {
  it('dream with worker threads, mid-step: exit 130, no output, the workers do not hold the process open', async () => {
    const out = join(root, 'dream.png');
    const run = startCli(['dream', input, '-o', out, '--tile', '64', '--workers', '2', '--steps', '40', '--octaves', '1', '--layers', 'mixed2', '--backend', 'wasm', '--json']);
    const model = await run.event((e) => e['type'] === 'model');
    expect(model['workers']).toBe(2);
    const r = await interrupt(run, (e) => e['type'] === 'progress' && e['done'] === 2);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/Cancelled; no output was written\./);
    expect(existsSync(out)).toBe(false);
    expect(await quiet(root)).toEqual([]);
  });

  it('zoom while its first frame warms up: exit 130, a resumable project', async () => {
    const project = join(root, 'zoom');
    const run = startCli(['zoom', input, '-o', project, '--frames', '6', '--steps', '3', '--layers', 'mixed2', '--backend', 'wasm', '--json']);
    const r = await interrupt(run, (e) => e['type'] === 'progress');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/Cancelled after \d+ frames; the project is saved\. Continue with: reverie resume/);
    expect(await readZoomManifest(project)).toMatchObject({ status: 'cancelled', pid: null });
    expect((await readdir(project)).filter((n) => n.startsWith('.'))).toEqual([]);
    const resumed = await runCli(['resume', project]);
    expect(resumed.code, resumed.stderr).toBe(0);
    await rm(project, { recursive: true });
  });

  it('session dream: with --frames, Ctrl-C cancels (130); without, Ctrl-C is how a round ends (0)', async () => {
    const session = join(root, 'session');
    const made = await runCli(['session', 'new', session, '--from', input, '--layers', 'mixed2', '--steps', '1']);
    expect(made.code, made.stderr).toBe(0);
    const dreamArgs = ['session', 'dream', session, '--backend', 'wasm', '--json'];
    const counted = await interrupt(startCli([...dreamArgs, '--frames', '50']), (e) => e['type'] === 'frame' && e['index'] === 1);
    expect(counted.code, counted.stderr).toBe(130);
    expect(counted.stderr).toMatch(/Cancelled; round 1 keeps its \d+ frames\. Continue with: reverie session dream/);
    const open = await interrupt(startCli(dreamArgs), (e) => e['type'] === 'frame' && (e['index'] as number) >= 3);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout).toMatch(/"type":"done","message":"Round 1 has \d+ frames\./);

    const video = join(root, 'session.webm');
    const encoding = startCli(['session', 'video', session, '-o', video, '--crossfade', '30', '--hold', '30', '--json']);
    const r = await interrupt(encoding, (e) => e['type'] === 'progress');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/Cancelled; no output was written\./);
    expect(existsSync(video)).toBe(false);
    expect((await readdir(root)).filter((n) => n.includes('session.') || n.includes('partial'))).toEqual([]);
  });
});
