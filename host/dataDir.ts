// Where browser mode keeps results: $REVERIE_DATA_DIR, else the platform's per-user data folder.
import { chmod, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { dataDirConfig } from '../engine/settings/paths.ts';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env['REVERIE_DATA_DIR']) return env['REVERIE_DATA_DIR'];
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Reverie');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Reverie');
  return join(env['XDG_DATA_HOME'] || join(home, '.local', 'share'), 'reverie');
}

/** Creates the data folder readable by its owner only (0700), and tightens one an older version made 0755. */
export async function prepareDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dir, 0o700);
}

/** Settings and presets of a data folder named at launch (--data-dir): its own, unless $REVERIE_CONFIG_DIR says where. */
export function namedDataDirConfig(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env['REVERIE_CONFIG_DIR'] || dataDirConfig(dataDir);
}
