// Preload (sandboxed, bundled to CommonJS by main/build.ts): the page's only door to the host.
import { createBridge, type IpcRendererLike } from './bridge.ts';

interface PreloadElectron {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: IpcRendererLike;
}

// A sandboxed preload may require 'electron' and nothing else, and cannot be an ES module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as PreloadElectron;
contextBridge.exposeInMainWorld('reverie', createBridge(ipcRenderer));
