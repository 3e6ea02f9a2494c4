// Finding ffmpeg and ffprobe: FFMPEG_PATH/FFPROBE_PATH, then the optional npm package ffmpeg-static,
// then the system's executables on PATH. Only file checks here; nothing is spawned.
import { access, constants, stat } from 'node:fs/promises';
import { basename, delimiter, dirname, extname, join } from 'node:path';
import { FfmpegNotFoundError } from './errors.ts';

export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
  source: 'FFMPEG_PATH' | 'ffmpeg-static' | 'system';
}

export interface LocateDeps {
  /** Loads an optional package; tests replace it to simulate ffmpeg-static being installed or not. */
  importModule?: (name: string) => Promise<unknown>;
  platform?: NodeJS.Platform;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` on env.PATH (with PATHEXT on Windows), or null. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<string | null> {
  const path = env['PATH'] ?? env['Path'] ?? '';
  const exts = platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''];
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const candidate = join(dir, name + ext.toLowerCase());
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

/**
 * In a packaged desktop app a package's binary is named inside resources/app.asar, which cannot be
 * spawned; electron-builder.yml unpacks ffmpeg-static beside the archive, in app.asar.unpacked.
 */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/** A module's default export (or the module itself) as a path, when the package is installed. */
async function optionalPackagePath(name: string, importModule: (name: string) => Promise<unknown>): Promise<string | null> {
  try {
    const mod = (await importModule(name)) as { default?: unknown; path?: unknown };
    const value = typeof mod.default === 'string' ? mod.default : (mod.default as { path?: unknown } | undefined)?.path ?? mod.path;
    if (typeof value !== 'string') return null;
    const spawnable = unpackedPath(value);
    return (await isExecutable(spawnable)) ? spawnable : null;
  } catch {
    return null; // optional dependency not installed (or no binary for this platform)
  }
}

/** ffprobe beside `ffmpeg` (same folder, same extension), when there is one. */
async function siblingProbe(ffmpeg: string): Promise<string | null> {
  const ext = extname(basename(ffmpeg));
  const candidate = join(dirname(ffmpeg), `ffprobe${ext}`);
  return (await isExecutable(candidate)) ? candidate : null;
}

// A variable specifier keeps TypeScript and bundlers from requiring the optional packages.
const defaultImport = (name: string): Promise<unknown> => import(name);

export async function locateFfmpeg(env: NodeJS.ProcessEnv = process.env, deps: LocateDeps = {}): Promise<FfmpegPaths> {
  const importModule = deps.importModule ?? defaultImport;
  const platform = deps.platform ?? process.platform;
  const tried: string[] = [];

  const probeFor = async (ffmpeg: string): Promise<string> => {
    const explicit = env['FFPROBE_PATH'];
    if (explicit) {
      if (await isExecutable(explicit)) return explicit;
      throw new FfmpegNotFoundError(`FFPROBE_PATH is set to "${explicit}", which is not an executable file.`, [explicit]);
    }
    const found = (await siblingProbe(ffmpeg)) ?? (await optionalPackagePath('ffprobe-static', importModule)) ?? (await findOnPath('ffprobe', env, platform));
    if (found) return found;
    throw new FfmpegNotFoundError(`Found ffmpeg at "${ffmpeg}" but no ffprobe beside it, in ffprobe-static or on PATH.`, [ffmpeg]);
  };

  const fromEnv = env['FFMPEG_PATH'];
  if (fromEnv) {
    // An explicit setting that is wrong is an error, never a silent fall-through to another ffmpeg.
    if (!(await isExecutable(fromEnv))) {
      throw new FfmpegNotFoundError(`FFMPEG_PATH is set to "${fromEnv}", which is not an executable file.`, [fromEnv]);
    }
    return { ffmpeg: fromEnv, ffprobe: await probeFor(fromEnv), source: 'FFMPEG_PATH' };
  }
  tried.push('FFMPEG_PATH (unset)');

  const fromPackage = await optionalPackagePath('ffmpeg-static', importModule);
  if (fromPackage) return { ffmpeg: fromPackage, ffprobe: await probeFor(fromPackage), source: 'ffmpeg-static' };
  tried.push('ffmpeg-static (not installed)');

  const fromSystem = await findOnPath('ffmpeg', env, platform);
  if (fromSystem) return { ffmpeg: fromSystem, ffprobe: await probeFor(fromSystem), source: 'system' };
  tried.push('PATH');
  throw new FfmpegNotFoundError('ffmpeg was not found (looked at FFMPEG_PATH, the ffmpeg-static package and PATH).', tried);
}
