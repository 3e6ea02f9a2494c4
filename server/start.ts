// Browser mode entry (`npm start` without Electron, `npm run serve`): builds the interface if needed,
// starts the engine worker and the loopback server, and prints the URL with this launch's token.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BackendChoice } from '../contract/models.ts';
import { appVersion } from '../host/version.ts';
import { createService } from '../host/service.ts';
import { BadRequestError } from '../host/validate.ts';
import { threadEngine } from '../host/threadLink.ts';
import { defaultDataDir, namedDataDirConfig, prepareDataDir } from '../host/dataDir.ts';
import { startAppServer, type AppServer } from './httpServer.ts';
import { loadLaunchState, rememberPort } from './launchState.ts';
import { probePorts } from './where.ts';
import { safeFileName } from '../host/files.ts';
import { ensureRendererBuilt } from '../host/rendererBuild.ts';
import { insideRoots } from '../host/localModels.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    backend: { type: 'string' },
    // A folder the page may add models from, besides the data folder (the page cannot widen this).
    'models-dir': { type: 'string', default: process.env['REVERIE_MODELS_DIR'] || undefined },
  },
});
/**
 * Unless a port is asked for (--port, $REVERIE_PORT; 0 picks any), the app keeps one address across
 * restarts (the port this data folder last used, else 47474), so an open tab's kept work (stored per
 * address) comes back; when some other program holds it, the next of a few known ports (which an
 * orphaned tab asks where Reverie went, server/where.ts), then any free one. The token still guards
 * every request.
 */
const requestedPort = values.port ?? (process.env['REVERIE_PORT'] || undefined);
const port = requestedPort === undefined ? null : Number(requestedPort);
if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) {
  process.stderr.write(`reverie: --port must be a port number, got "${requestedPort}".\n`);
  process.exit(2);
}
// A backend named here (or in REVERIE_BACKEND) holds for this launch; otherwise the saved setting's.
const backend = values.backend ?? (process.env['REVERIE_BACKEND'] || undefined);
const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
await prepareDataDir(dataDir);
const modelRoots = [dataDir, ...(values['models-dir'] ? [resolve(values['models-dir'])] : [])];
const rendererDir = await ensureRendererBuilt((line) => process.stdout.write(`${line}\n`));

const service = createService({
  dataDir,
  // A data folder named on the command line keeps its own settings and presets, as $REVERIE_DATA_DIR does.
  ...(values['data-dir'] ? { configDir: namedDataDirConfig(dataDir) } : {}),
  mode: 'browser',
  appVersion: appVersion(),
  launchEngine: threadEngine(backend ? { backend: backend as BackendChoice } : {}),
  backendPinned: backend ?? null,
  // Only tests serve models from 127.0.0.1; they say so explicitly.
  allowLoopbackModels: process.env['REVERIE_ALLOW_LOOPBACK_MODELS'] === '1',
  fileUrl: (relative) => `/files/${relative}`,
  openModelFolder: async () => {
    throw new BadRequestError('Folder dialogs exist only in the desktop app; in the browser, add a model by URL or from the data folder.');
  },
  localModelPath: (path) => insideRoots(path, modelRoots, `the data folder${values['models-dir'] ? ' or the models folder given at launch' : ' (or a folder given with --models-dir / REVERIE_MODELS_DIR)'}`),
  openFile: async () => {
    throw new BadRequestError('Native file dialogs exist only in the desktop app; the page picks files itself.');
  },
  saveResult: async (item) => {
    const stem = item.input.name.replace(/\.[^.]*$/, '');
    const fileName = safeFileName(`${stem}-dream-${item.id}.png`);
    return { kind: 'download', url: `/files/gallery/${item.id}/result.png?download=${encodeURIComponent(fileName)}`, fileName };
  },
  saveVideo: async (video) => {
    const fileName = safeFileName(`reverie-${video.file}`);
    return { kind: 'download', url: `${video.url}?download=${encodeURIComponent(fileName)}`, fileName };
  },
});
const token = randomBytes(24).toString('base64url');
const launch = await loadLaunchState(dataDir);
const probe = probePorts();
const tries = port !== null ? [port] : [...new Set([...(launch.port ? [launch.port] : []), ...probe, 0])];
const app = await listenOnFirst(tries, (p) => startAppServer({ service, token, rendererDir, dataDir, port: p, secret: launch.secret, probePorts: probe }));
await rememberPort(dataDir, launch, app.port);
process.stdout.write(`Reverie is running at ${app.url}\nResults are kept in ${dataDir}\nPress Ctrl+C to stop.\n`);

/** Listens on the first port of `ports` that is free (a taken one is skipped; any other error stops). */
async function listenOnFirst(ports: number[], start: (port: number) => Promise<AppServer>): Promise<AppServer> {
  for (const [i, p] of ports.entries()) {
    try {
      return await start(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || i === ports.length - 1) throw err;
    }
  }
  throw new Error('No port to listen on.');
}

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) process.exit(130);
  stopping = true;
  await app.close();
  await service.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
