// Preload (sandboxed, bundled to CommonJS by main/build.ts): the page's only door to the host.
import { WINDOW_BRIDGE_KEY } from '../contract/windowIpc.ts';
import { createBridge, type IpcRendererLike } from './bridge.ts';
import { createWindowBridge, type WindowIpcRenderer } from './windowBridge.ts';

interface PreloadElectron {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: IpcRendererLike & WindowIpcRenderer;
}

// A sandboxed preload may require 'electron' and nothing else, and cannot be an ES module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as PreloadElectron;
contextBridge.exposeInMainWorld('reverie', createBridge(ipcRenderer));
// The window device's frames (the page's GPU worker computes the host's tiles), apart from the contract's channels.
contextBridge.exposeInMainWorld(WINDOW_BRIDGE_KEY, createWindowBridge(ipcRenderer));
