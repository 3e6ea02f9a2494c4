// Streams one file from a served folder, after checking that its real path stays inside it.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, sep } from 'node:path';
import { resolveInside } from './files.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** The real path of `path` when it is a file whose real path stays inside `root`, else null. */
export async function realFileInside(root: string, path: string): Promise<{ path: string; size: number } | null> {
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(path)]);
    if (!realFile.startsWith(realRoot + sep)) return null;
    const s = await stat(realFile);
    return s.isFile() ? { path: realFile, size: s.size } : null;
  } catch {
    return null;
  }
}

export interface ServeOptions {
  cache: 'no-store' | 'immutable' | 'private';
  /** Send as an attachment with this file name. */
  download?: string;
}

/** Returns false (nothing sent) when the path is not a servable file inside root. */
export async function serveFile(res: ServerResponse, root: string, urlPath: string, options: ServeOptions): Promise<boolean> {
  const full = resolveInside(root, urlPath);
  if (full === null) return false;
  const file = await realFileInside(root, full);
  if (file === null) return false;
  res.setHeader('content-type', contentType(full));
  res.setHeader('content-length', file.size);
  res.setHeader('cache-control', options.cache === 'immutable' ? 'public, max-age=31536000, immutable' : options.cache === 'private' ? 'private, max-age=3600' : 'no-store');
  if (options.download) res.setHeader('content-disposition', `attachment; filename="${options.download}"`);
  res.writeHead(200);
  await new Promise<void>((resolvePromise, reject) => {
    createReadStream(file.path).on('error', reject).on('end', () => resolvePromise()).pipe(res);
  });
  return true;
}
