// `reverie dream` reads the saved default recipe: with no --recipe, --recipe-from or --preset it is
// the base, and explicit flags still win over it. The real binary, a temp config folder.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curatedRecipe } from '../engine/model/curated.ts';
import { readDreamMetadata } from '../engine/render/metadata.ts';
import { DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { BIN, writeTestImage, type CliResult } from './helpers/cli.ts';

let dir: string;
let input: string;
let env: NodeJS.ProcessEnv;

function reverie(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const fast = ['--backend', 'wasm', '--workers', '0', '--json'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-settings-cli-'));
  env = { ...process.env, REVERIE_CONFIG_DIR: join(dir, 'config') };
  input = join(dir, 'in.png');
  await writeTestImage(input, 64, 48);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('reverie dream and the saved default recipe', () => {
  it('dreams with the built-in defaults while no default recipe is saved', async () => {
    const out = join(dir, 'plain.png');
    const r = await reverie(['dream', input, '-o', out, '--steps', '1', '--octaves', '1', ...fast]);
    expect(r.code, r.stderr).toBe(0);
    expect((await readDreamMetadata(out)).recipe).toMatchObject({ model: 'inception_v3', layers: DEFAULT_RECIPE.layers, steps: 1, octaves: 1 });
  });

  it('starts from the saved default recipe (model, layers, step size), with explicit flags winning', async () => {
    const saved = { ...curatedRecipe('mobilenet_v2', 'textures'), stepSize: 0.75, seed: 11 };
    const set = await reverie(['settings', 'set', 'defaultRecipe', 'mobilenet_v2:textures']);
    expect(set.code, set.stderr).toBe(0);
    // The curated recipe, then a tweak through a recipe file: what the app's settings form saves.
    const file = join(dir, 'tweaked.json');
    await writeFile(file, JSON.stringify(saved));
    expect((await reverie(['settings', 'set', 'defaultRecipe', file])).code).toBe(0);

    const out = join(dir, 'from-default.png');
    const r = await reverie(['dream', input, '-o', out, '--steps', '1', '--octaves', '1', ...fast]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('"model":"mobilenet_v2"');
    expect((await readDreamMetadata(out)).recipe).toEqual({ ...saved, steps: 1, octaves: 1 });

    const layered = join(dir, 'layers-flag.png');
    const l = await reverie(['dream', input, '-o', layered, '--layers', 'block_8_expand_relu:0.5', '--steps', '1', '--octaves', '1', ...fast]);
    expect(l.code, l.stderr).toBe(0);
    expect((await readDreamMetadata(layered)).recipe).toMatchObject({ model: 'mobilenet_v2', layers: [{ name: 'block_8_expand_relu', weight: 0.5 }], stepSize: 0.75, seed: 11 });

    const other = join(dir, 'model-flag.png');
    const m = await reverie(['dream', input, '-o', other, '--model', 'inception_v3', '--layers', 'mixed2', '--seed', '2', '--steps', '1', '--octaves', '1', ...fast]);
    expect(m.code, m.stderr).toBe(0);
    expect((await readDreamMetadata(other)).recipe).toMatchObject({ model: 'inception_v3', layers: [{ name: 'mixed2', weight: 1 }], seed: 2, stepSize: 0.75 });
  });

  it('an explicit --recipe replaces the saved default entirely', async () => {
    const file = join(dir, 'explicit.json');
    await writeFile(file, JSON.stringify({ ...DEFAULT_RECIPE, layers: [{ name: 'mixed1', weight: 1 }], steps: 1, octaves: 1 }));
    const out = join(dir, 'explicit.png');
    const r = await reverie(['dream', input, '-o', out, '--recipe', file, ...fast]);
    expect(r.code, r.stderr).toBe(0);
    expect((await readDreamMetadata(out)).recipe).toMatchObject({ model: 'inception_v3', layers: [{ name: 'mixed1', weight: 1 }], stepSize: DEFAULT_RECIPE.stepSize, seed: 0 });
  });

  it('without --backend, dreams on the saved backend; --backend still wins', async () => {
    expect((await reverie(['settings', 'set', 'backend', 'cpu'])).code).toBe(0);
    const tiny = ['--model', 'inception_v3', '--layers', 'mixed0', '--steps', '1', '--octaves', '1', '--workers', '0', '--json'];
    const saved = await reverie(['dream', input, '-o', join(dir, 'saved-backend.png'), ...tiny]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain('"backend":"cpu"');
    const flagged = await reverie(['dream', input, '-o', join(dir, 'flag-backend.png'), ...tiny, '--backend', 'wasm']);
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(flagged.stdout).toContain('"backend":"wasm"');
    expect((await reverie(['settings', 'set', 'backend', 'auto'])).code).toBe(0);
  });
});
