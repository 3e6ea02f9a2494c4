// The `reverie` CLI end to end with the real embedded model at small sizes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runCli, spawnCli, writeTestImage } from './helpers/cli.ts';

let dir: string;
let input: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-cli-'));
  input = join(dir, 'in put ü.png'); // spaces and unicode in the path on purpose
  await writeTestImage(input);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const small = ['--steps', '2', '--octaves', '2', '--layers', 'mixed3', '--backend', 'wasm'];

async function pixels(path: string): Promise<Buffer> {
  return sharp(path).raw().toBuffer();
}

describe('reverie dream / info / --recipe-from', () => {
  it('dreams, embeds the recipe, prints it, and reproduces the same pixels from it', async () => {
    const out = join(dir, 'dream.png');
    const r = await runCli(['dream', input, '-o', out, ...small, '--seed', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; fraction?: number });
    expect(events.filter((e) => e.type === 'progress').map((e) => e.fraction)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(events.at(-1)!.type).toBe('done');
    const before = await pixels(input);
    const after = await pixels(out);
    expect(after.length).toBe(before.length);
    expect(after.equals(before)).toBe(false);

    const info = await runCli(['info', out, '--json']);
    expect(info.code, info.stderr).toBe(0);
    const meta = JSON.parse(info.stdout) as { recipe: { steps: number; seed: number; layers: unknown[] }; backend: string };
    expect(meta.recipe).toMatchObject({ steps: 2, octaves: 2, seed: 3, layers: [{ name: 'mixed3', weight: 1 }] });
    expect(meta.backend).toBe('wasm');

    const again = join(dir, 'again.png');
    const r2 = await runCli(['dream', input, '--recipe-from', out, '-o', again, '--backend', 'wasm']);
    expect(r2.code, r2.stderr).toBe(0);
    expect((await pixels(again)).equals(after)).toBe(true);
  });

  it('Ctrl-C stops the dream cleanly and leaves no file behind', async () => {
    const out = join(dir, 'cancelled.png');
    const child = spawnCli(['dream', input, '-o', out, '--steps', '200', '--octaves', '1', '--layers', 'mixed3', '--json', '--backend', 'wasm']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('"progress"')) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/Cancelled; no output was written/);
    expect(existsSync(out)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.includes('cancelled'))).toEqual([]);
  });

  it('gives one clear error and no output for bad input', async () => {
    const corrupt = join(dir, 'corrupt.png');
    await writeFile(corrupt, Buffer.from('not really a png'));
    const out = join(dir, 'never.png');
    const cases: Array<[string[], number, RegExp]> = [
      [['dream', corrupt, '-o', out], 1, /corrupt\.png/],
      [['dream', input, '-o', out, '--layers', 'mixed55'], 1, /mixed55.*Did you mean/],
      [['dream', input, '-o', out, '--channel', 'mixed3:9999'], 1, /768 channels/],
      [['dream', input, '-o', join(dir, 'x.jpg')], 2, /must end in \.png/],
      [['dream', input], 2, /-o OUT\.png/],
      [['dream', input, '-o', out, '--steps', 'many'], 1, /--steps expects a number/],
      [['dream', input, '-o', join(dir, 'missing', 'x.png')], 2, /does not exist or is not writable/],
      [['dream', input, '-o', out, '--octaves', '0'], 1, /octaves.*between 1 and 12/],
      [['dream', input, '-o', out, '--wat'], 2, /wat/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('reverie dream keeps alpha', () => {
  it('dreams the colour of an RGBA image and writes its alpha back unchanged', async () => {
    const rgba = Buffer.alloc(96 * 80 * 4);
    for (let i = 0; i < 96 * 80; i++) rgba.set([(i * 7) % 256, (i * 3) % 256, 128, i % 96 < 48 ? 255 : 90], i * 4);
    const src = join(dir, 'alpha.png');
    await sharp(rgba, { raw: { width: 96, height: 80, channels: 4 } }).png().toFile(src);
    const out = join(dir, 'alpha-dream.png');
    const r = await runCli(['dream', src, '-o', out, ...small]);
    expect(r.code, r.stderr).toBe(0);
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    for (let i = 0; i < 96 * 80; i++) expect(data[i * 4 + 3]).toBe(rgba[i * 4 + 3]);
  });
});

describe('reverie layers', () => {
  it('lists mixed0..mixed10 first with shapes and what trained them', async () => {
    const r = await runCli(['layers', '--json', '--size', '299']);
    expect(r.code, r.stderr).toBe(0);
    const { layers } = JSON.parse(r.stdout) as { layers: Array<{ name: string; height: number; channels: number; training: string }> };
    expect(layers.slice(0, 11).map((l) => l.name)).toEqual(Array.from({ length: 11 }, (_, i) => `mixed${i}`));
    expect(layers.find((l) => l.name === 'mixed5')).toMatchObject({ height: 17, channels: 768, training: 'imagenet' });
    expect(layers.find((l) => l.name === 'mixed6')).toMatchObject({ training: 'fine-tuned' });
    const text = await runCli(['layers']);
    expect(text.stdout).toMatch(/mixed3\s+block\s+17x17x768\s+768\s+ImageNet/);
  });
});
