// Runs ../shared/peers/torch_dream_step.py (PyTorch, same step, same machine) when it and torch exist.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PEER_SCRIPT = fileURLToPath(new URL('../../shared/peers/torch_dream_step.py', import.meta.url));

export interface PeerResult {
  step_ms_median: number;
  step_ms_min: number;
  torch: string;
  threads: number;
}

export function runTorchPeer(size: number, layers: string): Promise<PeerResult | { error: string }> {
  if (!existsSync(PEER_SCRIPT)) return Promise.resolve({ error: `${PEER_SCRIPT} not found` });
  return new Promise((resolve) => {
    execFile('/usr/bin/python3', [PEER_SCRIPT, '--size', String(size), '--layers', layers], { timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) return resolve({ error: `${err.message.split('\n')[0]} ${stderr.trim().split('\n').at(-1) ?? ''}`.trim() });
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as PeerResult);
      } catch {
        resolve({ error: `unreadable peer output: ${stdout.slice(0, 200)}` });
      }
    });
  });
}
