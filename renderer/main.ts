// Renderer entry: connect to the host, build the app state, mount the UI.
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { createPicker, downloadUrl } from './lib/files.ts';
import { connect } from './lib/host.ts';
import { findMoved, readWhere } from './lib/moved.ts';
import { AppState } from './state/app.svelte.ts';
import { linkWindowDevice, linkWindowIpc } from './gpu/windowLink.ts';
import { WINDOW_BRIDGE_KEY, type WindowFrameBridge } from '../contract/windowIpc.ts';

const connection = connect();
const app = new AppState(connection.api, {
  picker: createPicker(connection.api, connection.mode),
  download: downloadUrl,
  textUrl: (text, type) => URL.createObjectURL(new Blob([text], { type })),
  storage: window.localStorage,
  copyImage: (png) => navigator.clipboard.write([new ClipboardItem({ 'image/png': new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }) })]),
  fetchBytes: async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`Could not read ${url} (HTTP ${res.status}).`);
    return new Uint8Array(await res.arrayBuffer());
  },
});
if (connection.http) {
  connection.http.onConnection = (state, reconnected) => {
    app.connection = state;
    if (state === 'open') app.movedTo = null;
    if (reconnected) void app.resync();
    // A failed ask here is init's to report (it asks too); this one only catches a missed change.
    else if (state === 'open') void app.refreshEngine().catch(() => undefined);
  };
  // While the server is lost, look every few seconds for it at the other ports it may have moved to.
  const where = readWhere(document);
  let looking = false;
  if (where) {
    setInterval(() => {
      if (looking || app.connection === 'open' || app.connection === 'connecting') return;
      looking = true;
      void findMoved(where, Number(window.location.port), fetch.bind(window))
        .then((url) => (app.movedTo = app.connection === 'open' ? null : url))
        .finally(() => (looking = false));
    }, 3000);
  }
  // The page offers its GPU to the host's jobs (the "window" device); idle until a job asks.
  // Once the host has heard what it offers, the Settings panel's device notes name this window's GPUs.
  linkWindowDevice(window.location.origin, connection.http.session, () => void app.settings.refreshDevices());
} else {
  // Electron: the same frames over preload's IPC bridge.
  const bridge = (window as unknown as Record<string, WindowFrameBridge | undefined>)[WINDOW_BRIDGE_KEY];
  if (bridge) linkWindowIpc(window.location.origin, bridge, () => void app.settings.refreshDevices());
}
mount(App, { target: document.getElementById('app')!, props: { app } });
void app.init();
