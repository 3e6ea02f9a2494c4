// Starts the engine in an Electron utility process (off main's event loop, its own V8 and memory).
import type { EngineLink, LaunchEngine } from '../host/engine.ts';
import type { EngineMessage } from '../host/protocol.ts';
import type { ElectronMain } from './electronTypes.ts';

/** `backend`, when given (REVERIE_BACKEND), pins every engine to it; else each loads the spec's. */
export function utilityEngine(electron: ElectronMain, entry: string, backend?: string): LaunchEngine {
  return (spec): EngineLink => {
    const args = ['--backend', backend ?? spec.backend ?? 'auto', '--model', spec.model, ...(spec.device ? ['--device', spec.device] : []), ...(spec.cacheDir ? ['--cache-dir', spec.cacheDir] : [])];
    const child = electron.utilityProcess.fork(entry, args, { serviceName: 'Reverie engine', stdio: 'inherit' });
    let exited: Promise<void> = new Promise((resolve) => child.on('exit', () => resolve()));
    return {
      post: (message) => child.postMessage(message),
      onMessage: (handler) => child.on('message', (m) => handler(m as EngineMessage)),
      onExit: (handler) => child.on('exit', (code) => handler(`exit code ${code}`)),
      stop: async () => {
        child.kill();
        await exited;
        exited = Promise.resolve();
      },
    };
  };
}
