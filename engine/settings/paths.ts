// Where Reverie keeps settings and presets: the user's config folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** $REVERIE_CONFIG_DIR, else $XDG_CONFIG_HOME/reverie, else ~/.config/reverie. */
export function configDir(): string {
  const env = (k: string) => process.env[k] || undefined;
  return env('REVERIE_CONFIG_DIR') ?? join(env('XDG_CONFIG_HOME') ?? join(homedir(), '.config'), 'reverie');
}
