// Hostile recipes (files, flags, PNGs) and broken model folders through `reverie dream`: each ends with
// one clear error line, a non-zero exit and no output file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../engine/backend.ts';
import { runCli } from '../helpers/cli.ts';
import { photo } from './badImages.ts';
import { FLAG_CASES, writeModelCases, writeRecipeCases, type ArgsCase } from './badRecipes.ts';
import { expectClean, runCases, table, type CliCase } from './matrix.ts';

let root: string;
let input: string;
let out: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-bad-recipes-'));
  input = join(root, 'in.png');
  out = join(root, 'out');
  await mkdir(out);
  await photo().png().toFile(input);
  await initBackend('cpu'); // tfjs-layers builds the tiny test models' topology
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function dreamCases(title: string, cases: readonly ArgsCase[]): CliCase[] {
  const png = join(out, 'dream.png');
  return cases.map((c) => ({ name: `${title}: ${c.name}`, args: ['dream', input, '-o', png, '--backend', 'wasm', ...c.flags], error: c.error, says: c.says, absent: [png], ...(c.code ? { code: c.code } : {}) }));
}

describe('bad recipes and model folders through reverie dream', () => {
  // Each case is a real process (~1-2 s of start-up on a busy 2-core machine): generous timeouts.
  it('recipe files with wrong types, unknown layers, out-of-range values and extra fields', { timeout: 300_000 }, async () => {
    const dir = join(root, 'recipes');
    await mkdir(dir);
    const cases = dreamCases('recipe', await writeRecipeCases(dir));
    const rows = await runCases(cases);
    console.log(table('Bad recipe files', rows));
    await expectClean(cases, rows, out);
  });

  it('recipe flags with wrong types and out-of-range values', { timeout: 300_000 }, async () => {
    const cases = dreamCases('flag', FLAG_CASES);
    const rows = await runCases(cases);
    console.log(table('Bad recipe flags', rows));
    await expectClean(cases, rows, out);
  });

  it('model folders with missing, truncated or overlong shards and wrong manifests', { timeout: 300_000 }, async () => {
    const dir = join(root, 'models');
    await mkdir(dir);
    const good = join(dir, 'good');
    const { writeTinyLayersModel } = await import('../helpers/testModels.ts');
    await writeTinyLayersModel(good, { shards: 3 });
    // The unbroken model dreams: the failures below come from the damage alone.
    const control = await runCli(['dream', input, '-o', join(root, 'control.png'), '--backend', 'wasm', '--model', good, '--layers', 'mixed0', '--steps', '1', '--octaves', '1']);
    expect(control.code, control.stderr).toBe(0);
    const cases = dreamCases('model', (await writeModelCases(dir)).map((c) => ({ ...c, flags: [...c.flags, '--steps', '1', '--octaves', '1'] })));
    const rows = await runCases(cases);
    console.log(table('Bad model folders', rows));
    await expectClean(cases, rows, out);
  });

  it('zoom: a bad layer, model or keyframes file leaves no project folder behind', { timeout: 300_000 }, async () => {
    const dir = join(root, 'zoom-inputs');
    await mkdir(dir);
    const { writeTinyLayersModel } = await import('../helpers/testModels.ts');
    const broken = join(dir, 'model');
    await writeTinyLayersModel(broken, { shards: 2 });
    await rm(join(broken, 'group1-shard2of2.bin'));
    const keys = join(dir, 'keys.json');
    await writeFile(keys, JSON.stringify({ keys: [{ frame: 0, zoom: 1.02 }, { frame: 1, layers: 'mixed77' }] }));
    let n = 0;
    const zoom = (name: string, flags: string[], error: string, says: RegExp): CliCase => {
      const project = join(out, `project ${++n}`);
      return { name: `zoom: ${name}`, args: ['zoom', input, '-o', project, '--frames', '2', '--steps', '1', '--backend', 'wasm', ...flags], error, says, absent: [project] };
    };
    const cases = [
      zoom('--layers mixed99', ['--layers', 'mixed99'], 'UnknownLayerError', /"mixed99" is not a layer/),
      zoom('--model with a shard missing', ['--model', broken, '--layers', 'mixed0'], 'ModelLoadError', /group1-shard2of2\.bin: shard file missing/),
      zoom('keyframes switch to mixed77', ['--layers', 'mixed2', '--keyframes', keys], 'UnknownLayerError', /"mixed77" is not a layer/),
    ];
    const rows = await runCases(cases);
    console.log(table('Bad zoom runs', rows));
    await expectClean(cases, rows, out);
    // The corrected command can use the same folder.
    const project = join(out, 'project 1');
    await mkdir(project);
    const fixed = await runCli(['zoom', input, '-o', project, '--frames', '1', '--steps', '1', '--layers', 'mixed2', '--backend', 'wasm']);
    expect(fixed.code, fixed.stderr).toBe(0);
    await rm(project, { recursive: true });
  });
});
