// End-to-end harness: the real browser-mode server (`server/start.ts`, spawned with an argument
// array) and Debian's chromium through playwright-core with a fresh profile.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { tempDir } from '../appHelpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(ROOT, 'tests', 'artifacts');

export interface RunningServer {
  url: string;
  origin: string;
  token: string;
  process: ChildProcess;
  /** Everything the server has printed so far. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Waits for the engine badge to say ready. On a timeout the error says what the badge says instead
 * and what the server printed last, so a CI failure tells a slow load from a failed or missed one.
 */
export async function engineReady(page: Page, options: { server?: RunningServer; timeout?: number; hasText?: string } = {}): Promise<void> {
  const ready = page.locator('[data-testid=engine-badge][data-state=ready]', options.hasText ? { hasText: options.hasText } : {});
  try {
    await ready.waitFor({ timeout: options.timeout ?? 90_000 });
  } catch (err) {
    const shown = await page
      .getByTestId('engine-badge')
      .evaluate((b) => `${b.getAttribute('data-state')} "${b.textContent?.trim()}" (${b.getAttribute('title')})`, undefined, { timeout: 2000 })
      .catch(() => 'nothing (no badge)');
    const said = options.server ? `\nThe server's last output:\n${options.server.log().slice(-3000)}` : '';
    throw new Error(`The engine badge did not say ready: it says ${shown}.${said}`, { cause: err });
  }
}

/**
 * Settings and presets go to `<dataDir>/config`, downloaded models to `<dataDir>/models` (unless `env` says otherwise): never the user's.
 * `port` 0 (the default) takes any free port; a restart test names the old one to keep the address,
 * or null to let the server choose as `npm start` does (the data folder's last port, then known ones).
 */
export async function startServer(dataDir: string, env: Record<string, string> = {}, port: number | null = 0): Promise<RunningServer> {
  const portArgs = port === null ? [] : ['--port', String(port)];
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'start.ts'), ...portArgs, '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, REVERIE_CONFIG_DIR: join(dataDir, 'config'), REVERIE_CACHE_DIR: join(dataDir, 'models'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), 90_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /Reverie is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token')!,
    process: child,
    log: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen so far (expected request failures excluded). */
  problems: string[];
}

/**
 * Chromium's software GPU for the window-device tests: WebGL2 on ANGLE over SwiftShader's Vulkan, and
 * a WebGPU adapter on SwiftShader (navigator.gpu offers none here without these flags).
 */
export const SOFTWARE_GPU_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan', '--use-angle=swiftshader'];

export interface BrowserOptions {
  /** Software GPU flags instead of --disable-gpu. */
  gpu?: boolean;
  /** Ignore the page's CSP: only for tests that inject their own check scripts. */
  bypassCSP?: boolean;
}

export async function openBrowser(options: BrowserOptions = {}): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'reverie-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
    ...(options.bypassCSP ? { bypassCSP: true } : {}),
    args: ['--headless', '--no-sandbox', ...(options.gpu ? SOFTWARE_GPU_ARGS : ['--disable-gpu']), '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    if (/Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  return { context, page, problems };
}

/** A test file's app: a server on a fresh data folder (`label` names it) and a browser, started together. */
export async function startApp(label: string, env: Record<string, string> = {}, browserOptions: BrowserOptions = {}): Promise<{ dataDir: string; server: RunningServer; browser: Browser }> {
  const dataDir = await tempDir(label);
  const [server, browser] = await Promise.all([startServer(dataDir, env), openBrowser(browserOptions)]);
  return { dataDir, server, browser };
}

/** Ends what startApp started (either may be missing where starting failed). */
export async function stopApp(server: RunningServer | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.context.close();
  await server?.stop();
}

/** Types a value into a number field and leaves it, so the page commits it. */
export async function setNumber(page: Page, testid: string, value: number | ''): Promise<void> {
  await page.getByTestId(testid).fill(String(value));
  await page.getByTestId(testid).press('Tab');
}

/** The bundled example photo, cropped small so dreams in a browser test stay fast. */
export function smallPhoto(width = 128, height = 96, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const resized = sharp(join(ROOT, 'assets', 'examples', 'cat.jpg')).resize(width, height, { fit: 'cover' });
  return (format === 'png' ? resized.png() : resized.jpeg()).toBuffer();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  // Transitions are fast-forwarded so a screenshot shows the settled UI, not a fade.
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}

/** Drops a file on an element the way a user's drag does (a DataTransfer with a File). */
export async function dropFile(page: Page, selector: string, name: string, type: string, data: Buffer): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ b64, name: n, type: t }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], n, { type: t }));
      return dt;
    },
    { b64: data.toString('base64'), name, type },
  );
  await page.dispatchEvent(selector, 'dragenter', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}
