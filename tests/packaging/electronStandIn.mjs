// NOT Electron. A minimal stand-in for the `electron` module, loaded with `node --import` before the
// compiled main (dist/main/main.mjs) so that main's start-up path runs under plain Node: it records
// what main asks of Electron (IPC handlers, the window, the protocol, permissions, the menu), calls
// one IPC handler the way the page would, prints one JSON report line and exits. It proves the
// compiled entry resolves its imports and runs its start-up code; it says nothing about Chromium,
// the sandbox or the preload, which only a real Electron can show.
import { EventEmitter } from 'node:events';
import Module from 'node:module';
import { join } from 'node:path';

const REPORT_PREFIX = 'REVERIE_STAND_IN_REPORT ';
const userData = process.env['REVERIE_STAND_IN_USER_DATA'];
if (!userData) throw new Error('Set REVERIE_STAND_IN_USER_DATA to a temporary folder.');

const report = { standIn: 'not Electron', ipcChannels: [], ipcListeners: [], windows: [], protocolHandlers: [], privilegedSchemes: [], permissionHandlers: 0, forks: [], menuSet: false, singleInstanceLock: false };
const ipcHandlers = new Map();

function finish(appInfo) {
  process.stdout.write(`${REPORT_PREFIX}${JSON.stringify({ ...report, appInfo })}\n`);
  process.exit(0);
}

class WebContents extends EventEmitter {
  id = 1;
  sent = [];
  send(channel, payload) {
    this.sent.push({ channel, payload });
  }
  isDestroyed() {
    return false;
  }
  setWindowOpenHandler() {}
}

class BrowserWindow extends EventEmitter {
  static all = [];
  static getAllWindows() {
    return BrowserWindow.all;
  }
  constructor(options) {
    super();
    this.webContents = new WebContents();
    this.record = { options, urls: [] };
    report.windows.push(this.record);
    BrowserWindow.all.push(this);
  }
  async loadURL(url) {
    this.record.urls.push(url);
  }
  setProgressBar() {}
  show() {}
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return false;
  }
}

const app = Object.assign(new EventEmitter(), {
  requestSingleInstanceLock: () => (report.singleInstanceLock = true),
  whenReady: () => Promise.resolve(),
  quit: () => process.exit(3),
  getPath: (name) => join(userData, name),
  getVersion: () => 'stand-in',
});

const electron = {
  app,
  BrowserWindow,
  ipcMain: {
    handle: (channel, handler) => {
      report.ipcChannels.push(channel);
      ipcHandlers.set(channel, handler);
    },
    removeHandler: (channel) => ipcHandlers.delete(channel),
    // One-way channels (the window device's frames): recorded, never called here.
    on: (channel) => report.ipcListeners.push(channel),
    removeListener: () => undefined,
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes) => report.privilegedSchemes.push(...schemes),
    handle: (scheme) => report.protocolHandlers.push(scheme),
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: () => report.permissionHandlers++,
      setPermissionCheckHandler: () => report.permissionHandlers++,
    },
  },
  dialog: {
    showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
    showSaveDialog: async () => ({ canceled: true }),
  },
  Menu: {
    buildFromTemplate: (template) => ({ template }),
    // The last step of main's start(): everything is registered by now. Ask app.info as the page would.
    setApplicationMenu: () => {
      report.menuSet = true;
      const handler = ipcHandlers.get('app.info');
      const page = { senderFrame: { url: 'reverie://app/index.html' } };
      Promise.resolve(handler ? handler(page, undefined) : null).then(finish, (err) => finish({ error: String(err) }));
    },
  },
  powerSaveBlocker: { start: () => 1, stop: () => undefined },
  utilityProcess: {
    fork: (modulePath, args) => {
      report.forks.push({ modulePath, args });
      return Object.assign(new EventEmitter(), { postMessage() {}, kill: () => true });
    },
  },
};

// `require('electron')` (main/electron.ts uses createRequire) gets the stand-in above.
const id = join(userData, 'electron-stand-in.cjs');
const loader = /** @type {any} */ (Module);
const resolve = loader._resolveFilename;
loader._resolveFilename = function (request, ...rest) {
  return request === 'electron' ? id : resolve.call(this, request, ...rest);
};
const cached = new Module(id);
cached.filename = id;
cached.loaded = true;
cached.exports = electron;
loader._cache[id] = cached;
