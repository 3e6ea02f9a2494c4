// Atlas folders the user opened from anywhere (a native folder dialog in Electron, a typed path in
// browser mode): each is checked to be a Reverie atlas (its atlas.json, sane contents), registered
// under an id derived from its real path, and remembered in the data folder. Pages load its
// pictures from /files/atlas-folders/<id>/…: only PNG files, only inside a registered folder (real
// paths compared, so neither ".." nor a symlink leads out), behind the same session gate as /files/.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ReverieError } from '../engine/shared/errors.ts';
import { resolveInside, writeFileAtomic } from './files.ts';
import { ATLAS_INDEX, readAtlasIndex, type AtlasIndexFile } from './atlasIndex.ts';

/** The URL folder under /files/ for registered atlas folders (not a folder of the data directory). */
export const ATLAS_FOLDERS_URL = 'atlas-folders';
const REGISTRY_FILE = 'atlas-folders.json';
const ID = /^f-[0-9a-f]{16}$/;
const MAX_FOLDERS = 200;

export class NotAnAtlasError extends ReverieError {
  override name = 'NotAnAtlasError';
}

/** What the transports ask when a page loads an atlas picture. */
export interface AtlasRoots {
  root(id: string): string | null;
}

export class AtlasFolders implements AtlasRoots {
  private readonly roots = new Map<string, string>();
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, REGISTRY_FILE);
    // Read once at start (small), so the protocol handler can answer from memory.
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as { folders?: unknown };
      if (Array.isArray(saved.folders)) for (const f of saved.folders) if (typeof f === 'string' && isAbsolute(f)) this.roots.set(folderId(f), f);
    } catch {
      // None yet, or unreadable: no folders are registered.
    }
  }

  root(id: string): string | null {
    return ID.test(id) ? (this.roots.get(id) ?? null) : null;
  }

  entries(): Array<[string, string]> {
    return [...this.roots];
  }

  /** Checks that `path` is an atlas folder and registers it; its id and index. */
  async add(path: string): Promise<{ id: string; dir: string; index: AtlasIndexFile }> {
    const dir = await atlasFolder(path);
    const index = await readAtlasIndex(dir);
    if (!index) throw new NotAnAtlasError(`${path} has no ${ATLAS_INDEX} that Reverie can read: it is not a Reverie atlas folder. Make one with reverie atlas -o FOLDER --layers mixed3.`);
    const id = folderId(dir);
    if (!this.roots.has(id)) {
      if (this.roots.size >= MAX_FOLDERS) this.roots.delete(this.roots.keys().next().value!);
      this.roots.set(id, dir);
      await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, folders: [...this.roots.values()] }, null, 1)}\n`);
    }
    return { id, dir, index };
  }
}

/** The folder's real path, when `path` names an existing folder by an absolute path. */
async function atlasFolder(path: string): Promise<string> {
  if (path.length === 0 || path.length > 4096 || path.includes('\0') || !isAbsolute(path)) throw new NotAnAtlasError(`"${path.slice(0, 200)}" is not a full folder path (it must start at the root, e.g. /home/me/atlases/mixed3).`);
  const real = await realpath(path).catch(() => null);
  if (real === null || !(await stat(real)).isDirectory()) throw new NotAnAtlasError(`${path} is not a folder on this machine.`);
  return real;
}

const folderId = (dir: string): string => `f-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`;

/** `<id>/<path>` below /files/atlas-folders/ → the registered folder and the picture inside it, or null. */
export function atlasFileRequest(rest: string, roots: AtlasRoots): { root: string; path: string; urlPath: string } | null {
  const slash = rest.indexOf('/');
  if (slash < 0) return null;
  const root = roots.root(rest.slice(0, slash));
  const urlPath = rest.slice(slash + 1);
  if (root === null) return null;
  const path = resolveInside(root, urlPath);
  // Pictures only: an atlas folder may sit beside anything, and only its tiles are the page's business.
  return path !== null && path.toLowerCase().endsWith('.png') ? { root, path, urlPath } : null;
}
