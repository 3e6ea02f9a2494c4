// Runs bench/peers/torch_dream.py (PyTorch on the same machine, in the same bench run) where Debian's
// python3-torch is installed: one dream step, or a whole dream of a PNG.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PEER_SCRIPT = fileURLToPath(new URL('./peers/torch_dream.py', import.meta.url));

export interface PeerResult {
  step_ms_median: number;
  step_ms_min: number;
  torch: string;
  threads: number;
}

export interface PeerDream {
  seconds: number;
  dream_s: number;
  model_build_s: number;
  max_rss_mb: number;
  cpu_s: number;
  width: number;
  height: number;
  octaves: number;
  steps: number;
  torch: string;
  threads: number;
}

function runPeer<T>(args: string[], timeoutMs: number): Promise<T | { error: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/python3', [PEER_SCRIPT, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) return resolve({ error: `${err.message.split('\n')[0]} ${stderr.trim().split('\n').at(-1) ?? ''}`.trim() });
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
      } catch {
        resolve({ error: `unreadable peer output: ${stdout.slice(0, 200)}` });
      }
    });
  });
}

export function runTorchPeer(size: number, layers: string): Promise<PeerResult | { error: string }> {
  return runPeer<PeerResult>(['--size', String(size), '--layers', layers], 600_000);
}

/** A whole untiled dream of `image` (a PNG) into `out`, as a plain PyTorch script does it. */
export function runTorchDream(image: string, out: string, o: { steps: number; octaves: number; octaveScale: number; stepSize: number; jitter: number; layers: string }): Promise<PeerDream | { error: string }> {
  const args = ['--image', image, '--out', out, '--steps', String(o.steps), '--octaves', String(o.octaves), '--octave-scale', String(o.octaveScale), '--step-size', String(o.stepSize), '--jitter', String(o.jitter), '--layers', o.layers];
  return runPeer<PeerDream>(args, 3_600_000);
}
