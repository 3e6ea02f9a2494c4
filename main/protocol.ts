// reverie://app/ serves the built renderer, under /files/ the result files in the data folder and
// under /window-model/ the active model's files for the window device's worker: the same layout as
// browser mode, with the same path checks, and our CSP on every answer.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WINDOW_MODEL_PATH } from '../contract/browserAuth.ts';
import type { WindowModelFiles } from '../host/windowModel.ts';
import { SERVED_DATA_FOLDERS, resolveInside } from '../host/files.ts';
import { ATLAS_FOLDERS_URL, atlasFileRequest, type AtlasRoots } from '../host/atlasFolders.ts';
import { contentType, realFileInside } from '../host/staticFiles.ts';
import { CONTENT_SECURITY_POLICY, isAppUrl } from './security.ts';

export interface AppDirs {
  rendererDir: string;
  dataDir: string;
  /** The active model's files for the window device (absent: /window-model/ answers 404). */
  windowModel?: () => Promise<WindowModelFiles>;
  /** Atlas folders the user opened (absent: /files/atlas-folders/ answers 404). */
  atlasFolders?: AtlasRoots;
}

export type AppRoute = { kind: 'file'; root: string; path: string } | { kind: 'window-model'; name: 'model.json' | 'weights.bin' } | { kind: 'refuse'; status: 403 | 404 | 405 };

/** Where a reverie:// request may read from, decided from the URL alone. */
export function routeAppRequest(url: string, method: string, dirs: AppDirs): AppRoute {
  if (!isAppUrl(url)) return { kind: 'refuse', status: 403 };
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'refuse', status: 405 };
  const { pathname } = new URL(url);
  if (pathname === '/' || pathname === '/index.html') return { kind: 'file', root: dirs.rendererDir, path: join(dirs.rendererDir, 'index.html') };
  if (pathname.startsWith(WINDOW_MODEL_PATH)) {
    const name = pathname.slice(WINDOW_MODEL_PATH.length);
    return name === 'model.json' || name === 'weights.bin' ? { kind: 'window-model', name } : { kind: 'refuse', status: 404 };
  }
  if (pathname.startsWith('/files/')) {
    const rest = pathname.slice('/files/'.length);
    const folder = rest.split('/')[0] ?? '';
    if (folder === ATLAS_FOLDERS_URL) {
      const atlas = dirs.atlasFolders ? atlasFileRequest(rest.slice(folder.length + 1), dirs.atlasFolders) : null;
      return atlas ? { kind: 'file', root: atlas.root, path: atlas.path } : { kind: 'refuse', status: 404 };
    }
    // The root is the served folder itself: a symlink in gallery/ may not lead to config/ or inputs/.
    const root = join(dirs.dataDir, folder);
    const path = SERVED_DATA_FOLDERS.has(folder) ? resolveInside(root, rest.slice(folder.length + 1)) : null;
    return path ? { kind: 'file', root, path } : { kind: 'refuse', status: 404 };
  }
  const path = resolveInside(dirs.rendererDir, pathname);
  return path ? { kind: 'file', root: dirs.rendererDir, path } : { kind: 'refuse', status: 404 };
}

export async function serveAppRequest(request: { url: string; method: string }, dirs: AppDirs): Promise<Response> {
  const headers = { 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' };
  const route = routeAppRequest(request.url, request.method, dirs);
  if (route.kind === 'refuse') return new Response(null, { status: route.status, headers });
  if (route.kind === 'window-model') {
    if (!dirs.windowModel) return new Response(null, { status: 404, headers });
    let files;
    try {
      files = await dirs.windowModel();
    } catch (err) {
      return new Response(`The model's files could not be read: ${(err as Error).message}`, { status: 503, headers });
    }
    const nostore = { ...headers, 'cache-control': 'no-store' };
    if (route.name === 'model.json') return new Response(files.json, { status: 200, headers: { ...nostore, 'content-type': 'application/json' } });
    return new Response(files.weights as Uint8Array<ArrayBuffer>, { status: 200, headers: { ...nostore, 'content-type': 'application/octet-stream' } });
  }
  const file = await realFileInside(route.root, route.path);
  if (file === null) return new Response(null, { status: 404, headers });
  return new Response(await readFile(file.path), { status: 200, headers: { ...headers, 'content-type': contentType(route.path) } });
}
