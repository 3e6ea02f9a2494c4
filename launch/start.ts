// `npm start`, the one place that chooses a transport: the desktop app (main/, Electron IPC) where
// Electron is installed and a display exists, else browser mode (server/, HTTP + WebSocket on
// 127.0.0.1); `--browser` or REVERIE_BROWSER=1 forces browser mode.
import { canShowWindows, electronBinary } from '../main/electronBinary.ts';

const forceBrowser = process.argv.includes('--browser') || process.env['REVERIE_BROWSER'] === '1';
if (!forceBrowser && electronBinary() && canShowWindows()) {
  const { launchElectron } = await import('../main/launch.ts');
  process.exitCode = await launchElectron();
} else {
  if (!forceBrowser) process.stdout.write('Electron is not available here; starting Reverie in browser mode.\n');
  process.argv = process.argv.filter((a) => a !== '--browser');
  await import('../server/start.ts');
}
