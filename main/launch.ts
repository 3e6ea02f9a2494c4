// `npm run app`: builds preload + renderer, then opens Reverie in Electron (an optional dependency).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildApp } from './build.ts';
import { electronBinary } from './electronBinary.ts';

export async function launchElectron(): Promise<number> {
  const binary = electronBinary();
  if (!binary) {
    process.stderr.write('Electron is not installed here (it is an optional dependency). Install it with "npm install electron", or run "npm start" to use Reverie in your browser.\n');
    return 1;
  }
  await buildApp((line) => process.stdout.write(`${line}\n`));
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await launchElectron();
}
