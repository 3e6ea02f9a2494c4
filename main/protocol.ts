// reverie://app/ serves the built renderer and, under /files/, the result files in the data
// folder: the same layout as browser mode, with the same path checks, and our CSP on every answer.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVED_DATA_FOLDERS, resolveInside } from '../host/files.ts';
import { contentType, realFileInside } from '../host/staticFiles.ts';
import { CONTENT_SECURITY_POLICY, isAppUrl } from './security.ts';

export interface AppDirs {
  rendererDir: string;
  dataDir: string;
}

export type AppRoute = { kind: 'file'; root: string; path: string } | { kind: 'refuse'; status: 403 | 404 | 405 };

/** Where a reverie:// request may read from, decided from the URL alone. */
export function routeAppRequest(url: string, method: string, dirs: AppDirs): AppRoute {
  if (!isAppUrl(url)) return { kind: 'refuse', status: 403 };
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'refuse', status: 405 };
  const { pathname } = new URL(url);
  if (pathname === '/' || pathname === '/index.html') return { kind: 'file', root: dirs.rendererDir, path: join(dirs.rendererDir, 'index.html') };
  if (pathname.startsWith('/files/')) {
    const rest = pathname.slice('/files/'.length);
    const folder = rest.split('/')[0] ?? '';
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
  const file = await realFileInside(route.root, route.path);
  if (file === null) return new Response(null, { status: 404, headers });
  return new Response(await readFile(file.path), { status: 200, headers: { ...headers, 'content-type': contentType(route.path) } });
}
