// `reverie session new|dream|pick|add|video|show DIR`: painting ping-pong, the artist and the network
// taking turns. Each operation is one engine call; the desktop UI makes the same calls.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage, DEFAULT_MAX_PIXELS } from '../../engine/io/image.ts';
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { addPainting, createSession, latestRoundProject, pickFrame, roundFrameCount } from '../../engine/animate/session.ts';
import { compileSessionVideo } from '../../engine/animate/sessionVideo.ts';
import { readSessionManifest } from '../../engine/project/store.ts';
import { recipeFlagSpec } from '../recipeOptions.ts';
import { videoSizeFlagSpec, videoSizeFromFlags, videoSizeHelp } from '../videoSize.ts';
import { deviceFlagSpec, parseDeviceFlag } from '../device.ts';
import { appVersion, CancelledError, firstFrameNote, UsageError, withInterrupt } from '../shared.ts';
import { renderProject, sinkFor, zoomFlagHelp, zoomFlagSpec, zoomRecipeFromFlags, zoomSettingsFromFlags } from './zoom.ts';
import { recipeAssets } from '../../engine/recipe/recipe.ts';
import { frameFarmFrom } from '../farm/frameFarm.ts';
import { farmFlagSpec } from '../farm/runner.ts';

export const sessionHelp = `reverie session <new|dream|pick|add|video|show> DIR [options]

Painting ping-pong: you paint, the network dreams and zooms from your painting, you pick a frame and
paint from it, and so on; every round is kept in the session folder DIR.
  session new DIR --from painting.png [zoom and recipe options]   start a session (DIR new or empty)
  session dream DIR [--frames N]      dream + zoom from the latest painting: N more frames, or until Ctrl-C
  session pick DIR FRAME [--round R]  the frame you paint from (default: latest round)
  session add DIR painting2.png       your next painting starts the next round (one too small for the
                                      recipe's layers is refused, naming the smallest size)
  session video DIR -o out.mp4 [--crossfade FRAMES] [--hold FRAMES] [--fps N] [--quality CRF] [--all-frames]
                     [--size WxH | --width W | --height H]
                                      every round in order: painting, its frames up to the pick, next painting,
                                      at the first painting's size unless asked:
${videoSizeHelp}
  session show DIR                    the rounds so far (--json for scripts)
Zoom and recipe options for session new:
${zoomFlagHelp}
  --backend B, --device D, --json     as in reverie zoom (--device for session dream)
  --farm URL, --farm-insecure         session dream: the tiles of each frame's steps go to a render farm`;

const int = (flag: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} expects a whole number from ${min}, got "${v}".`);
  return n;
};

export async function sessionCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...recipeFlagSpec,
      ...zoomFlagSpec,
      from: { type: 'string' },
      frames: { type: 'string' },
      round: { type: 'string' },
      out: { type: 'string', short: 'o' },
      crossfade: { type: 'string' },
      hold: { type: 'string' },
      fps: { type: 'string' },
      quality: { type: 'string' },
      'all-frames': { type: 'boolean' },
      ...videoSizeFlagSpec,
      backend: { type: 'string' },
      ...deviceFlagSpec,
      ...farmFlagSpec,
      json: { type: 'boolean' },
    },
  });
  const given = positionals[0];
  if (!sub || !given) throw new UsageError('Name a session command and folder, e.g. reverie session new DIR --from painting.png.', sessionHelp);
  const dir = resolve(given);
  const sink = sinkFor(values.json);
  switch (sub) {
    case 'new': {
      if (!values.from || positionals.length > 1) throw new UsageError('Start a session from your painting: reverie session new DIR --from painting.png.', sessionHelp);
      const painting = await decodeImage(values.from, { maxPixels: DEFAULT_MAX_PIXELS });
      const note = firstFrameNote(values.from, painting.pages);
      if (note) sink.event('warning', note);
      const recipe = await zoomRecipeFromFlags(values);
      // Each round dreams a new painting, which a mask painted for the first would not fit.
      if (recipeAssets(recipe).length > 0) throw new UsageError('Sessions take no --mask or --guide yet (each round dreams a new painting); use them with reverie dream or zoom.');
      const settings = await zoomSettingsFromFlags(values);
      // The painting size check loads the recipe's model (on the backend asked for).
      await initBackend((values.backend ?? 'auto') as BackendChoice);
      const m = await createSession(dir, painting, values.from, { recipe, settings, appVersion: appVersion() });
      sink.done(`Started session ${given} with ${values.from}. Next: reverie session dream ${given} --frames 30`, { session: dir, rounds: m.rounds.length });
      return;
    }
    case 'dream': {
      const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
      const { round, project, frames } = await latestRoundProject(dir, backend);
      const more = int('frames', values.frames, 1);
      const target = more === undefined ? null : frames + more;
      const device = values.device === undefined ? {} : { device: parseDeviceFlag(values.device) };
      const result = await renderProject(project, sink, { backend, ...device, frames: target, label: `round ${round.number}: `, farm: frameFarmFrom(values) });
      // Without --frames, Ctrl-C is how the artist says "enough": the frames so far are the round.
      if (result.status === 'cancelled' && more !== undefined) throw new CancelledError(`Cancelled; round ${round.number} keeps its ${result.frames} frames. Continue with: reverie session dream ${given}`);
      sink.done(`Round ${round.number} has ${result.frames} frames. Pick one to paint from: reverie session pick ${given} FRAME`, { session: dir, round: round.number, frames: result.frames, project });
      return;
    }
    case 'pick': {
      const frame = Number(positionals[1]);
      if (positionals[1] === undefined || !Number.isInteger(frame)) throw new UsageError('Name the frame number: reverie session pick DIR FRAME.', sessionHelp);
      const { round, file } = await pickFrame(dir, frame, int('round', values.round, 1));
      sink.done(`Picked frame ${frame} of round ${round.number}: ${file}. Paint from it, then: reverie session add ${given} painting.png`, { session: dir, round: round.number, frame, file });
      return;
    }
    case 'add': {
      const path = positionals[1];
      if (!path) throw new UsageError('Name your painting: reverie session add DIR painting.png.', sessionHelp);
      const painting = await decodeImage(path, { maxPixels: DEFAULT_MAX_PIXELS });
      const note = firstFrameNote(path, painting.pages);
      if (note) sink.event('warning', note);
      await initBackend((values.backend ?? 'auto') as BackendChoice);
      const round = await addPainting(dir, painting, path);
      sink.done(`Round ${round.number} starts from ${path}. Next: reverie session dream ${given}`, { session: dir, round: round.number });
      return;
    }
    case 'video': {
      if (!values.out) throw new UsageError('Name the video with -o out.mp4 (or .webm, .gif).', sessionHelp);
      const out = resolve(values.out);
      const ext = out.slice(out.lastIndexOf('.') + 1).toLowerCase();
      if (ext !== 'mp4' && ext !== 'webm' && ext !== 'gif') throw new UsageError(`Output "${values.out}" must end in .mp4, .webm or .gif.`);
      const fps = values.fps === undefined ? undefined : Number(values.fps);
      if (fps !== undefined && !(fps > 0 && fps <= 240)) throw new UsageError(`--fps expects a number from 1 to 240, got "${values.fps}".`);
      const quality = int('quality', values.quality, 0);
      const size = videoSizeFromFlags(values);
      const opts = { out, format: ext, size, crossfade: int('crossfade', values.crossfade, 0) ?? 0, hold: int('hold', values.hold, 1) ?? 1, allFrames: values['all-frames'] === true } as const;
      const r = await withInterrupt((signal) =>
        compileSessionVideo(dir, { ...opts, signal, ...(fps ? { fps } : {}), ...(quality !== undefined ? { quality } : {}), onProgress: (p) => sink.update(p.fraction, `encoding frame ${p.frame}/${p.total}`, p.etaMs) }),
      );
      sink.done(`Wrote ${values.out}: ${r.frames} frames (${r.timeline.paintings} painting, ${r.timeline.frames} dream, ${r.timeline.crossfades} crossfade), ${r.durationS.toFixed(1)} s, ${r.width}x${r.height} ${r.codec}`, { ...r });
      return;
    }
    case 'show': {
      const m = await readSessionManifest(dir);
      const rounds = [];
      for (const r of m.rounds) rounds.push({ ...r, frames: await roundFrameCount(dir, r) });
      if (values.json) process.stdout.write(`${JSON.stringify({ session: dir, rounds }, null, 2)}\n`);
      else for (const r of rounds) process.stdout.write(`round ${r.number}: ${r.source}, ${r.frames} frames, picked ${r.picked ?? '-'}\n`);
      return;
    }
    default:
      throw new UsageError(`Unknown session command "${sub}".`, sessionHelp);
  }
}
