// What browser mode keeps in the data folder between launches (browser.json, owner-only 0600): the
// port it last listened on, so a restart comes back at the same address (an open tab's kept work
// is stored per address), and the secret that signs tab sessions, so a restart still knows them.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../host/files.ts';

export interface LaunchState {
  /** The port the last launch listened on (absent before the first). */
  port?: number;
  /** Signs the session and view credentials tabs hold (base64url, 32 bytes). */
  secret: string;
}

export const LAUNCH_STATE_FILE = 'browser.json';

function valid(value: unknown): value is LaunchState {
  const v = value as Partial<LaunchState> | null;
  return typeof v === 'object' && v !== null && typeof v.secret === 'string' && v.secret.length >= 32 && (v.port === undefined || (Number.isInteger(v.port) && v.port > 0 && v.port < 65536));
}

async function write(dataDir: string, state: LaunchState): Promise<void> {
  await writeFileAtomic(join(dataDir, LAUNCH_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** This data folder's launch state; a missing or unreadable file gets a fresh secret (old tabs then open anew). */
export async function loadLaunchState(dataDir: string): Promise<LaunchState> {
  const text = await readFile(join(dataDir, LAUNCH_STATE_FILE), 'utf8').catch(() => null);
  let parsed: unknown = null;
  try {
    parsed = text === null ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (valid(parsed)) return parsed;
  const state: LaunchState = { secret: randomBytes(32).toString('base64url') };
  await write(dataDir, state);
  return state;
}

/** Records the port this launch listens on. */
export async function rememberPort(dataDir: string, state: LaunchState, port: number): Promise<void> {
  if (state.port !== port) await write(dataDir, { ...state, port });
}
