// Models in the browser end to end, with the real server and both embedded models: pick the second
// model (MobileNetV2) in the Models panel, dream a small image with it (the saved PNG's recipe names
// it, and the pixels changed), and find the choice and the recipe again after a reload and after a
// server restart. Screenshots of the panel go to tests/artifacts/.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../engine/backend.ts';
import { writeTinyLayersModel } from '../helpers/testModels.ts';
import { readDreamMetadata } from '../../engine/render/metadata.ts';
import { loadSettings } from '../../engine/settings/settings.ts';
import { dropFile, screenshot, smallPhoto, startApp, startServer, stopApp, type Browser, type RunningServer } from './harness.ts';
import { listenOnLoopback, closeLoopback } from '../helpers/loopback.ts';

let dataDir: string;
let server: RunningServer;
let browser: Browser;
// The test's model server is on 127.0.0.1, which the app refuses unless told this is a test.
const LOOPBACK_MODELS = { REVERIE_ALLOW_LOOPBACK_MODELS: '1' };

beforeAll(async () => {
  ({ dataDir, server, browser } = await startApp('e2e-models', LOOPBACK_MODELS));
}, 180_000);
afterAll(() => stopApp(server, browser));

const ready = (model: string) => `[data-testid=engine-badge][data-state=ready][data-model=${model}]`;

/** Mean absolute difference per channel between two same-sized images. */
async function meanDifference(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((img) => sharp(img).removeAlpha().raw().toBuffer()));
  let sum = 0;
  for (let i = 0; i < x!.length; i++) sum += Math.abs(x![i]! - y![i]!);
  return sum / x!.length;
}

describe('models in the browser', () => {
  it('picks MobileNetV2 in the Models panel and dreams with it', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await page.locator(ready('inception_v3')).waitFor({ timeout: 90_000 });
    await page.getByTestId('nav-models').click();
    await page.getByTestId('panel-models').waitFor();
    await expect.poll(() => page.getByTestId('active-model').textContent()).toBe('inception_v3');
    await page.getByTestId('model-mobilenet_v2').waitFor();
    expect(await page.getByTestId('model-mobilenet_v2').getByTestId('training').textContent()).toMatch(/ImageNet/);

    await page.getByTestId('pick-mobilenet_v2').click();
    await page.locator(ready('mobilenet_v2')).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('active-model').textContent()).toBe('mobilenet_v2');
    await page.getByTestId('model-mobilenet_v2').getByText('in use').waitFor();
    await screenshot(page, 'models-panel');

    await page.getByTestId('nav-dream').click();
    // The layer picker shows MobileNetV2's curated layers, its default recipe switched on.
    await page.locator('[data-testid=layer-block_6_expand_relu][aria-checked=true]').waitFor();
    await page.locator('[data-testid=layer-out_relu] .badge').filter({ hasText: 'fine-tuned' }).waitFor();
    expect(await page.getByTestId('layer-mixed3').count()).toBe(0);
    await page.getByTestId('preset-mobilenet_v2:textures').waitFor();

    const photo = await smallPhoto(96, 72, 'png');
    await dropFile(page, '[data-testid=stage]', 'cat-tiny.png', 'image/png', photo);
    await page.locator('[data-testid=shown-image]').waitFor();
    await page.getByTestId('auto-octaves').uncheck(); // a fixed count (octaves follow the image size by default)
    for (const [field, value] of [['steps', '3'], ['octaves', '1']] as const) {
      await page.getByTestId(`field-${field}`).fill(value);
      await page.getByTestId(`field-${field}`).press('Tab');
    }
    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=compare]').waitFor({ timeout: 60_000 });
    await screenshot(page, 'models-dream-result');

    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    const saved = join(dataDir, 'mobilenet-dream.png');
    await download.saveAs(saved);
    const meta = await readDreamMetadata(saved);
    expect(meta.recipe).toMatchObject({ model: 'mobilenet_v2', steps: 3, octaves: 1, layers: [{ name: 'block_6_expand_relu' }, { name: 'block_10_expand_relu' }] });
    expect(await meanDifference(await readFile(saved), photo)).toBeGreaterThan(2);
    expect(browser.problems).toEqual([]);
  }, 180_000);

  it('keeps the model and the recipe across a reload and a server restart', async () => {
    const { page } = browser;
    await page.reload();
    await page.locator(ready('mobilenet_v2')).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('field-steps').inputValue()).toBe('3');
    expect(await page.locator('[data-testid=layer-block_10_expand_relu][aria-checked=true]').count()).toBe(1);

    await server.stop();
    expect((await loadSettings(join(dataDir, 'config'))).value.lastUsed).toMatchObject({ model: 'mobilenet_v2', recipe: { model: 'mobilenet_v2', steps: 3 } });
    server = await startServer(dataDir, LOOPBACK_MODELS);
    await page.goto(server.url);
    browser.problems.length = 0; // the old page's socket failing while the server was down is expected
    await page.locator(ready('mobilenet_v2')).waitFor({ timeout: 90_000 });
    await expect.poll(() => page.getByTestId('field-steps').inputValue()).toBe('3');
    expect(await page.getByTestId('field-octaves').inputValue()).toBe('1');
    await page.getByTestId('nav-models').click();
    await expect.poll(() => page.getByTestId('active-model').textContent()).toBe('mobilenet_v2');
    await expect.poll(() => page.getByTestId('last-used').textContent()).toContain('mobilenet_v2');

    // Saving the recipe as a preset lists it; switching back to InceptionV3 brings its own recipe.
    await page.getByTestId('preset-name').fill('tiny mobile');
    await page.getByTestId('preset-save').click();
    await expect.poll(() => page.getByTestId('user-preset').count()).toBe(1);
    // Shared as a file, deleted, and imported back from that file.
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByTestId('preset-export').click()]);
    expect(exported.suggestedFilename()).toBe('tiny-mobile.reverie-preset.json');
    const presetFile = join(dataDir, exported.suggestedFilename());
    await exported.saveAs(presetFile);
    expect(JSON.parse(await readFile(presetFile, 'utf8'))).toMatchObject({ reverie: 'preset', name: 'tiny mobile', recipe: { model: 'mobilenet_v2', steps: 3 } });
    await page.getByTestId('preset-delete').click();
    await expect.poll(() => page.getByTestId('user-preset').count()).toBe(0);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('preset-import').click()]);
    await chooser.setFiles(presetFile);
    await expect.poll(() => page.getByTestId('user-preset').count()).toBe(1);
    await page.getByTestId('pick-inception_v3').click();
    await page.locator(ready('inception_v3')).waitFor({ timeout: 60_000 });
    await page.getByTestId('nav-dream').click();
    await page.locator('[data-testid=layer-mixed3][aria-checked=true]').waitFor();
    await page.getByTestId('nav-models').click();
    // Using the preset picks its model, loads it into Dream, and is remembered as the last used.
    await page.getByTestId('preset-use').click();
    await page.locator(ready('mobilenet_v2')).waitFor({ timeout: 60_000 });
    await page.getByTestId('panel-dream').waitFor();
    await expect.poll(() => page.getByTestId('field-steps').inputValue()).toBe('3');
    await page.getByTestId('nav-models').click();
    await expect.poll(() => page.getByTestId('last-used-preset').textContent()).toBe('tiny mobile');
    expect(await page.getByTestId('user-preset').getByTestId('preset-last-used').count()).toBe(1);
    expect((await loadSettings(join(dataDir, 'config'))).value.lastUsed).toMatchObject({ model: 'mobilenet_v2', preset: 'tiny mobile', recipe: { model: 'mobilenet_v2', steps: 3 } });
    await page.reload();
    await page.locator(ready('mobilenet_v2')).waitFor({ timeout: 60_000 });
    await page.getByTestId('nav-models').click();
    await expect.poll(() => page.getByTestId('last-used-preset').textContent()).toBe('tiny mobile');
    await screenshot(page, 'models-panel-presets');
    expect(browser.problems).toEqual([]);
  }, 180_000);

  it('adds a model from a URL in the panel, picks it, and offers its class labels in Dream', async () => {
    await initBackend('wasm'); // the test model's writer makes its weights with tfjs
    const tiny = await writeTinyLayersModel(join(dataDir, 'served'), { shards: 2, classes: 10, userDefinedMetadata: { classLabels: Array.from({ length: 10 }, (_, i) => `digit ${i}, numeral ${i}`) } });
    const files = new Map<string, Buffer>();
    for (const p of [tiny.modelJsonPath, ...tiny.shardPaths]) files.set(p.split('/').pop()!, await readFile(p));
    const http = createServer((req, res) => {
      const body = files.get((req.url ?? '').split('/').pop() ?? '');
      if (body) res.writeHead(200, { 'content-length': body.length }).end(body);
      else res.writeHead(404).end();
    });
    const base = await listenOnLoopback(http);
    try {
      const url = `${base}/tiny/model.json`;
      const { page } = browser;
      await page.getByTestId('add-spec').fill(url);
      await page.getByTestId('add-spec').press('Tab');
      await expect.poll(() => page.getByTestId('add-size').textContent()).toMatch(/Download: .* in 3 files/);
      await page.getByLabel('Name for the model').fill('tiny');
      await page.getByTestId('add-model').click();
      await page.getByTestId('model-tiny').waitFor({ timeout: 30_000 });
      await page.getByTestId('pick-tiny').click();
      await page.locator(ready('tiny')).waitFor({ timeout: 60_000 });
      await page.getByTestId('nav-dream').click();
      const picker = page.getByTestId('class-picker');
      await picker.getByLabel('Search classes').fill('numeral 3');
      await picker.getByRole('button', { name: /digit 3/ }).click();
      await picker.getByText('digit 3', { exact: true }).waitFor();
      await screenshot(page, 'models-class-picker');
      expect(browser.problems).toEqual([]);
    } finally {
      await closeLoopback(http);
    }
  }, 120_000);
});
