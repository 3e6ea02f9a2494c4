// Electron main's policies, tested as data and small functions (Electron itself is optional and
// absent here): the security checklist, the reverie:// protocol, dialogs' path rule, menu, taskbar.
import { describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VideoFile } from '../contract/projects.ts';
import type { AppCommand, GalleryItem } from '../contract/types.ts';
import { ChosenPaths, createDialogs, dialogStartFolder, withExtension, withPngExtension, type DialogFolders, type SavedFolders } from '../main/dialogs.ts';
import { canShowWindows } from '../main/electronBinary.ts';
import type { BrowserWindow, ElectronMain, PreventableEvent, WebContents } from '../main/electronTypes.ts';
import { menuTemplate } from '../main/menu.ts';
import { routeAppRequest, serveAppRequest } from '../main/protocol.ts';
import {
  CONTENT_SECURITY_POLICY,
  SCHEME_PRIVILEGES,
  WEB_PREFERENCES,
  hardenWebContents,
  isAllowedNavigation,
  isTrustedSender,
} from '../main/security.ts';
import { RenderActivity } from '../main/taskbar.ts';
import { createMainWindow, WINDOW_SIZE } from '../main/windows.ts';
import { defaultDataDir } from '../host/dataDir.ts';
import { tempDir } from './appHelpers.ts';

describe('security checklist', () => {
  it('isolates and sandboxes the page, with no Node anywhere', () => {
    expect(WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    expect(Object.isFrozen(WEB_PREFERENCES)).toBe(true);
    expect(SCHEME_PRIVILEGES.bypassCSP).toBe(false);
  });

  it('has a strict CSP: nothing by default, no inline or eval, nothing remote', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|https?:|\*/);
  });

  it('answers IPC only for our own page', () => {
    expect(isTrustedSender('reverie://app/index.html')).toBe(true);
    expect(isTrustedSender('reverie://app/')).toBe(true);
    for (const url of ['reverie://files/index.html', 'reverie://user:pw@app/', 'file:///app/index.html', 'https://app/', 'http://127.0.0.1/', 'about:blank', 'not a url', '', null, undefined]) {
      expect(isTrustedSender(url), String(url)).toBe(false);
    }
  });

  it('blocks navigation away, new windows and webviews on every web contents', () => {
    const handlers = new Map<string, (event: PreventableEvent, url?: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    const contents = {
      setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
      on: (name: string, h: (event: PreventableEvent, url?: string) => void) => handlers.set(name, h),
    } as unknown as WebContents;
    hardenWebContents(contents);
    expect(openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const navigate = (name: string, url: string): boolean => {
      let prevented = false;
      handlers.get(name)!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate('will-navigate', 'file:///home/user/photo.png')).toBe(true);
    expect(navigate('will-redirect', 'http://127.0.0.1:8080/')).toBe(true);
    expect(navigate('will-navigate', 'reverie://app/index.html')).toBe(false);
    expect(navigate('will-attach-webview', '')).toBe(true);
    expect(isAllowedNavigation('javascript:alert(1)')).toBe(false);
  });

  it('opens a window that fits 1280×800, with the checklist preferences and only our page', () => {
    expect(WINDOW_SIZE.minWidth).toBeLessThanOrEqual(1280);
    expect(WINDOW_SIZE.minHeight).toBeLessThanOrEqual(800);
    // What the real window is built with, against the checklist written out here (not against the constant).
    const made: Array<{ options: Record<string, unknown>; loaded: string[] }> = [];
    class FakeWindow {
      readonly loaded: string[] = [];
      constructor(options: Record<string, unknown>) {
        made.push({ options, loaded: this.loaded });
      }
      once(): void {}
      loadURL(url: string): Promise<void> {
        this.loaded.push(url);
        return Promise.resolve();
      }
    }
    createMainWindow({ BrowserWindow: FakeWindow } as unknown as ElectronMain, '/app/preload.cjs');
    expect(made).toHaveLength(1);
    expect(made[0]!.options['webPreferences']).toEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      preload: '/app/preload.cjs',
    });
    expect(made[0]!.loaded).toEqual(['reverie://app/index.html']);
  });
});

describe('reverie:// protocol', () => {
  const dirs = { rendererDir: '/app/dist/renderer', dataDir: '/data' };

  it('serves the page, its assets and result files, and nothing else', () => {
    expect(routeAppRequest('reverie://app/', 'GET', dirs)).toEqual({ kind: 'file', root: dirs.rendererDir, path: '/app/dist/renderer/index.html' });
    expect(routeAppRequest('reverie://app/assets/x.js', 'GET', dirs)).toMatchObject({ kind: 'file', path: '/app/dist/renderer/assets/x.js' });
    expect(routeAppRequest('reverie://app/files/gallery/a/result.png', 'GET', dirs)).toMatchObject({ kind: 'file', root: '/data/gallery', path: '/data/gallery/a/result.png' });
    for (const served of ['zoom/z/project/frame_00000.png', 'sessions/s/exports/session-a.mp4', 'previews/p/project/frame_00001.png', 'features/inception_v3/mixed3/5-ab.png', 'inspect/i/map-5.png']) {
      expect(routeAppRequest(`reverie://app/files/${served}`, 'GET', dirs), served).toMatchObject({ kind: 'file', path: `/data/${served}` });
    }
    expect(routeAppRequest('reverie://other/index.html', 'GET', dirs)).toEqual({ kind: 'refuse', status: 403 });
    expect(routeAppRequest('reverie://app/index.html', 'POST', dirs)).toEqual({ kind: 'refuse', status: 405 });
    for (const bad of ['files/notes.txt', 'files/gallery/..%2f..%2fsecret', 'files/%2e%2e%2f%2e%2e%2fx', 'assets/..%2f..%2f..%2fetc/passwd', 'files/gallery/.tmp', '..%5c..%5cx']) {
      expect(routeAppRequest(`reverie://app/${bad}`, 'GET', dirs), bad).toEqual({ kind: 'refuse', status: 404 });
    }
    // The URL parser folds literal and %2e dot segments before routing: they stay inside the page's folder.
    const folded = routeAppRequest('reverie://app/%2e%2e/%2e%2e/etc/passwd', 'GET', dirs);
    expect(folded).toEqual({ kind: 'file', root: dirs.rendererDir, path: '/app/dist/renderer/etc/passwd' });
  });

  it('answers with our CSP, and refuses symlinks that lead out', async () => {
    const root = await tempDir('protocol');
    const real = { rendererDir: join(root, 'renderer'), dataDir: join(root, 'data') };
    await mkdir(join(real.rendererDir, 'assets'), { recursive: true });
    await mkdir(join(real.dataDir, 'gallery', 'g'), { recursive: true });
    await writeFile(join(real.rendererDir, 'index.html'), '<title>page</title>');
    await writeFile(join(root, 'secret.txt'), 'secret');
    await symlink(join(root, 'secret.txt'), join(real.dataDir, 'gallery', 'g', 'result.png'));
    // Inside the data folder but outside the served folder it sits in: refused too.
    await writeFile(join(real.dataDir, 'settings.json'), 'private');
    await symlink(join(real.dataDir, 'settings.json'), join(real.dataDir, 'gallery', 'g', 'thumb.jpg'));
    const page = await serveAppRequest({ url: 'reverie://app/', method: 'GET' }, real);
    expect(page.status).toBe(200);
    // The header the page really gets, checked against the policy written out here (not the constant itself).
    const csp = new Map((page.headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(page.headers.get('content-security-policy')).not.toMatch(/unsafe-|https?:|\*/);
    expect((await serveAppRequest({ url: 'reverie://app/files/gallery/g/thumb.jpg', method: 'GET' }, real)).status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toBe('<title>page</title>');
    expect((await serveAppRequest({ url: 'reverie://app/files/gallery/g/result.png', method: 'GET' }, real)).status).toBe(404);
    expect((await serveAppRequest({ url: 'reverie://app/missing.js', method: 'GET' }, real)).status).toBe(404);
  });
});

describe('dialogs', () => {
  it('lets main touch only paths a dialog returned', () => {
    const chosen = new ChosenPaths();
    expect(() => chosen.check('/home/user/out.png')).toThrow(/was not chosen in a dialog/);
    chosen.remember('/home/user/out.png');
    expect(chosen.check('/home/user/./out.png')).toBe('/home/user/out.png');
    expect(() => chosen.check('/home/user/out.png/../other.png')).toThrow(expect.objectContaining({ name: 'PathNotChosenError' }));
    expect(withPngExtension('/a/b')).toBe('/a/b.png');
    expect(withPngExtension('/a/b.PNG')).toBe('/a/b.PNG');
    expect(withExtension('/a/b.gif', 'webm')).toBe('/a/b.gif.webm');
  });

  it('saves an exported video only where the save dialog said, whole, or not at all', async () => {
    const root = await tempDir('save-video');
    const source = join(root, 'zoom-a.webm');
    await writeFile(source, 'video bytes');
    const asked: unknown[] = [];
    let answer: { canceled: boolean; filePath?: string } = { canceled: false, filePath: join(root, 'mine') };
    const electron = { app: { getPath: () => root }, dialog: { showSaveDialog: async (_w: unknown, o: unknown) => (asked.push(o), answer) } } as unknown as ElectronMain;
    const dialogs = createDialogs(electron, new ChosenPaths(), () => ({}) as BrowserWindow);
    const video: VideoFile = { file: 'zoom-a.webm', url: '/files/x', format: 'webm', frames: 4, durationS: 0.5, width: 8, height: 8, createdAt: 'x' };
    expect(await dialogs.saveVideo(video, source)).toEqual({ kind: 'saved', path: join(root, 'mine.webm') });
    expect(await readFile(join(root, 'mine.webm'), 'utf8')).toBe('video bytes');
    expect(asked).toEqual([{ defaultPath: join(root, 'reverie-zoom-a.webm'), filters: [{ name: 'WebM video', extensions: ['webm'] }] }]);
    expect((await readdir(root)).sort()).toEqual(['mine.webm', 'zoom-a.webm']);
    answer = { canceled: true };
    expect(await dialogs.saveVideo(video, source)).toEqual({ kind: 'cancelled' });
  });

  it('starts open dialogs in the last input folder and save dialogs in the last output folder, else the saved output folder', () => {
    const there = new Set(['/in', '/out', '/settings-out']);
    const exists = (p: string): boolean => there.has(p);
    const saved = (lastUsed: SavedFolders['lastUsed'], outputFolder: string | null = '/settings-out'): SavedFolders => ({ lastUsed, outputFolder });
    expect(dialogStartFolder('open', saved({ inputFolder: '/in', outputFolder: '/out' }), exists)).toBe('/in');
    expect(dialogStartFolder('save', saved({ inputFolder: '/in', outputFolder: '/out' }), exists)).toBe('/out');
    expect(dialogStartFolder('open', saved({ outputFolder: '/out' }), exists)).toBe('/settings-out');
    expect(dialogStartFolder('save', saved({ inputFolder: '/in' }), exists)).toBe('/settings-out');
    // A last folder that was deleted since is passed over; with nothing saved the host's default applies.
    expect(dialogStartFolder('save', saved({ outputFolder: '/gone' }), exists)).toBe('/settings-out');
    expect(dialogStartFolder('open', saved({ inputFolder: '/gone' }, null), exists)).toBeNull();
    expect(dialogStartFolder('save', saved({}, null), exists)).toBeNull();
  });

  it('opens and saves starting in those folders, and remembers the folders the user picked', async () => {
    const root = await tempDir('dialog-folders');
    const [photos, results, elsewhere] = [join(root, 'photos'), join(root, 'results'), join(root, 'elsewhere')];
    for (const d of [photos, results, elsewhere]) await mkdir(d);
    await writeFile(join(elsewhere, 'cat.png'), 'png bytes');
    await writeFile(join(root, 'result.png'), 'dream bytes');
    let folders: SavedFolders = { lastUsed: { inputFolder: photos }, outputFolder: results };
    const remembered: unknown[] = [];
    const settings: DialogFolders = {
      saved: async () => folders,
      remember: async (lastUsed) => {
        remembered.push(lastUsed);
        folders = { ...folders, lastUsed: { ...folders.lastUsed, ...lastUsed } };
      },
    };
    const asked: Array<{ kind: string; defaultPath?: string }> = [];
    const electron = {
      app: { getPath: (name: string) => join(root, name) },
      dialog: {
        showOpenDialog: async (_w: unknown, o: { defaultPath?: string }) => (asked.push({ kind: 'open', ...(o.defaultPath ? { defaultPath: o.defaultPath } : {}) }), { canceled: false, filePaths: [join(elsewhere, 'cat.png')] }),
        showSaveDialog: async (_w: unknown, o: { defaultPath: string }) => (asked.push({ kind: 'save', defaultPath: o.defaultPath }), { canceled: false, filePath: join(elsewhere, 'mine') }),
      },
    } as unknown as ElectronMain;
    const dialogs = createDialogs(electron, new ChosenPaths(), () => ({}) as BrowserWindow, settings);
    const item = { input: { name: 'cat.png' } } as GalleryItem;

    expect(await dialogs.openFile('image')).toMatchObject({ name: 'cat.png' });
    expect(await dialogs.saveResult(item, join(root, 'result.png'), results)).toEqual({ kind: 'saved', path: join(elsewhere, 'mine.png') });
    expect(await dialogs.openFile('image')).toMatchObject({ name: 'cat.png' });
    expect(asked).toEqual([
      { kind: 'open', defaultPath: photos },
      { kind: 'save', defaultPath: join(results, 'cat-dream.png') }, // no last output folder yet: the saved one
      { kind: 'open', defaultPath: elsewhere },
    ]);
    expect(remembered).toEqual([{ inputFolder: elsewhere }, { outputFolder: elsewhere }, { inputFolder: elsewhere }]);
    // A preset file is opened from the last input folder too, but does not move it.
    await dialogs.openFile('preset');
    expect(remembered).toHaveLength(3);

    // Settings that cannot be read or written never stop a dialog: it opens where the system would.
    const broken = createDialogs(electron, new ChosenPaths(), () => ({}) as BrowserWindow, { saved: () => Promise.reject(new Error('unreadable')), remember: () => Promise.reject(new Error('read-only')) });
    asked.length = 0;
    expect(await broken.saveResult(item, join(root, 'result.png'), null)).toMatchObject({ kind: 'saved' });
    expect(asked).toEqual([{ kind: 'save', defaultPath: join(root, 'pictures', 'cat-dream.png') }]);
  });
});

describe('menu', () => {
  it('sends app commands for its items and opens nothing remote', () => {
    const sent: AppCommand[] = [];
    const template = menuTemplate((c) => sent.push(c), false);
    const items = template.flatMap((m) => m.submenu ?? [m]);
    for (const item of items) item.click?.();
    expect(sent.sort()).toEqual(['cancel', 'dream', 'load-recipe', 'open', 'save', 'show-dream', 'show-zoom', 'show-paint', 'show-inspect', 'show-gallery', 'show-models', 'show-shortcuts'].sort());
    expect(JSON.stringify(template)).not.toMatch(/https?:/);
    expect(items.find((i) => i.label === 'Cancel')?.registerAccelerator).toBe(false);
    expect(menuTemplate(() => undefined, true)[0]).toEqual({ role: 'appMenu' });
  });
});

describe('taskbar progress and sleep', () => {
  it('shows progress and keeps the machine awake until the last job ends', () => {
    const log: string[] = [];
    const activity = new RenderActivity({
      setProgress: (f) => log.push(`progress ${f}`),
      preventSleep: () => (log.push('block'), 7),
      allowSleep: (id) => log.push(`unblock ${id}`),
    });
    activity.handle({ channel: 'job.state', payload: { jobId: 'a', kind: 'dream', state: 'queued', position: 0 } });
    activity.handle({ channel: 'job.state', payload: { jobId: 'a', kind: 'dream', state: 'running' } });
    activity.handle({ channel: 'job.state', payload: { jobId: 'b', kind: 'dream', state: 'queued', position: 1 } });
    activity.handle({ channel: 'job.progress', payload: { jobId: 'a', kind: 'dream', done: 1, total: 4, label: '', elapsedMs: 1, etaMs: 3 } });
    activity.handle({ channel: 'job.state', payload: { jobId: 'a', kind: 'dream', state: 'cancelled' } });
    activity.handle({ channel: 'job.state', payload: { jobId: 'b', kind: 'dream', state: 'failed', error: { name: 'E', message: 'm' } } });
    activity.handle({ channel: 'gallery.changed', payload: {} });
    expect(log).toEqual(['block', 'progress 0', 'progress 0.25', 'progress -1', 'unblock 7']);
  });
});

describe('launch choices', () => {
  it('uses browser mode on a Linux box without a display', () => {
    expect(canShowWindows({}, 'linux')).toBe(false);
    expect(canShowWindows({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(canShowWindows({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(canShowWindows({}, 'darwin')).toBe(true);
  });

  it('keeps browser-mode data in $REVERIE_DATA_DIR or the per-user data folder', () => {
    expect(defaultDataDir({ REVERIE_DATA_DIR: '/x' }, 'linux', '/home/u')).toBe('/x');
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/reverie');
    expect(defaultDataDir({ XDG_DATA_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/xdg/reverie');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Reverie');
  });
});
