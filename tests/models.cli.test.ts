// `reverie models`, `reverie presets`, `reverie settings` and `reverie dream --class/--preset`, end to
// end: the real binary, a real HTTP server on 127.0.0.1, temp config and cache folders.
import { createServer, type Server } from 'node:http';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { writeTinyLayersModel } from './helpers/testModels.ts';
import { BIN, writeTestImage, type CliResult } from './helpers/cli.ts';
import { listenOnLoopback, closeLoopback } from './helpers/loopback.ts';

let dir: string;
let server: Server;
let base: string;
let input: string;
const served = new Map<string, Buffer>();
let env: NodeJS.ProcessEnv;

function reverie(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
const lines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'reverie-models-cli-'));
  env = { ...process.env, REVERIE_CONFIG_DIR: join(dir, 'config'), REVERIE_CACHE_DIR: join(dir, 'cache') };
  const labels = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const w = await writeTinyLayersModel(join(dir, 'src'), { classes: 10, shards: 2, userDefinedMetadata: { classLabels: labels } });
  for (const p of [w.modelJsonPath, ...w.shardPaths]) served.set(p.split('/').pop()!, await readFile(p));
  server = createServer((req, res) => {
    const body = served.get((req.url ?? '').replace('/m/', ''));
    if (body) res.writeHead(200, { 'content-length': body.length }).end(body);
    else res.writeHead(404).end();
  });
  base = await listenOnLoopback(server);
  input = join(dir, 'in.png');
  await writeTestImage(input, 64, 48);
});
afterAll(async () => {
  await closeLoopback(server);
  await rm(dir, { recursive: true, force: true });
});

describe('reverie models', () => {
  it('lists, adds with the size first and progress, searches classes, dreams toward a class, removes', async () => {
    const list = await reverie(['models', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const models = (JSON.parse(list.stdout) as { models: Array<{ name: string; installed: boolean; license?: string }> }).models;
    expect(models.filter((m) => m.installed).map((m) => m.name)).toEqual(['inception_v3', 'mobilenet_v2']);
    expect(models.find((m) => m.name === 'mobilenet_v1_100')).toMatchObject({ installed: false, license: 'Apache-2.0' });

    const add = await reverie(['models', 'add', `${base}/m/model.json`, '--name', 'tinyten', '--json', '--backend', 'wasm']);
    expect(add.code, add.stderr).toBe(0);
    const events = lines(add.stdout);
    const total = [...served.values()].reduce((a, b) => a + b.length, 0);
    expect(events[0]).toMatchObject({ type: 'info', size: { totalBytes: total, files: 3, installed: false } });
    const fractions = events.filter((e) => e.type === 'progress').map((e) => e['fraction'] as number);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ type: 'done', message: expect.stringMatching(/Installed tinyten .*class objectives over 10 labels/) });

    const classes = await reverie(['models', 'classes', 'tinyten', 'sev']);
    expect(classes.stdout.trim()).toBe('#7    seven');

    const out = join(dir, 'seven.png');
    const dream = await reverie(['dream', input, '-o', out, '--model', 'tinyten', '--class', 'seven:2', '--steps', '2', '--octaves', '1', '--backend', 'wasm', '--workers', '0']);
    expect(dream.code, dream.stderr).toBe(0);
    const info = JSON.parse((await reverie(['info', out, '--json'])).stdout) as { recipe: { model: string; layers: unknown[]; classes: unknown[] } };
    expect(info.recipe).toMatchObject({ model: 'tinyten', layers: [], classes: [{ name: 'seven', weight: 2 }] });

    const removed = await reverie(['models', 'remove', 'tinyten']);
    expect(removed.stdout).toMatch(/^Removed tinyten \(.* freed\)/);
    expect(await readdir(join(dir, 'cache'))).toEqual([]);
  });

  it('refuses clearly: a class on the embedded nsfwjs head, a missing URL, removing an embedded model', async () => {
    const cls = await reverie(['dream', input, '-o', join(dir, 'x.png'), '--class', 'jellyfish', '--steps', '1', '--octaves', '1', '--backend', 'wasm']);
    expect(cls.code).toBe(1);
    expect(cls.stderr).toMatch(/ClassObjectiveError: inception_v3's classifier head \("dense_3"\) scores 5 classes, not the 1000 ImageNet classes/);
    const gone = await reverie(['models', 'add', `${base}/nothing/model.json`]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/nothing\/model.json: cannot read model.json \(HTTP 404/);
    const embedded = await reverie(['models', 'remove', 'inception_v3']);
    expect(embedded.code).toBe(1);
    expect(embedded.stderr).toMatch(/embedded\) and cannot be removed/);
  });
});

describe('reverie presets and settings', () => {
  it('saves a preset from flags, dreams with it, exports, imports, renames and deletes it', async () => {
    const save = await reverie(['presets', 'save', 'soft', '--layers', 'mixed2:0.5', '--steps', '1', '--octaves', '1', '--description', 'gentle']);
    expect(save.code, save.stderr).toBe(0);
    const out = join(dir, 'soft.png');
    const dream = await reverie(['dream', input, '-o', out, '--preset', 'soft', '--backend', 'wasm', '--workers', '0']);
    expect(dream.code, dream.stderr).toBe(0);
    const info = JSON.parse((await reverie(['info', out, '--json'])).stdout) as { recipe: { layers: unknown[]; steps: number } };
    expect(info.recipe).toMatchObject({ layers: [{ name: 'mixed2', weight: 0.5 }], steps: 1 });
    const file = join(dir, 'soft.json');
    expect((await reverie(['presets', 'export', 'soft', '-o', file])).code).toBe(0);
    expect((await reverie(['presets', 'import', file, '--as', 'soft copy'])).code).toBe(0);
    expect((await reverie(['presets', 'rename', 'soft', 'softer'])).code).toBe(0);
    const list = JSON.parse((await reverie(['presets', 'list', '--json'])).stdout) as { presets: Array<{ name: string }> };
    expect(list.presets.map((p) => p.name).sort()).toEqual(['soft copy', 'softer']);
    const del = await reverie(['presets', 'delete', 'nope']);
    expect(del.code).toBe(1);
    expect(del.stderr).toMatch(/PresetError: No preset named "nope"; saved presets: /);
  });

  it('sets and gets settings; a corrupt settings file is reported and set aside, not fatal', async () => {
    expect((await reverie(['settings', 'set', 'backend', 'cpu'])).stdout).toBe('backend = cpu\n');
    expect((await reverie(['settings', 'get', 'backend'])).stdout).toBe('cpu\n');
    const bad = await reverie(['settings', 'set', 'backend', 'quantum']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/backend must be one of auto, tensorflow, wasm, cpu/);
    await writeFile(join(dir, 'config', 'settings.json'), '{"version": 1, "backend": "cpu",');
    const shown = await reverie(['settings', '--json']);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(/Warning: .*settings.json was unusable: not valid JSON.*set aside as .*corrupt-/);
    const json = JSON.parse(shown.stdout) as { settings: { backend: string }; fastestBackend: string; backends: Array<{ choice: string; description: string }> };
    expect(json.settings.backend).toBe('auto');
    expect(json.fastestBackend).toBe('wasm');
    expect(json.backends.map((b) => b.choice)).toContain('wasm');
    expect((await readdir(join(dir, 'config'))).some((n) => n.startsWith('settings.json.corrupt-'))).toBe(true);
  });
});
