// Fetches onnxruntime-node's CUDA provider after the fact: the package's own install script, told by
// its environment variable to install the `cuda12` manifest (the project's npm config may skip the
// install step at `npm install` time, e.g. in CI and offline). Offline, it fails fast and changes nothing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cudaProviderLibrary } from './providers.ts';

export class CudaFetchError extends Error {
  override name = 'CudaFetchError';
}

/** Runs the install script; resolves with the library's path, or throws CudaFetchError saying why. */
export async function fetchCudaProvider(options: { platform?: string; arch?: string; timeoutMs?: number } = {}): Promise<string> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  if (platform !== 'linux' || arch !== 'x64') throw new CudaFetchError(`onnxruntime-node fetches a CUDA provider only on Linux x64 (this is ${platform}/${arch}); on Windows use --device dml, on macOS --device webgpu or coreml.`);
  let script: string;
  try {
    script = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'script', 'install.js');
  } catch {
    throw new CudaFetchError('onnxruntime-node is not installed; run npm install first.');
  }
  const library = cudaProviderLibrary()!;
  if (existsSync(library)) return library;
  // The variable outranks npm's config flag, so a project-level "skip" does not stop an explicit fetch.
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12' };
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'inherit', 'pipe'], timeout: options.timeoutMs ?? 15 * 60_000 });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => done({ code: -1, stderr: err.message }));
    child.on('close', (c) => done({ code: c, stderr }));
  });
  if (code === 0 && existsSync(library)) return library;
  const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|getaddrinfo/.exec(stderr);
  const reason = offline ? `the download server could not be reached (${offline[0]}; offline?)` : (stderr.trim().split('\n').find((l) => /Error/.test(l)) ?? (code === 0 ? 'the install script ended without downloading it' : `the install script exited with ${code}`));
  throw new CudaFetchError(`Could not fetch the CUDA provider: ${reason}. Nothing was installed; dreams keep running on the devices "reverie devices" lists.`);
}
