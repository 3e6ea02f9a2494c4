// The `reverie` command: a thin layer over engine/. Each command lives in cli/commands/.
import { dreamCommand, dreamHelp } from './commands/dream.ts';
import { layersCommand, layersHelp } from './commands/layers.ts';
import { gradientCommand, gradientHelp } from './commands/gradient.ts';
import { infoCommand, infoHelp } from './commands/info.ts';
import { demoCommand, demoHelp } from './commands/demo.ts';
import { videoCommand, videoHelp } from './commands/video.ts';
import { zoomCommand, zoomHelp } from './commands/zoom.ts';
import { sessionCommand, sessionHelp } from './commands/session.ts';
import { resumeCommand, resumeHelp } from './commands/resume.ts';
import { modelsCommand, modelsHelp } from './commands/models.ts';
import { presetsCommand, presetsHelp } from './commands/presets.ts';
import { settingsCommand, settingsHelp } from './commands/settings.ts';
import { filtersCommand, filtersHelp } from './commands/filters.ts';
import { mapsCommand, mapsHelp } from './commands/maps.ts';
import { kernelsCommand, kernelsHelp } from './commands/kernels.ts';
import { devicesCommand, devicesHelp } from './commands/devices.ts';
import { workerCommand, workerHelp } from './commands/worker.ts';
import { batchCommand, batchHelp } from './commands/batch.ts';
import { atlasCommand, atlasHelp } from './commands/atlas.ts';
import { sweepCommand, sweepHelp } from './commands/sweep.ts';
import { appVersion, CancelledError, UsageError } from './shared.ts';
import { ReverieError } from '../engine/shared/errors.ts';

const commands: Record<string, { run: (argv: string[]) => Promise<void>; help: string; summary: string }> = {
  dream: { run: dreamCommand, help: dreamHelp, summary: 'dream an image (octaves, tiles, layers, channels)' },
  layers: { run: layersCommand, help: layersHelp, summary: 'list the layers you can dream on' },
  info: { run: infoCommand, help: infoHelp, summary: 'print the recipe a dreamed PNG carries' },
  gradient: { run: gradientCommand, help: gradientHelp, summary: 'write d(objective)/d(input) for an .npy input' },
  video: { run: videoCommand, help: videoHelp, summary: 'encode a folder of PNG frames to mp4, webm or gif' },
  zoom: { run: zoomCommand, help: zoomHelp, summary: 'infinite-zoom animation into a project folder of numbered frames' },
  session: { run: sessionCommand, help: sessionHelp, summary: 'painting ping-pong: new, dream, pick, add, video, show' },
  resume: { run: resumeCommand, help: resumeHelp, summary: 'continue a killed or cancelled zoom or session round' },
  models: { run: modelsCommand, help: modelsHelp, summary: 'installed and downloadable models: list, add (with progress), remove, classes' },
  presets: { run: presetsCommand, help: presetsHelp, summary: 'saved recipes: list, save, rename, export, import, delete' },
  settings: { run: settingsCommand, help: settingsHelp, summary: 'backend, default recipe, output folder, last used values' },
  filters: { run: filtersCommand, help: filtersHelp, summary: 'what each channel of a layer responds to: a labelled contact sheet' },
  maps: { run: mapsCommand, help: mapsHelp, summary: "an image's feature maps at a layer; --top K channels it drives hardest" },
  kernels: { run: kernelsCommand, help: kernelsHelp, summary: "the first convolution's filters; --apply a classic filter to an image" },
  devices: { run: devicesCommand, help: devicesHelp, summary: 'where dream steps can run (CPU, GPUs) with a timed step each; --fetch-cuda' },
  batch: { run: batchCommand, help: batchHelp, summary: 'every image of a folder through one recipe (locally or on a farm)' },
  atlas: { run: atlasCommand, help: atlasHelp, summary: 'every channel of chosen layers as tiles + an offline HTML index (locally or on a farm)' },
  sweep: { run: sweepCommand, help: sweepHelp, summary: 'one image over values of a setting (layers, step size, channels…) as a labelled sheet' },
  worker: { run: workerCommand, help: workerHelp, summary: 'take jobs from a render farm (BullMQ on Redis) until stopped' },
  demo: { run: demoCommand, help: demoHelp, summary: 'dream the bundled example photo (what npm start runs)' },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    `reverie ${appVersion()}: deep dream and feature visualization`,
    '',
    'Usage: reverie <command> [options]   (reverie <command> --help for details)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${appVersion()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (err) {
    if (err instanceof CancelledError) {
      process.stderr.write(`\n${err.message}\n`);
      return 130;
    }
    const e = err as Error & { code?: string };
    if (err instanceof UsageError) {
      process.stderr.write(`reverie ${name}: ${e.message}\n${err.help ? `\n${err.help}\n` : ''}`);
      return 2;
    }
    // parseArgs reports unknown flags with a code; everything else is a typed engine error.
    const label = e.code?.startsWith('ERR_PARSE_ARGS') ? 'UsageError' : e.name || 'Error';
    process.stderr.write(`reverie ${name}: ${label}: ${e.message}\n`);
    if (err instanceof ReverieError && err.hint) process.stderr.write(`${err.hint}\n`);
    if (process.env['REVERIE_DEBUG']) process.stderr.write(`${e.stack ?? ''}\n`);
    return label === 'UsageError' ? 2 : 1;
  }
}

/**
 * A reader that goes away (`reverie layers --json | head -3`) closes stdout under us. Node then
 * raises EPIPE as an uncaught error; instead, what would have gone to stdout is dropped and the
 * command finishes its work (a dream still writes its PNG), exiting as it would have.
 */
function survivePipeClose(stream: NodeJS.WriteStream): void {
  let gone = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    // Writes already queued when the pipe closed fail too (EPIPE or ERR_STREAM_DESTROYED).
    if (err.code !== 'EPIPE' && !gone) throw err;
    gone = true;
    stream.write = (() => true) as typeof stream.write;
  });
}

survivePipeClose(process.stdout);
process.exitCode = await main(process.argv.slice(2));
