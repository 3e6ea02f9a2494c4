// Reading and writing a project folder: the manifest and numbered frames, each written atomically, so a
// kill, a full disk or a power cut leaves the last complete manifest and only complete frames behind.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive, writeFileAtomic } from '../io/atomic.ts';
import { MANIFEST_FILE, parseManifest, type Manifest, type SessionManifest, type ZoomManifest } from './manifest.ts';
import { ManifestError, MissingFrameError, ProjectBusyError } from './errors.ts';
import { isUnfinishedProjectFolder } from './create.ts';

export function frameFileName(index: number): string {
  return `frame_${String(index).padStart(5, '0')}.png`;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function readManifest(dir: string): Promise<Manifest> {
  if (isUnfinishedProjectFolder(dir)) throw new ManifestError(dir, 'is the unfinished folder of a project whose creation was interrupted; it is not a project, and it is removed the next time a project is created beside it.');
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `has no ${MANIFEST_FILE}: it is not a Reverie project (or session) folder` : `cannot read ${MANIFEST_FILE} (${code ?? (err as Error).message})`;
    throw new ManifestError(dir, `${why}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(dir, `${MANIFEST_FILE} is not valid JSON (${(err as Error).message}).`);
  }
  return parseManifest(dir, json);
}

export async function readZoomManifest(dir: string): Promise<ZoomManifest> {
  const m = await readManifest(dir);
  if (m.kind !== 'zoom') throw new ManifestError(dir, 'is a session folder, not a zoom project; use the "reverie session" commands on it.');
  return m;
}

export async function readSessionManifest(dir: string): Promise<SessionManifest> {
  const m = await readManifest(dir);
  if (m.kind !== 'session') throw new ManifestError(dir, 'is a zoom project, not a session; create one with "reverie session new".');
  return m;
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  manifest.updatedAt = new Date().toISOString();
  await writeFileAtomic(join(dir, MANIFEST_FILE), manifestText(manifest));
}

/** Indented JSON with one line per frame: readable, and small enough to rewrite after every frame. */
export function manifestText(manifest: Manifest): string {
  if (manifest.kind !== 'zoom' || manifest.frames.length === 0) return `${JSON.stringify(manifest, null, 1)}\n`;
  const head = JSON.stringify({ ...manifest, frames: [] }, null, 1).replace(/\n}$/, '');
  return `${head.replace(/"frames": \[\]$/, '"frames": [')}\n${manifest.frames.map((f) => `  ${JSON.stringify(f)}`).join(',\n')}\n ]\n}\n`;
}

export async function writeFrame(dir: string, index: number, png: Buffer): Promise<string> {
  const file = frameFileName(index);
  await writeFileAtomic(join(dir, file), png);
  return file;
}

/** Reads a frame and checks it is the one the manifest recorded (not deleted, truncated or edited). */
export async function readRecordedFrame(dir: string, m: ZoomManifest, index: number): Promise<Buffer> {
  const record = m.frames[index];
  if (!record) throw new RangeError(`Frame ${index} is not in the manifest.`);
  let data: Buffer;
  try {
    data = await readFile(join(dir, record.file));
  } catch {
    throw new MissingFrameError(dir, [index], index - 1, `${record.file} (frame ${index}) is missing. ${rerenderHint(dir, index - 1)}`);
  }
  if (sha256(data) !== record.sha256) {
    throw new MissingFrameError(dir, [index], index - 1, `${record.file} (frame ${index}) was changed since it was rendered. ${rerenderHint(dir, index - 1)}`);
  }
  return data;
}

function rerenderHint(dir: string, from: number): string {
  return from < 0
    ? `Re-render everything with: reverie resume ${dir} --rerender-from input`
    : `Re-render from the last intact frame with: reverie resume ${dir} --rerender-from ${from}`;
}

/** Every frame the manifest lists must exist (size is checked cheaply here; content when it is read). */
export async function checkFramesOnDisk(dir: string, m: ZoomManifest): Promise<void> {
  const present = new Set(await readdir(dir));
  const missing = m.frames.filter((f) => !present.has(f.file)).map((f) => f.index);
  if (missing.length === 0) return;
  const lastIntact = missing[0]! - 1;
  const names = missing.slice(0, 5).map((i) => `${frameFileName(i)} (frame ${i})`);
  const list = `${names.join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`;
  const verb = missing.length === 1 ? 'is' : 'are';
  throw new MissingFrameError(dir, missing, lastIntact, `${list} ${verb} missing; the other ${m.frames.length - missing.length} frames are intact. ${rerenderHint(dir, lastIntact)}`);
}

/** Removes temp files a killed writer left (".frame_00003.png.<pid>.<random>.tmp"). */
export async function removeStaleTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (/^\.(frame_\d+\.png|manifest\.json)\.\d+\.[0-9a-f]+\.tmp$/.test(name)) await rm(join(dir, name), { force: true });
  }
}

/** Refuses to work on a project another live process is writing; a killed run's pid is dead. */
export function assertNotBusy(dir: string, m: ZoomManifest): void {
  if (m.status === 'running' && m.pid !== null && m.pid !== process.pid && isProcessAlive(m.pid)) {
    throw new ProjectBusyError(dir, `process ${m.pid} is rendering this project right now; wait for it or stop it first.`);
  }
}
