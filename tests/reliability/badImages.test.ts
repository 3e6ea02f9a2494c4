// Hostile images through the real CLI (dream, zoom, session): each ends with one clear error line, a
// non-zero exit and nothing written. Odd but valid inputs (animated files, paths with spaces, unicode
// and '%', misnamed files) work, and a file with several frames says which one was used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runCli } from '../helpers/cli.ts';
import { photo, threeFrames, writeImageCases } from './badImages.ts';
import { expectClean, mapLimit, runCases, table, type CliCase } from './matrix.ts';

const small = ['--steps', '1', '--octaves', '1', '--layers', 'mixed2', '--backend', 'wasm'];
let root: string;
let inputs: string;
let out: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reverie-bad-images-'));
  inputs = join(root, 'inputs');
  out = join(root, 'out');
  await mkdir(inputs);
  await mkdir(out);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('bad images through the CLI', () => {
  // Each case is a real process (~1-2 s of start-up on a busy 2-core machine): generous timeouts.
  it('each ends with one clear error line, a non-zero exit and no output file', { timeout: 300_000 }, async () => {
    const images = await writeImageCases(inputs);
    const png = join(out, 'dream.png');
    const cases: CliCase[] = images.map((c) => ({ name: `dream: ${c.name}`, args: ['dream', join(inputs, c.file), '-o', png, ...small, ...(c.flags ?? [])], error: c.error, says: c.says, absent: [png] }));
    const pick = (file: string) => images.find((c) => c.file === file)!;
    for (const file of ['empty.png', 'half.jpg', 'notes.png', 'bomb.png', 'dot.png']) {
      const c = pick(file);
      const project = join(out, 'zoom');
      cases.push({ name: `zoom: ${c.name}`, args: ['zoom', join(inputs, c.file), '-o', project, '--frames', '2', ...small], error: c.error, says: c.says, absent: [project] });
    }
    for (const file of ['corrupt.png', 'bomb.jpg', 'dot.png']) {
      const c = pick(file);
      const session = join(out, 'session');
      cases.push({ name: `session new: ${c.name}`, args: ['session', 'new', session, '--from', join(inputs, c.file)], error: c.error, says: c.says, absent: [session] });
    }
    const folder = join(inputs, 'a folder.png');
    await mkdir(folder);
    const missing = join(inputs, 'gone 100% %s %d ü.png');
    cases.push(
      { name: 'dream: a folder as input', args: ['dream', folder, '-o', png, ...small], error: 'ImageDecodeError', says: /folder, not an image/, absent: [png] },
      { name: "dream: missing file, path with '%', space, unicode", args: ['dream', missing, '-o', png, ...small], error: 'ImageDecodeError', says: /gone 100% %s %d ü\.png — file does not exist/, absent: [png] },
      { name: 'dream: --max-pixels abc', args: ['dream', join(inputs, 'big.png'), '-o', png, '--max-pixels', 'abc'], error: 'UsageError', code: 2, says: /--max-pixels expects a whole number/, absent: [png] },
      { name: 'zoom: --max-pixels 0', args: ['zoom', join(inputs, 'big.png'), '-o', join(out, 'zoom'), '--frames', '2', '--max-pixels', '0'], error: 'UsageError', code: 2, says: /--max-pixels expects a whole number/, absent: [join(out, 'zoom')] },
    );
    // An output path that is a folder: found only after dreaming, and still nothing written.
    const taken = join(out, 'taken.png');
    const rows = await runCases(cases);
    await mkdir(taken);
    const extra = await runCases([{ name: 'dream: -o names an existing folder', args: ['dream', join(inputs, 'big.png'), '-o', taken, ...small], error: 'OutputWriteError', says: /taken\.png — a folder already exists at this path/, absent: [] }]);
    console.log(table('Bad images', [...rows, ...extra]));
    expect(await readdir(taken)).toEqual([]);
    await rm(taken, { recursive: true });
    await expectClean(cases, rows, out);
    expect(extra[0]!.code, extra[0]!.stderr).toBe(1);
    expect(extra[0]!.line).toMatch(/OutputWriteError: .*taken\.png — a folder already exists at this path/);
  });

  it('animated GIF/WebP and multi-page TIFF: the first frame is dreamed, and the CLI says so', { timeout: 300_000 }, async () => {
    const results = await mapLimit(['gif', 'webp', 'tiff'] as const, 3, async (format) => {
      const file = join(inputs, `three frames.${format}`);
      await writeFile(file, await threeFrames(format));
      const dreamed = join(root, `first-${format}.png`);
      const r = await runCli(['dream', file, '-o', dreamed, ...small]);
      return { format, file, dreamed, r };
    });
    for (const { file, dreamed, r } of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`Note: ${file} holds 3 frames (or pages); Reverie uses the first.`);
      const { channels } = await sharp(dreamed).stats();
      expect(channels[0]!.mean).toBeGreaterThan(channels[1]!.mean + 60); // the red first frame, not green or blue
      expect(channels[0]!.mean).toBeGreaterThan(channels[2]!.mean + 60);
    }
  });

  it("works with spaces, unicode and '%' in every path, and reads misnamed images by their content", { timeout: 300_000 }, async () => {
    const odd = join(root, "d ü 100% %s %d %n ' \" $HOME");
    await mkdir(odd);
    const input = join(odd, 'in put ü %20 %%.png');
    await photo().png().toFile(input);
    const misnamed = join(odd, 'really a jpeg.png');
    await photo().jpeg().toFile(misnamed);
    const dreamed = join(odd, 'out %n ü.png');
    const r = await runCli(['dream', input, '-o', dreamed, ...small]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Wrote ${dreamed}`);
    const info = await runCli(['info', dreamed, '--json']);
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ input: 'in put ü %20 %%.png' });
    const fromJpeg = await runCli(['dream', misnamed, '-o', join(odd, 'from jpeg.png'), ...small]);
    expect(fromJpeg.code, fromJpeg.stderr).toBe(0);
    const project = join(odd, 'zoom %d ü');
    const zoom = await runCli(['zoom', input, '-o', project, '--frames', '2', ...small]);
    expect(zoom.code, zoom.stderr).toBe(0);
    expect((await readdir(project)).sort()).toEqual(['frame_00000.png', 'frame_00001.png', 'manifest.json', 'source']);
    expect(existsSync(join(odd, 'from jpeg.png'))).toBe(true);
  });
});
