// The atlas's offline index.html in Debian's chromium, opened from file:// with no server: tiles load
// under its Content-Security-Policy, layers switch, search filters, a click shows the channel's recipe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { atlasHtml, type AtlasIndex } from '../../cli/farm/atlasHtml.ts';
import { atlasTile } from '../../host/atlasIndex.ts';
import { openBrowser, type Browser } from './harness.ts';

let dir: string;
let browser: Browser;
const index: AtlasIndex = {
  model: { id: 'inception_v3', sha256: 'a'.repeat(64) },
  size: 32,
  steps: 4,
  layers: [
    { name: 'mixed3', channels: Array.from({ length: 12 }, (_, i) => i), training: 'imagenet' },
    { name: 'mixed7', channels: [0, 1, 97], training: 'fine-tuned' },
  ],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-atlas-html-'));
  for (const l of index.layers) {
    await mkdir(join(dir, l.name));
    for (const c of l.channels) await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: c * 2, g: 90, b: 200 } } }).png().toFile(join(dir, atlasTile(l.name, c)));
  }
  await writeFile(join(dir, 'index.html'), atlasHtml(index));
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.context.close();
  await rm(dir, { recursive: true, force: true });
});

describe('atlas index.html', () => {
  it('shows the first layer, switches layers, searches, and gives each channel its dream recipe', async () => {
    const { page, problems } = browser;
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('figure img')).every((i) => (i as HTMLImageElement).complete));
    const loaded = await page.$$eval('figure img', (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    expect(loaded).toEqual(Array(12).fill(32));
    await page.click('nav a[data-l="mixed7"]');
    await page.waitForFunction(() => document.querySelectorAll('figure').length === 3);
    expect(await page.$$eval('figure.ft figcaption', (f) => f.map((x) => x.textContent))).toEqual(['mixed7:0', 'mixed7:1', 'mixed7:97']);
    await page.fill('input[type=search]', ':1');
    await page.waitForFunction(() => document.querySelectorAll('figure').length === 4);
    expect(await page.$$eval('figcaption', (f) => f.map((x) => x.textContent))).toEqual(['mixed3:1', 'mixed3:10', 'mixed3:11', 'mixed7:1']);
    await page.fill('input[type=search]', 'mixed7:97');
    await page.waitForFunction(() => document.querySelectorAll('figure').length === 1);
    await page.click('figure');
    const detail = await page.textContent('#detail');
    expect(detail).toContain('reverie dream IN.jpg -o OUT.png --channel mixed7:97');
    const recipe = JSON.parse(await page.textContent('#detail pre:nth-of-type(2)') ?? '{}') as { channels: unknown[]; model: string };
    expect(recipe).toEqual({ version: 1, model: 'inception_v3', layers: [], channels: [{ layer: 'mixed7', index: 97, weight: 1 }] });
    expect(problems).toEqual([]);
  });
});
