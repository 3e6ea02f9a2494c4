// Runs the real `reverie` binary (argument arrays, never a shell) and collects what it prints.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const BIN = fileURLToPath(new URL('../../bin/reverie.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` adds to (or, with undefined values, removes from) this process's environment. */
export function runCli(args: string[], timeoutMs = 300_000, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: timeoutMs, maxBuffer: 64 << 20, env: Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined)) }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A small smooth test photo written as PNG. */
export async function writeTestImage(path: string, width = 96, height = 80): Promise<void> {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      rgb[i] = Math.round((255 * x) / width);
      rgb[i + 1] = Math.round((255 * y) / height);
      rgb[i + 2] = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (height / 4) ** 2 ? 220 : 60;
    }
  }
  await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toFile(path);
}
