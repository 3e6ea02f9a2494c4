// A real `npm start` restart seen from an open tab (chromium, the real server spawned as `npm start`
// runs it: no --port). The restarted server comes back at the data folder's last address and still
// knows the tab, which goes on working with its panels' work; when that address is taken, the
// server moves to the next known port and the old tab says plainly where the app now is.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LAUNCH_STATE_FILE } from '../../server/launchState.ts';
import { engineReady, dropFile, openBrowser, screenshot, setNumber, smallPhoto, startServer, stopApp, type Browser, type RunningServer } from './harness.ts';
import { tempDir } from '../appHelpers.ts';

// Known ports of our own, away from 47474 (a real Reverie may run on this machine).
const BASE = 30_000 + Math.floor(Math.random() * 2500) * 10;
const env = { REVERIE_PORT_BASE: String(BASE) };
let dataDir: string;
let server: RunningServer;
let browser: Browser;
let blocker: Server | undefined;

beforeAll(async () => {
  dataDir = await tempDir('e2e-restart');
  [server, browser] = await Promise.all([startServer(dataDir, env, null), openBrowser()]);
}, 180_000);
afterAll(async () => {
  await stopApp(server, browser);
  await new Promise((r) => (blocker ? blocker.close(r) : r(null)));
});

const launchState = async () => JSON.parse(await readFile(join(dataDir, LAUNCH_STATE_FILE), 'utf8')) as { port: number; secret: string };

describe('npm start restarted under an open tab', () => {
  it('comes back at the same address and still knows the tab: its work stays and it dreams again', async () => {
    expect(new URL(server.origin).port).toBe(String(BASE));
    expect((await stat(join(dataDir, LAUNCH_STATE_FILE))).mode & 0o777).toBe(0o600);
    expect((await launchState()).port).toBe(BASE);
    const { page } = browser;
    await page.goto(server.url);
    await engineReady(page, { server });
    await dropFile(page, '[data-testid=stage]', 'cat-small.jpg', 'image/jpeg', await smallPhoto());
    await page.locator('[data-testid=shown-image]').waitFor();
    await page.getByTestId('preset-quick').click();
    await setNumber(page, 'field-steps', 1);
    await page.getByTestId('auto-octaves').uncheck();
    await setNumber(page, 'field-octaves', 1);

    const oldToken = server.token;
    await server.stop();
    await page.getByTestId('connection-lost').waitFor({ timeout: 30_000 });
    server = await startServer(dataDir, env, null);
    expect(server.origin).toBe(`http://127.0.0.1:${BASE}`);
    expect(server.token).not.toBe(oldToken); // the launch token is still single-use, per launch
    // No reload, no new address: the same tab reconnects and its work is where it was.
    await page.getByTestId('connection-lost').waitFor({ state: 'detached', timeout: 30_000 });
    await engineReady(page, { server });
    expect(await page.getByTestId('connection-refused').count()).toBe(0);
    expect(await page.getByTestId('field-steps').inputValue()).toBe('1');
    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=compare]').waitFor({ timeout: 90_000 });
    await screenshot(page, 'restart-same-address');
  }, 240_000);

  it('when its address is taken, moves to the next known port, and the old tab says where', async () => {
    const { page } = browser;
    await server.stop();
    // Another program takes the address meanwhile.
    blocker = createServer((_req, res) => res.writeHead(404).end('not reverie'));
    await new Promise<void>((r) => blocker!.listen(BASE, '127.0.0.1', () => r()));
    server = await startServer(dataDir, env, null);
    expect(server.origin).toBe(`http://127.0.0.1:${BASE + 1}`);
    expect((await launchState()).port).toBe(BASE + 1);
    const moved = page.getByTestId('connection-moved');
    await moved.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('moved-address').textContent()).toBe(`http://127.0.0.1:${BASE + 1}/`);
    expect(await moved.textContent()).toContain('Open the address it printed');
    await screenshot(page, 'restart-moved');
    // The printed address opens the app at its new place.
    await page.goto(server.url);
    await engineReady(page, { server });
  }, 240_000);
});
