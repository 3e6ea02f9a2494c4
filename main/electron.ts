// Loads Electron's main-process module with Reverie's own types (electronTypes.ts), so nothing
// else in main/ depends on the electron package being installed to typecheck or test.
import { createRequire } from 'node:module';
import type { ElectronMain } from './electronTypes.ts';

export function loadElectron(): ElectronMain {
  const electron = createRequire(import.meta.url)('electron') as unknown;
  if (typeof electron === 'string') {
    // Plain Node resolves 'electron' to the binary's path: this code must run inside Electron.
    throw new Error('main/ runs inside Electron: start it with "npm run app".');
  }
  return electron as ElectronMain;
}
