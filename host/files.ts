// Paths and names both transports serve: which data folders a page may load, how a URL path maps
// into one, and a file name safe to offer for download.
import { homedir } from 'node:os';
import { basename, resolve, sep } from 'node:path';

/** The folders of the data directory a page may load files from (under /files/). */
export const SERVED_DATA_FOLDERS: ReadonlySet<string> = new Set(['inputs', 'gallery', 'zoom', 'sessions', 'previews', 'features', 'inspect', 'atlases']);

/**
 * Maps a URL path below a served folder to a file inside it, or null: no "..", no dot-files
 * (temporary writes), no backslashes or NUL, nothing that resolves outside `root`. Callers still
 * compare real paths, so a symlink cannot lead out either.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const parts = decoded.split('/').filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => p === '..' || p.startsWith('.') || p.includes(':'))) return null;
  const base = resolve(root);
  const full = resolve(base, ...parts);
  return full.startsWith(base + sep) ? full : null;
}

/** A file name safe for Content-Disposition. */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 120);
  return cleaned || 'reverie.png';
}
/** Replaces each private root (longest first) in a message with its label, so errors name no absolute paths. */
export function redactPaths(message: string, roots: ReadonlyArray<readonly [string, string]>): string {
  let out = message;
  for (const [root, label] of [...roots].filter(([r]) => r.length > 1).sort((a, b) => b[0].length - a[0].length)) out = out.split(root).join(label);
  return out;
}

/** A folder as a page may show it: "~/…" below the home folder, else only its last name. */
export function displayPath(path: string, home = homedir()): string {
  const full = resolve(path);
  if (full === home) return '~';
  if (full.startsWith(home + sep)) return `~${full.slice(home.length)}`;
  return `…${sep}${basename(full)}`;
}

export { writeFileAtomic } from '../engine/io/atomic.ts';
