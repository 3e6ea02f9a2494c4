// Browser mode's launch state in the data folder: the secret that signs tab sessions and the last
// port, kept owner-only (0600); a missing or damaged file gets a fresh secret.
import { describe, expect, it } from 'vitest';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAUNCH_STATE_FILE, loadLaunchState, rememberPort } from '../server/launchState.ts';
import { probePorts } from '../server/where.ts';
import { tempDir } from './appHelpers.ts';

describe('launch state', () => {
  it('keeps one secret per data folder across launches, remembers the port, and is readable by its owner only', async () => {
    const dir = await tempDir('launch-state');
    const first = await loadLaunchState(dir);
    expect(first.secret.length).toBeGreaterThanOrEqual(43);
    expect(first.port).toBeUndefined();
    expect((await stat(join(dir, LAUNCH_STATE_FILE))).mode & 0o777).toBe(0o600);
    await rememberPort(dir, first, 47475);
    const again = await loadLaunchState(dir);
    expect(again).toEqual({ secret: first.secret, port: 47475 });
    expect((await stat(join(dir, LAUNCH_STATE_FILE))).mode & 0o777).toBe(0o600);
    const other = await loadLaunchState(await tempDir('launch-state-other'));
    expect(other.secret).not.toBe(first.secret);
  });

  it('replaces a damaged file with a fresh secret', async () => {
    const dir = await tempDir('launch-state-bad');
    for (const text of ['{not json', '{"secret": "short"}', '{"secret": "' + 'x'.repeat(43) + '", "port": 70000}']) {
      await writeFile(join(dir, LAUNCH_STATE_FILE), text);
      const state = await loadLaunchState(dir);
      expect(state.port).toBeUndefined();
      expect(JSON.parse(await readFile(join(dir, LAUNCH_STATE_FILE), 'utf8'))).toEqual(state);
    }
  });

  it('tries 47474 and the nine ports after it unless told another base', () => {
    expect(probePorts({})).toEqual([47474, 47475, 47476, 47477, 47478, 47479, 47480, 47481, 47482, 47483]);
    expect(probePorts({ REVERIE_PORT_BASE: '30000' })[0]).toBe(30000);
  });
});
