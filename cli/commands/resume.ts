// `reverie resume DIR`: continues a zoom project (or a session's latest round) that was killed or
// cancelled; every frame is made exactly as an uninterrupted run would have made it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readManifest } from '../../engine/project/store.ts';
import { UsageError } from '../shared.ts';
import type { DeviceChoice } from '../../engine/accel/providers.ts';
import { deviceFlagHelp, deviceFlagSpec, parseDeviceFlag } from '../device.ts';
import { cancelled, renderProject, sinkFor } from './zoom.ts';
import { frameFarmFrom, type FrameFarmChoice } from '../farm/frameFarm.ts';
import { farmFlagHelp, farmFlagSpec } from '../farm/runner.ts';

export const resumeHelp = `reverie resume DIR [options]

Continues the zoom project DIR (or the latest round of the session DIR) where it stopped.
  --frames N                  a new frame target, e.g. to make a finished zoom longer
  --rerender-from N|input     render again every frame after frame N (or after the input), e.g. after
                              a frame was deleted; resume names the last intact frame
  --backend B                 default: the backend that made the first frames (same pixels)
${deviceFlagHelp}
${farmFlagHelp}
                              (a run whose submitter was killed reattaches to the step it left in Redis)
  --json                      JSON-lines progress and a "frame" event per frame on stdout`;

export async function resumeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { frames: { type: 'string' }, 'rerender-from': { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, ...deviceFlagSpec, ...farmFlagSpec },
  });
  const given = positionals[0];
  if (!given || positionals.length > 1) throw new UsageError('reverie resume takes one project or session folder.', resumeHelp);
  let dir = resolve(given);
  const manifest = await readManifest(dir);
  let label = '';
  if (manifest.kind === 'session') {
    const round = manifest.rounds.at(-1)!;
    dir = join(dir, round.dream);
    label = `round ${round.number}: `;
    if (!existsSync(join(dir, 'manifest.json'))) throw new UsageError(`Round ${round.number} of ${given} has not dreamed yet; start it with: reverie session dream ${given}`);
  }
  const o: { backend?: string; device?: DeviceChoice; frames?: number; rerenderFrom?: number; label: string; farm?: FrameFarmChoice | undefined } = { label, farm: frameFarmFrom(values) };
  if (values.backend) o.backend = values.backend;
  if (values.device !== undefined) o.device = parseDeviceFlag(values.device);
  if (values.frames !== undefined) {
    const n = Number(values.frames);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--frames expects a whole number from 1, got "${values.frames}".`);
    o.frames = n;
  }
  const from = values['rerender-from'];
  if (from !== undefined) {
    const n = from === 'input' ? -1 : Number(from);
    if (!Number.isInteger(n) || n < -1) throw new UsageError(`--rerender-from expects a frame number or "input", got "${from}".`);
    o.rerenderFrom = n;
  }
  const sink = sinkFor(values.json);
  const result = await renderProject(dir, sink, o);
  if (result.status === 'cancelled') throw cancelled(given, result);
  const message = result.made === 0 ? `Nothing to do: ${given} already has all ${result.frames} frames.` : `Made ${result.made} frames; ${given} now has ${result.frames}.`;
  sink.done(message, { project: dir, frames: result.frames, made: result.made, status: result.status });
}
