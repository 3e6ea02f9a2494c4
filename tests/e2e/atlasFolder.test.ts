// Inspect opens an atlas folder from anywhere, in browser mode in Debian's chromium: `reverie atlas`
// (the real CLI and model) writes one outside the data folder, the page opens it by its typed path,
// browses it with every picture loaded from that folder, and "dream with this" starts from it. A
// folder that is not an atlas is refused with a clear word; the pictures route serves only PNGs
// inside a registered folder (no "..", no encoded escape, no symlink out, no index or other files,
// no unregistered id) and only to this page's session.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runCli } from '../helpers/cli.ts';
import { engineReady, screenshot, startApp, stopApp, type Browser, type RunningServer } from './harness.ts';

let outside: string;
let dataDir: string;
let server: RunningServer;
let browser: Browser;
let atlasDir: string;

beforeAll(async () => {
  outside = await mkdtemp(join(tmpdir(), 'reverie-atlas-outside-'));
  atlasDir = join(outside, 'my atlas');
  const made = runCli(['atlas', '-o', atlasDir, '--layers', 'mixed0', '--channels', '0-5', '--size', '32', '--steps', '2', '--backend', 'wasm']);
  ({ dataDir, server, browser } = await startApp('e2e-atlas-folder'));
  const r = await made;
  expect(r.code, r.stderr).toBe(0);
  // Things beside the atlas that no page may read through it.
  await writeFile(join(outside, 'secret.png'), await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } }).png().toBuffer());
  await symlink(join(outside, 'secret.png'), join(atlasDir, 'mixed0', 'link.png'));
  await writeFile(join(atlasDir, 'notes.txt'), 'private');
}, 300_000);
afterAll(async () => {
  await stopApp(server, browser);
  await rm(outside, { recursive: true, force: true });
});

/** The status a same-session fetch from the page gets for a path. */
const statusOf = (path: string): Promise<number> => browser.page.evaluate(async (p) => (await fetch(p)).status, path);

describe('Inspect → Atlas folders, opened from anywhere', () => {
  it('refuses a folder that is not an atlas, then opens and browses the CLI\'s atlas by its path', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await engineReady(page, { server });
    await page.getByTestId('nav-inspect').click();
    await page.getByTestId('inspect-atlas').click();
    await page.getByTestId('atlas-none').waitFor();

    await page.getByTestId('atlas-path').fill(outside);
    await page.getByTestId('atlas-open-path').click();
    await expect.poll(() => page.locator('body').textContent()).toMatch(/is not a Reverie atlas folder/);
    await page.getByTestId('atlas-path').fill('relative/folder');
    await page.getByTestId('atlas-open-path').click();
    await expect.poll(() => page.locator('body').textContent()).toMatch(/is not a full folder path/);
    expect(await page.getByTestId('atlas-item').count()).toBe(0);

    await page.getByTestId('atlas-path').fill(atlasDir);
    await page.getByTestId('atlas-open-path').click();
    await expect.poll(() => page.getByTestId('atlas-tile').count()).toBe(6);
    expect(await page.getByTestId('atlas-item').textContent()).toContain('my atlas');
    // Every picture loads, from the opened folder (not the data folder), byte for byte the CLI's.
    await expect.poll(() => page.locator('[data-testid=atlas-tile] img').evaluateAll((imgs: HTMLImageElement[]) => imgs.filter((i) => i.complete && i.naturalWidth === 32).length)).toBe(6);
    const src = await page.locator('[data-testid=atlas-tile] img').first().getAttribute('src');
    expect(src).toMatch(/^\/files\/atlas-folders\/f-[0-9a-f]{16}\/mixed0\/0000\.png$/);
    const served = await page.evaluate(async (p) => Array.from(new Uint8Array(await (await fetch(p)).arrayBuffer())), src!);
    expect(Buffer.from(served).equals(await readFile(join(atlasDir, 'mixed0', '0000.png')))).toBe(true);
    await page.getByTestId('atlas-search').fill('mixed0:4');
    await expect.poll(() => page.getByTestId('atlas-tile').count()).toBe(1);
    await page.getByTestId('atlas-tile').click();
    await expect.poll(() => page.getByTestId('atlas-picked').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(32);
    await screenshot(page, 'atlas-folder-opened');
    // Registered in the data folder: the list has it after a reload.
    expect(JSON.parse(await readFile(join(dataDir, 'atlas-folders.json'), 'utf8'))).toMatchObject({ folders: [expect.stringContaining('my atlas')] });
    await page.reload();
    await page.getByTestId('nav-inspect').click();
    await page.getByTestId('inspect-atlas').click();
    await expect.poll(() => page.getByTestId('atlas-item').count()).toBe(1);
    await page.getByTestId('atlas-item').click();
    await page.getByTestId('atlas-tile').first().click();
    await page.getByTestId('atlas-dream-with').click();
    await page.getByTestId('panel-dream').waitFor();
    expect(browser.problems).toEqual([]);
  });

  it('serves only PNG pictures inside a registered atlas folder, and only to this session', async () => {
    const id = await registeredId();
    const base = `/files/atlas-folders/${id}`;
    expect(await statusOf(`${base}/mixed0/0001.png`)).toBe(200);
    for (const path of [
      `${base}/../secret.png`,
      `${base}/mixed0/../../secret.png`,
      `${base}/%2e%2e/secret.png`,
      `${base}/mixed0%2f..%2f..%2fsecret.png`,
      `${base}/mixed0/link.png`, // a symlink out of the folder
      `${base}/atlas.json`,
      `${base}/notes.txt`,
      `${base}/index.html`,
      `/files/atlas-folders/f-0000000000000000/mixed0/0001.png`,
      `/files/atlas-folders/${encodeURIComponent(join(outside, 'secret.png'))}`,
    ]) expect(await statusOf(path), path).toBe(404);
    // Without the page's cookie (another site, another program): refused before any lookup.
    const bare = await fetch(`${server.origin}${base}/mixed0/0001.png`);
    expect(bare.status).toBe(401);
  });
});

/** The registered folder's id, as the list names it. */
async function registeredId(): Promise<string> {
  const page = browser.page;
  await page.getByTestId('nav-inspect').click();
  await page.getByTestId('inspect-atlas').click();
  await page.getByTestId('atlas-item').click();
  const src = await page.locator('[data-testid=atlas-tile] img').first().getAttribute('src');
  return /atlas-folders\/(f-[0-9a-f]{16})\//.exec(src ?? '')![1]!;
}
