// Packages the app with the real electron-builder and a stand-in Electron folder (the Electron
// binary cannot be downloaded here; packaging/standInElectron.ts), then checks what the archive
// holds: every module the compiled entries reach resolves inside app.asar or app.asar.unpacked,
// native parts and embedded models are unpacked where the code loads them, and nothing else ships.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import asar from '@electron/asar';
import { invokeChannels } from '../../contract/channels.ts';
import { WINDOW_FRAME_CHANNEL } from '../../contract/windowIpc.ts';
import { EMBEDDED_MODELS, embeddedFolder } from '../../engine/model/files/embedded.ts';
import { readDreamMetadata } from '../../engine/render/metadata.ts';
import { DEFAULT_RECIPE } from '../../engine/recipe/recipe.ts';
import { ROOT } from '../../packaging/compileMain.ts';
import { packageApp, type PackageResult } from '../../packaging/package.ts';
import { tempDir } from '../appHelpers.ts';
import { ArchiveView } from './archive.ts';
import { NOT_SHIPPED } from './shipping.ts';
import { moduleGraph, Resolver, type ModuleGraph } from './moduleGraph.ts';
import { runEngine, standInEnv, startMain } from './standIns.ts';

const ENTRIES = ['dist/main/main.mjs', 'dist/main/engineProcess.mjs', 'dist/main/gradientWorker.mjs', 'dist/preload/preload.cjs'];
/** Outside node_modules, only these ship: the compiled app, its page, and data read at run time. */
const OWN_FILES = /^(package\.json|dist\/main\/[^/]+\.mjs|dist\/preload\/preload\.cjs|dist\/renderer\/.+|engine\/model\/data\/[^/]+\.json)$/;
const NATIVE = /\.(node|so(\.\d+)*|dylib|dll)$/;

const packageName = (path: string): string | undefined => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];

describe('packaged app (electron-builder, stand-in Electron: inspected, never run)', () => {
  let result: PackageResult;
  let view: ArchiveView;
  let graph: ModuleGraph;
  const made: string[] = [];

  beforeAll(async () => {
    if (process.platform !== 'linux') throw new Error('This test inspects the Linux layout (linux-unpacked); run it on Linux, as CI does.');
    const outDir = await tempDir('package');
    made.push(outDir);
    result = await packageApp({ dir: true, outDir, standIn: true });
    view = new ArchiveView(join(outDir, 'linux-unpacked', 'resources'));
    graph = await moduleGraph(view, ENTRIES);
  }, 300_000);

  afterAll(async () => {
    // The package and its extracted copy are about 100 MiB each.
    await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('builds linux-unpacked: the executable and resources/app.asar, starting the compiled main', () => {
    expect(result.standIn).toBe(true);
    expect(existsSync(join(result.outDir, 'linux-unpacked', 'reverie'))).toBe(true);
    const pkg = JSON.parse(view.read('package.json').toString('utf8')) as { main: string };
    expect(pkg.main).toBe('dist/main/main.mjs');
    for (const entry of ENTRIES) expect(view.kind(entry), entry).toBe('file');
  });

  it('resolves every module the compiled main, preload and engine process import, through the whole graph', async () => {
    // Left unresolved only where the code copes (inside try, or an optional dependency) AND the
    // package is not installed on this machine either: anything installed here must be packed.
    const pkg = JSON.parse(view.read('package.json').toString('utf8')) as { optionalDependencies?: Record<string, string> };
    const optional = new Set(Object.keys(pkg.optionalDependencies ?? {}));
    const installedHere = (specifier: string): boolean => existsSync(join(ROOT, 'node_modules', packageName(`node_modules/${specifier}`) ?? specifier));
    expect(graph.unresolved.filter((e) => !optional.has(packageName(`node_modules/${e.specifier}`)!))).toEqual([]);
    expect([...graph.unresolved, ...graph.optional].filter((e) => installedHere(e.specifier))).toEqual([]);
    expect([...graph.runtime]).toEqual(['electron']);
    // The packages the engine resolves by name at run time (names held in variables).
    const resolver = new Resolver(view);
    expect(resolver.resolve('dist/main/main.mjs', 'nsfwjs', 'require')).toBeDefined();
    expect(graph.files).toContain('node_modules/onnxruntime-node/dist/binding.js');
    expect(graph.files).toContain('node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js');
    const reached = new Set([...graph.files].map(packageName).filter(Boolean));
    const shipped = new Set(view.files().map(packageName).filter(Boolean));
    // Every shipped package is reached, except those loaded by computed names: sharp's platform
    // packages (@img/sharp-<os>-<arch>), msgpackr's (@msgpackr-extract/…-<os>-<arch>, the farm's
    // queue) and nsfwjs, found by embedded.ts for its model files.
    const unreached = [...shipped].filter((p) => !reached.has(p!)).join(' ');
    expect([...shipped].filter((p) => !reached.has(p!) && !/^@(img\/sharp|msgpackr-extract\/msgpackr-extract)-/.test(p!) && p !== 'nsfwjs')).toEqual([]);
    console.log(`module graph: ${graph.files.size} files reached, from ${reached.size} of ${shipped.size} packages shipped (not reached by a literal import: ${unreached}); optional and absent: ${graph.optional.map((e) => e.specifier).join(', ')}`);
  });

  it('finds every file the compiled code names with new URL(…, import.meta.url), and the page\'s assets', () => {
    const targets = graph.urlTargets.map((t) => t.target.replace(/^\.\/?$/, '').replace(/\/$/, ''));
    expect(targets).toEqual(expect.arrayContaining(['package.json', '', 'dist/main/engineProcess.mjs', 'engine/model/data/imagenet-classes.json']));
    for (const target of targets) expect(view.kind(target), target).toBeDefined();
    const html = view.read('dist/renderer/index.html').toString('utf8');
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => `dist/renderer/${m[1]}`);
    expect(assets.length).toBeGreaterThan(1);
    for (const asset of assets) expect(view.kind(asset), asset).toBe('file');
  });

  it('unpacks the native parts where they load from, and they load from there', async () => {
    const natives = view.files().filter((p) => NATIVE.test(p));
    expect(natives.filter((p) => !view.isUnpacked(p))).toEqual([]);
    const platformArch = `${process.platform}/${process.arch}`;
    const ort = `node_modules/onnxruntime-node/bin/napi-v6/${platformArch}`;
    expect(natives).toEqual(expect.arrayContaining([`${ort}/onnxruntime_binding.node`, `${ort}/libonnxruntime.so.1`]));
    // Only this platform's onnxruntime binaries ship (the npm package holds five platforms' worth).
    expect(natives.filter((p) => p.startsWith('node_modules/onnxruntime-node/') && !p.startsWith(`${ort}/`))).toEqual([]);
    const sharpNative = natives.filter((p) => /^node_modules\/@img\/sharp-[^/]+\/lib\/sharp-[^/]+\.node$/.test(p));
    expect(sharpNative).toHaveLength(1);
    expect(natives.some((p) => /^node_modules\/@img\/sharp-libvips-[^/]+\/lib\/libvips-cpp\./.test(p))).toBe(true);
    // dlopen each binding from app.asar.unpacked in a fresh Node: its libraries must sit where its rpath says.
    const load = `for (const f of process.argv.slice(1)) { const m = { exports: {} }; process.dlopen(m, f); if (!Object.keys(m.exports).length) throw new Error(f); } console.log('loaded');`;
    const files = [`${ort}/onnxruntime_binding.node`, sharpNative[0]!].map((p) => join(view.unpackedDir, p));
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', load, ...files]);
    expect(stdout.trim()).toBe('loaded');
    // tfjs's wasm backend reads its .wasm files beside its Node bundle.
    const wasmDir = posix.dirname('node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js');
    for (const wasm of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      expect(view.isUnpacked(`${wasmDir}/${wasm}`), wasm).toBe(true);
    }
  });

  it('unpacks every file of the embedded models where the engine reads them', () => {
    for (const key of Object.keys(EMBEDDED_MODELS)) {
      const folder = embeddedFolder(key);
      const inArchive = `node_modules/${EMBEDDED_MODELS[key]!.packageName}/${EMBEDDED_MODELS[key]!.folder}`;
      const files = readdirSync(folder);
      expect(files, key).toContain('model.min.js');
      for (const file of files) expect(view.isUnpacked(`${inArchive}/${file}`), `${key}/${file}`).toBe(true);
    }
  });

  it('ships no TypeScript source, test, test helper, bench or source map; reports its size', () => {
    const files = view.files();
    expect(files.filter((p) => !p.startsWith('node_modules/') && !OWN_FILES.test(p))).toEqual([]);
    expect(files.filter((p) => /\.[cm]?ts$|\.map$/.test(p))).toEqual([]);
    expect(files.filter((p) => NOT_SHIPPED.test(p) || /(^|\/)\.rollup\.cache\//.test(p))).toEqual([]);
    // Nor compiled into the bundles: the sources vite bundled into dist/main/.
    expect(result.bundled).toContain('main/main.ts');
    expect(result.bundled.filter((m) => NOT_SHIPPED.test(m))).toEqual([]);
    const size = view.diskSize();
    const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
    console.log(`package size: app.asar ${mb(size.archive)} MiB + app.asar.unpacked ${mb(size.unpacked)} MiB = ${mb(size.archive + size.unpacked)} MiB, ${files.length} files (without Electron itself)`);
    // Guards against shipping every platform's onnxruntime or the tfjs browser bundles again (about 500 MiB).
    expect(size.archive + size.unpacked).toBeLessThan(200 * 2 ** 20);
  });

  it('runs from the extracted archive under Node (stand-ins for electron and parentPort, not Electron): main starts, the engine dreams', async () => {
    // Electron reads app.asar and app.asar.unpacked as one tree; extracted, plain Node can run it.
    const extracted = await tempDir('package-run');
    made.push(extracted);
    const app = join(extracted, 'app');
    asar.extractAll(view.archive, app);
    const { home, env } = await standInEnv();
    const report = await startMain(join(app, 'dist', 'main', 'main.mjs'), env);
    expect([...report.ipcChannels].sort()).toEqual([...invokeChannels].sort());
    // The window device's frames come in on their own one-way channel.
    expect(report.ipcListeners).toEqual([WINDOW_FRAME_CHANNEL]);
    expect(report.forks.map((f) => f.modulePath)).toEqual([join(app, 'dist', 'main', 'engineProcess.mjs')]);
    expect(report.appInfo.value?.version).toBe((JSON.parse(view.read('package.json').toString('utf8')) as { version: string }).version);

    // The engine process main forked: the real embedded model, then a small dream written as a PNG.
    const png = join(home, 'dream.png');
    // Two tiles (200x133 at 150 px): on a machine with two cores or more the engine's layout runs them on
    // its worker pool, whose thread starts from the compiled dist/main/gradientWorker.mjs.
    const recipe = { ...DEFAULT_RECIPE, layers: [{ name: 'mixed3', weight: 1 }], steps: 2, octaves: 1, jitter: 8, tileSize: 150 };
    const spec = { kind: 'dream', jobId: 'packaged', inputId: 'cat', inputPath: join(ROOT, 'assets', 'examples', 'cat.jpg'), inputName: 'cat.jpg', maxSide: 200, recipe };
    const messages = await runEngine(report.forks[0]!.modulePath, ['--backend', 'wasm', '--model', 'inception_v3', '--cache-dir', join(home, 'cache')], env, { spec, png });
    expect(messages.map((m) => m.type)).toEqual(['ready', 'done']);
    expect(messages[0]).toMatchObject({ backend: 'wasm', modelId: 'inception_v3' });
    // onnxruntime's binding loaded from the package's copy (unpacked beside app.asar), next to its library.
    expect(messages[0]!.accelerator).toMatch(/^onnxruntime-node /);
    const meta = await readDreamMetadata(png);
    expect(meta.recipe).toEqual(recipe);
    expect(meta.appVersion).toBe('stand-in');
    console.log(`engine from the package: model loaded in ${messages[0]!.loadMs} ms (${messages[0]!.accelerator})`);
  });
});
