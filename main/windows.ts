// The main window: hardened preferences, our preload, shown once painted, sized for 1280×800 up.
import type { BrowserWindow, ElectronMain } from './electronTypes.ts';
import { APP_URL, WEB_PREFERENCES } from './security.ts';

export const WINDOW_SIZE = { width: 1440, height: 900, minWidth: 1280, minHeight: 800 };

export function createMainWindow(electron: ElectronMain, preloadPath: string): BrowserWindow {
  const win = new electron.BrowserWindow({
    ...WINDOW_SIZE,
    show: false,
    title: 'Reverie',
    backgroundColor: '#111216',
    webPreferences: { ...WEB_PREFERENCES, preload: preloadPath },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_URL);
  return win;
}

export function focusWindow(win: BrowserWindow | undefined): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.focus();
}
