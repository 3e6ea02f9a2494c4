// Electron main: wires the security policy, the reverie:// protocol, the engine (utility process),
// IPC, menu and taskbar together. Each concern lives in its own file; this one only connects them.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareDataDir } from '../host/dataDir.ts';
import { appVersion } from '../host/version.ts';
import { createService } from '../host/service.ts';
import { createDialogs, ChosenPaths, settingsFolders } from './dialogs.ts';
import { loadElectron } from './electron.ts';
import type { AppCommand } from '../contract/types.ts';
import type { BrowserWindow } from './electronTypes.ts';
import { forwardEvents, registerIpc } from './ipc.ts';
import { linkWindowIpc } from './windowIpc.ts';
import { menuTemplate } from './menu.ts';
import { utilityEngine } from './processLink.ts';
import { serveAppRequest } from './protocol.ts';
import { permissionCheck, permissionRequest } from './permissions.ts';
import { APP_SCHEME, SCHEME_PRIVILEGES, hardenWebContents } from './security.ts';
import { RenderActivity } from './taskbar.ts';
import { createMainWindow, focusWindow } from './windows.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Beside this module: the tsx bootstrap in a checkout, the compiled entry in dist/main/ (packaging/compileMain.ts).
const ENGINE_ENTRY = fileURLToPath(new URL('./engineProcess.mjs', import.meta.url));
const electron = loadElectron();
const { app } = electron;

// Must happen before 'ready': reverie:// behaves like https (secure, standard, fetch-able).
electron.protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: SCHEME_PRIVILEGES }]);

/** Everything after 'ready'. Not a top-level await: in an ESM main that would hang the app. */
async function start(focusOnSecond: (win: BrowserWindow) => void): Promise<void> {
  electron.session.defaultSession.setPermissionRequestHandler(permissionRequest);
  electron.session.defaultSession.setPermissionCheckHandler(permissionCheck);
  const dataDir = resolve(process.env['REVERIE_DATA_DIR'] || app.getPath('userData'));
  await prepareDataDir(dataDir);
  const dirs = { rendererDir: join(ROOT, 'dist', 'renderer'), dataDir, windowModel: () => service.windowModelFiles(), atlasFolders: { root: (id: string) => service.atlasFolders.root(id) } };
  electron.protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, dirs));

  // Window, service and IPC are set up in one synchronous run, so the page cannot call before the handlers exist.
  const mainWindow = createMainWindow(electron, join(ROOT, 'dist', 'preload', 'preload.cjs'));
  // Dialogs start in the last used folders and record them through the settings channels (called after the service exists).
  const chosen = new ChosenPaths();
  const dialogs = createDialogs(electron, chosen, () => mainWindow, settingsFolders({
    'settings.get': (request) => service.handlers['settings.get'](request),
    'settings.update': (request) => service.handlers['settings.update'](request),
  }));
  const service = createService({
    dataDir,
    mode: 'electron',
    appVersion: appVersion(),
    launchEngine: utilityEngine(electron, ENGINE_ENTRY, process.env['REVERIE_BACKEND'] || undefined),
    backendPinned: process.env['REVERIE_BACKEND'] || null,
    fileUrl: (relative) => `/files/${relative}`,
    openFile: (purpose) => dialogs.openFile(purpose),
    openModelFolder: () => dialogs.openModelFolder(),
    // Only a folder a dialog returned in this session: the page cannot name one itself.
    localModelPath: async (path) => chosen.check(path),
    openAtlasFolder: () => dialogs.openAtlasFolder(),
    atlasFolderPath: async (path) => chosen.check(path),
    saveResult: (item, pngPath, folder) => dialogs.saveResult(item, pngPath, folder),
    saveVideo: (video, path) => dialogs.saveVideo(video, path),
  });
  registerIpc(electron.ipcMain, service.handlers);
  // The window's GPU as a device (Settings' Device "window"): the page's frames over IPC.
  linkWindowIpc(electron.ipcMain, service.window, mainWindow.webContents);

  focusOnSecond(mainWindow);
  service.subscribe(forwardEvents(mainWindow.webContents));
  const activity = new RenderActivity({
    setProgress: (fraction) => mainWindow.isDestroyed() || mainWindow.setProgressBar(fraction),
    preventSleep: () => electron.powerSaveBlocker.start('prevent-app-suspension'),
    allowSleep: (id) => electron.powerSaveBlocker.stop(id),
  });
  service.subscribe((event) => activity.handle(event));

  const send = (command: AppCommand): void => mainWindow.webContents.send('app.command', command);
  electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(menuTemplate(send, process.platform === 'darwin')));
  app.on('before-quit', () => void service.close());
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let shown: BrowserWindow | undefined;
  app.on('second-instance', () => focusWindow(shown));
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => app.quit());
  app.whenReady()
    .then(() => start((win) => (shown = win)))
    .catch((err: unknown) => {
      process.stderr.write(`Reverie could not start: ${err instanceof Error ? err.stack : String(err)}\n`);
      app.quit();
    });
}
