// electron-builder.yml as electron-builder itself reads and validates it (its JSON schema), and
// what each target needs: deb's maintainer, homepage and author email, icons, macOS hardened
// runtime with entitlements, a per-user Windows installer with shortcuts, and the Electron fuses.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import type { Configuration } from 'electron-builder';
import { ROOT } from '../../packaging/compileMain.ts';

const quiet = { isEnabled: false, add: () => undefined } as unknown as Parameters<typeof validateConfiguration>[1];
const loadConfig = (): Promise<Configuration> => getConfig(ROOT, null, null);

describe('electron-builder.yml', () => {
  it('passes electron-builder\'s own schema, which rejects a misplaced or mistyped option', async () => {
    const config = await loadConfig();
    await expect(validateConfiguration(config, quiet)).resolves.toBeUndefined();
    // The same check fails on what a typo or a wrong section would give.
    await expect(validateConfiguration({ ...config, nsis: { ...config.nsis, perUser: true } as never }, quiet)).rejects.toThrow(/configuration\.nsis/);
    await expect(validateConfiguration({ ...config, maintainer: config.linux?.maintainer } as never, quiet)).rejects.toThrow(/maintainer/);
  });

  it('gives the deb what it needs: maintainer, homepage, author email, description', async () => {
    const config = await loadConfig();
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { homepage?: string; author?: { email?: string }; description?: string };
    expect(config.linux?.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+\.[a-z]+>$/);
    expect(pkg.homepage).toMatch(/^https:\/\/\S+$/);
    expect(pkg.author?.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
    expect(pkg.description?.length).toBeGreaterThan(20);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Graphics');
  });

  it('has a square icon of at least 1024 px for every platform (dmg needs 512+, nsis 256+)', async () => {
    const config = await loadConfig();
    const icons = new Set([config.linux?.icon, config.mac?.icon, config.win?.icon]);
    expect(icons.size).toBe(1);
    const icon = join(ROOT, [...icons][0] as string);
    const meta = await sharp(icon).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1024, 1024]);
  });

  it('signs macOS builds with the hardened runtime and JIT entitlements, and makes a per-user Windows installer with shortcuts', async () => {
    const config = await loadConfig();
    expect(config.mac).toMatchObject({ target: ['dmg'], category: 'public.app-category.graphics-design', hardenedRuntime: true });
    for (const file of [config.mac?.entitlements, config.mac?.entitlementsInherit]) {
      expect(existsSync(join(ROOT, file!)), file!).toBe(true);
      expect(await readFile(join(ROOT, file!), 'utf8')).toContain('<key>com.apple.security.cs.allow-jit</key>');
    }
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: false, createDesktopShortcut: true, createStartMenuShortcut: true });
  });

  it('starts the compiled main and sets the fuses: no plain-Node mode, no code from outside the archive', async () => {
    const config = await loadConfig();
    expect(config.extraMetadata).toEqual({ main: 'dist/main/main.mjs' });
    expect(config.npmRebuild).toBe(false);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
