// Where Reverie keeps settings and presets: the user's config folder, unless a data folder of its
// own is named (a second profile, a test run), which then keeps them too.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** $REVERIE_CONFIG_DIR, else $REVERIE_DATA_DIR/config, else $XDG_CONFIG_HOME/reverie, else ~/.config/reverie. */
export function configDir(): string {
  const env = (k: string) => process.env[k] || undefined;
  const dataDir = env('REVERIE_DATA_DIR');
  return env('REVERIE_CONFIG_DIR') ?? (dataDir ? dataDirConfig(dataDir) : join(env('XDG_CONFIG_HOME') ?? join(homedir(), '.config'), 'reverie'));
}

/** The config folder inside a data folder named for this run. */
export function dataDirConfig(dataDir: string): string {
  return join(dataDir, 'config');
}
