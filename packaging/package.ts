// `npm run package:dir` and `npm run package`: builds what the packaged app loads (preload,
// renderer, compiled main and engine process), then runs electron-builder with electron-builder.yml.
//   --dir        an unpacked app only (out/linux-unpacked on Linux); with a stand-in Electron
//                when the real one is not installed (said on stderr; never an installer)
//   --out DIR    output folder (default out/)
// Without --dir it builds the current OS's installers from the yml's targets; that needs the real
// Electron and the targets' tools (electron-builder fetches appimagetool, fpm, NSIS, dmgbuild).
import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Configuration } from 'electron-builder';
import { electronBinary } from '../main/electronBinary.ts';
import { buildApp } from '../main/build.ts';
import { compileMain, ROOT } from './compileMain.ts';
import { declaredElectronVersion, makeStandInElectron, STAND_IN_NOTICE } from './standInElectron.ts';

export interface PackageOptions {
  /** Unpacked app only (electron-builder's "dir" target). */
  dir: boolean;
  outDir: string;
  /** Use the stand-in even where Electron is installed (the packaging test does). */
  standIn?: boolean;
  log?: (line: string) => void;
}

export interface PackageResult {
  outDir: string;
  standIn: boolean;
  artifacts: string[];
  /** The source modules compiled into dist/main/. */
  bundled: string[];
}

/** Bytes of every file under `dir` (the packaged app's size as it lands on disk). */
export async function folderSize(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const sizes = await Promise.all(entries.filter((e) => e.isFile()).map((e) => stat(join(e.parentPath, e.name)).then((s) => s.size)));
  return sizes.reduce((a, b) => a + b, 0);
}

export async function packageApp(options: PackageOptions): Promise<PackageResult> {
  const log = options.log ?? (() => undefined);
  const standIn = options.standIn === true || !electronBinary();
  if (standIn && !options.dir) {
    throw new Error('Installers need the real Electron ("npm install electron"); without it only "npm run package:dir" can run, with a stand-in.');
  }
  await buildApp(log);
  const { modules: bundled } = await compileMain();
  let config: Configuration = { directories: { output: options.outDir } };
  if (standIn) {
    log(`${options.standIn ? 'Asked for' : 'Electron is not installed here:'} a stand-in Electron folder. ${STAND_IN_NOTICE}`);
    const version = await declaredElectronVersion(ROOT);
    const electronDist = await makeStandInElectron(join(options.outDir, '.stand-in-electron'), version);
    // Fuses are flipped inside the real Electron binary; the stand-in has none to flip.
    config = { ...config, electronDist, electronVersion: version, electronFuses: null };
  }
  const { build, Platform } = await import('electron-builder');
  const platform = Platform.current();
  const targets = options.dir ? platform.createTarget('dir') : platform.createTarget();
  const artifacts = await build({ projectDir: ROOT, targets, config, publish: 'never' });
  if (config.electronDist) await rm(config.electronDist as string, { recursive: true, force: true });
  return { outDir: options.outDir, standIn, artifacts, bundled };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { dir: { type: 'boolean', default: false }, out: { type: 'string', default: join(ROOT, 'out') } } });
  try {
    const result = await packageApp({ dir: values.dir, outDir: resolve(values.out), log: (line) => process.stderr.write(`${line}\n`) });
    const mib = (await folderSize(result.outDir)) / 2 ** 20;
    process.stdout.write(`Packaged into ${result.outDir} (${mib.toFixed(1)} MiB)${result.standIn ? ', with the stand-in Electron: for inspection only' : ''}.\n`);
    for (const artifact of result.artifacts) process.stdout.write(`  ${artifact}\n`);
  } catch (err) {
    process.stderr.write(`Packaging failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
