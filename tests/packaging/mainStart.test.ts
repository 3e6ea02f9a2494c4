// The compiled Electron main (packaging/compileMain.ts: plain JavaScript, what the packaged app
// runs) starts under plain Node with tests/packaging/electronStandIn.mjs in place of `electron`.
// That stand-in is NOT Electron: this proves the compiled entry resolves its imports and runs its
// start-up path (handlers, window, protocol, engine process); only a real Electron shows the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { invokeChannels } from '../../contract/channels.ts';
import { APP_SCHEME, APP_URL, WEB_PREFERENCES } from '../../main/security.ts';
import { compileMain, ROOT, type CompiledMain } from '../../packaging/compileMain.ts';
import { NOT_SHIPPED } from './shipping.ts';
import { standInEnv, startMain, type MainReport } from './standIns.ts';


describe('compiled main under Node with a stand-in electron module (not Electron)', () => {
  let outDir: string;
  let compiled: CompiledMain;
  let report: MainReport;

  beforeAll(async () => {
    // Inside the checkout, so the compiled imports find node_modules as the packaged app finds its own.
    await mkdir(join(ROOT, 'dist'), { recursive: true });
    outDir = await mkdtemp(join(ROOT, 'dist', '.main-start-'));
    compiled = await compileMain(outDir);
    report = await startMain(compiled.main, (await standInEnv()).env);
  });

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('is plain JavaScript: .mjs entries with no TypeScript and no tsx', async () => {
    for (const entry of [compiled.main, compiled.engineProcess]) {
      const code = await readFile(entry, 'utf8');
      expect(code).not.toMatch(/from ['"][^'"]+\.ts['"]|tsx\/esm|\bimport\(['"]tsx/);
    }
    expect(compiled.modules).toContain('main/main.ts');
    expect(compiled.modules).toContain('main/engineProcess.ts');
    expect(compiled.modules.filter((m) => NOT_SHIPPED.test(m))).toEqual([]);
  });

  it('registers one IPC handler per contract channel, and answers app.info with package.json\'s version', async () => {
    expect(report.standIn).toBe('not Electron');
    expect([...report.ipcChannels].sort()).toEqual([...invokeChannels].sort());
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(report.appInfo).toMatchObject({ ok: true, value: { version: pkg.version, mode: 'electron' } });
  });

  it('creates its hardened window on the app URL with the built preload, and wires protocol, permissions and menu', () => {
    expect(report.windows).toHaveLength(1);
    const [window] = report.windows;
    expect(window!.options.webPreferences).toMatchObject({ ...WEB_PREFERENCES, preload: join(ROOT, 'dist', 'preload', 'preload.cjs') });
    expect(window!.urls).toEqual([APP_URL]);
    expect(report.protocolHandlers).toEqual([APP_SCHEME]);
    expect(report.privilegedSchemes.map((s) => s.scheme)).toEqual([APP_SCHEME]);
    expect(report.permissionHandlers).toBe(2);
    expect(report.singleInstanceLock).toBe(true);
    expect(report.menuSet).toBe(true);
  });

  it('forks the compiled engine-process entry beside it, not the tsx bootstrap', () => {
    expect(report.forks).toHaveLength(1);
    expect(report.forks[0]!.modulePath).toBe(compiled.engineProcess);
    expect(existsSync(report.forks[0]!.modulePath)).toBe(true);
    expect(report.forks[0]!.args.slice(0, 4)).toEqual(['--backend', 'auto', '--model', 'inception_v3']);
  });

  it('still runs the sources in a checkout (npm run app): main/bootstrap.mjs through tsx forks the tsx engine bootstrap', async () => {
    const fromSources = await startMain(join(ROOT, 'main', 'bootstrap.mjs'), (await standInEnv()).env);
    expect([...fromSources.ipcChannels].sort()).toEqual([...invokeChannels].sort());
    expect(fromSources.forks.map((f) => f.modulePath)).toEqual([join(ROOT, 'main', 'engineProcess.mjs')]);
  });
});
