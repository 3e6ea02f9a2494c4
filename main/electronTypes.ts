// The slice of Electron's main-process API that Reverie uses, typed here so main/ typechecks and
// its pure parts are tested without the (optional) electron package. Names mirror Electron's own.

export interface PreventableEvent {
  preventDefault(): void;
}

export interface IpcMainInvokeEvent {
  senderFrame: { url: string } | null;
}

export interface WebContents {
  id: number;
  session: Session;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): void;
  on(event: 'did-start-navigation', listener: (details: { isSameDocument?: boolean; isMainFrame?: boolean }) => void): void;
  on(event: 'destroyed' | 'render-process-gone', listener: () => void): void;
}

/** The part of a web contents a permission handler reads (Electron may pass null to checks). */
export interface PermissionAsker {
  getURL?(): string;
}
export type PermissionRequestHandler = (webContents: PermissionAsker | null, permission: string, callback: (granted: boolean) => void, details?: { requestingUrl?: string }) => void;
export type PermissionCheckHandler = (webContents: PermissionAsker | null, permission: string, requestingOrigin: string, details?: { requestingUrl?: string }) => boolean;

export interface Session {
  setPermissionRequestHandler(handler: PermissionRequestHandler): void;
  setPermissionCheckHandler(handler: PermissionCheckHandler): void;
}

export interface BrowserWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  webPreferences: Record<string, unknown>;
}

export interface BrowserWindow {
  webContents: WebContents;
  loadURL(url: string): Promise<void>;
  setProgressBar(progress: number): void;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  once(event: 'ready-to-show', listener: () => void): void;
}

export interface MenuItemTemplate {
  label?: string;
  role?: string;
  type?: 'separator' | 'normal';
  accelerator?: string;
  /** false: the accelerator is shown but the key still reaches the page. */
  registerAccelerator?: boolean;
  submenu?: MenuItemTemplate[];
  click?: () => void;
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface UtilityProcess {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  kill(): boolean;
}

export interface ElectronMain {
  app: {
    requestSingleInstanceLock(): boolean;
    whenReady(): Promise<void>;
    quit(): void;
    getPath(name: 'userData' | 'pictures' | 'videos'): string;
    getVersion(): string;
    on(event: 'second-instance' | 'window-all-closed' | 'activate', listener: () => void): void;
    on(event: 'before-quit', listener: (event: PreventableEvent) => void): void;
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContents) => void): void;
  };
  BrowserWindow: { new (options: BrowserWindowOptions): BrowserWindow; getAllWindows(): BrowserWindow[] };
  ipcMain: {
    handle(channel: string, handler: (event: IpcMainInvokeEvent, request: unknown) => Promise<unknown>): void;
    removeHandler(channel: string): void;
    on(channel: string, listener: (event: { sender: { id: number }; senderFrame?: { url: string } | null }, payload: unknown) => void): void;
    removeListener(channel: string, listener: (event: { sender: { id: number }; senderFrame?: { url: string } | null }, payload: unknown) => void): void;
  };
  protocol: {
    registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>): void;
    handle(scheme: string, handler: (request: { url: string; method: string }) => Promise<Response>): void;
  };
  session: { defaultSession: Session };
  dialog: {
    showOpenDialog(window: BrowserWindow, options: { properties: string[]; filters: FileFilter[]; defaultPath?: string }): Promise<{ canceled: boolean; filePaths: string[] }>;
    showSaveDialog(window: BrowserWindow, options: { defaultPath: string; filters: FileFilter[] }): Promise<{ canceled: boolean; filePath?: string }>;
  };
  Menu: {
    buildFromTemplate(template: MenuItemTemplate[]): unknown;
    setApplicationMenu(menu: unknown): void;
  };
  powerSaveBlocker: {
    start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
    stop(id: number): void;
  };
  utilityProcess: {
    fork(modulePath: string, args: string[], options: { serviceName: string; stdio: 'inherit' | 'pipe' }): UtilityProcess;
  };
}
