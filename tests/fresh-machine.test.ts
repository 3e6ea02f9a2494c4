// The README's test command works on a fresh machine: it installs or names exactly what is missing,
// .ci/run runs that same command, and npm prints no warning about our configuration.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './appHelpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ALL = ['ffmpeg', 'chromium', 'redis-server', 'python3-numpy', 'python3-torch', 'python3-torchvision'];

/** A PATH with only the shell tools the script itself uses: none of the packages, and no apt-get. */
async function barePath(): Promise<string> {
  const bin = join(await tempDir('bare-path'), 'bin');
  await mkdir(bin);
  for (const tool of ['bash', 'dirname', 'id']) await symlink(`/usr/bin/${tool}`, join(bin, tool)).catch(() => symlink(`/bin/${tool}`, join(bin, tool)));
  return bin;
}

describe('a fresh machine', () => {
  it('has one test command: the README names it, package.json maps it to tools/test.sh, .ci/run ends with it', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['test']).toBe('tools/test.sh');
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/```sh\nnpm install && npm start\nnpm test\n```/);
    const ci = (await readFile(join(ROOT, '.ci', 'run'), 'utf8')).trim().split('\n');
    expect(ci.at(-1)).toBe('npm test');
  });

  it('names exactly what to install when it cannot install it, and runs nothing', async () => {
    const env = { PATH: await barePath(), REVERIE_PYTHON: '/nonexistent/python3', HOME: process.env['HOME'] ?? '/root' };
    const check = spawnSync('/usr/bin/env', ['bash', 'tools/test.sh', '--check'], { cwd: ROOT, env, encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`Missing: ${ALL.join(' ')}`);
    expect(check.stdout).toContain(`apt-get install -y --no-install-recommends ${ALL.join(' ')}`);
    // Without apt-get (or not root) the run stops with the same list instead of running the suite.
    const run = spawnSync('/usr/bin/env', ['bash', 'tools/test.sh', 'no-such.test.ts'], { cwd: ROOT, env, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`sudo apt-get install -y --no-install-recommends ${ALL.join(' ')}`);
    expect(run.stdout).not.toContain('vitest');
  });

  it('finds everything installed here (tools/test.sh installed it before the suite ran)', () => {
    const check = spawnSync('bash', ['tools/test.sh', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(check.stdout.trim()).toBe('Everything the tests need is installed.');
    expect(check.status).toBe(0);
  });

  it('gives npm no unknown configuration to warn about (onnxruntime reads ONNXRUNTIME_NODE_INSTALL instead)', () => {
    const npm = spawnSync('npm', ['config', 'get', 'registry'], { cwd: ROOT, encoding: 'utf8' });
    expect(npm.status).toBe(0);
    expect(npm.stderr).not.toMatch(/Unknown (project|user|env) config/);
  });
});
