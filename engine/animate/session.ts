// Painting ping-pong: a session folder holds the artist's paintings, one per round, and for each round
// a zoom project that dreamed from that painting plus the frame the artist picked to paint from next.
//   DIR/manifest.json                      kind 'session': recipe, zoom settings, rounds
//   DIR/rounds/01/painting.png             the round's painting (8-bit PNG)
//   DIR/rounds/01/dream/                   a zoom project (manifest.json, source/input.png, frame_*.png)
import { access, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { encodePng, decodeImage } from '../io/image.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import type { RgbImage } from '../shared/image.ts';
import { recipeObjective, type Recipe } from '../recipe/recipe.ts';
import { ImageTooSmallError } from '../shared/errors.ts';
import { minimumInputSize } from '../render/minimumSize.ts';
import { classObjectiveFactory } from '../model/classes.ts';
import { loadDreamModel } from '../model/load.ts';
import { activeBackend, backendChoices, initBackend, type BackendChoice } from '../backend.ts';
import type { DreamModel } from '../shared/model.ts';
import { MANIFEST_VERSION, type SessionManifest, type SessionRound, type ZoomSettings } from '../project/manifest.ts';
import { ProjectError } from '../project/errors.ts';
import { createProjectFolder } from '../project/create.ts';
import { frameFileName, readSessionManifest, readZoomManifest, writeManifest } from '../project/store.ts';
import { createZoomProject } from './zoomRun.ts';

export interface SessionOptions {
  recipe: Recipe;
  settings: Omit<ZoomSettings, 'frames'>;
  appVersion: string;
  /** The recipe's model, for the painting size check; loaded (and disposed) here when not given. */
  model?: DreamModel;
}

/** The smallest side a painting may have: every layer the recipe or a keyframe dreams on must see it. */
export function minimumPaintingSide(model: DreamModel, recipe: Recipe, settings: Pick<ZoomSettings, 'keyframes'>): number {
  const layers = new Set(recipeObjective(recipe, classObjectiveFactory(model)).layers);
  for (const key of settings.keyframes?.keys ?? []) {
    for (const l of key.layers ?? []) layers.add(l.name);
    for (const c of key.channels ?? []) layers.add(c.layer);
  }
  return minimumInputSize(model, [...layers]);
}

/** The recipe's model on the backend the host chose (the default choice where none was made yet). */
async function loadModel(recipe: Recipe): Promise<DreamModel> {
  const current = activeBackend() as BackendChoice | undefined;
  await initBackend(current !== undefined && backendChoices.includes(current) ? current : 'auto');
  return loadDreamModel(recipe.model);
}

/** Refuses, before anything is written, a painting too small for the session's recipe to dream on. */
export async function checkPaintingSize(painting: RgbImage, source: string, recipe: Recipe, settings: Pick<ZoomSettings, 'keyframes'>, model?: DreamModel): Promise<void> {
  // A host's loaded model serves only when it is the recipe's; otherwise the recipe's model is loaded.
  const own = model?.id === recipe.model ? null : await loadModel(recipe);
  const used = (own ?? model)!;
  try {
    const side = minimumPaintingSide(used, recipe, settings);
    if (Math.min(painting.width, painting.height) >= side) return;
    const layers = recipeObjective(recipe, classObjectiveFactory(used)).layers.join(', ');
    throw new ImageTooSmallError(`${basename(source)} is ${painting.width}x${painting.height}; the session's recipe (${layers} on ${used.id}) needs at least ${side}x${side} pixels.`);
  } finally {
    own?.dispose();
  }
}

const roundDir = (n: number): string => join('rounds', String(n).padStart(2, '0'));

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function writePainting(dir: string, n: number, painting: RgbImage, source: string): Promise<SessionRound> {
  const rel = roundDir(n);
  await mkdir(join(dir, rel), { recursive: true });
  await writeFileAtomic(join(dir, rel, 'painting.png'), await encodePng({ ...painting, alpha: null }));
  return { number: n, painting: join(rel, 'painting.png'), source: basename(source), dream: join(rel, 'dream'), picked: null };
}

/** `session new`: an empty (or absent) folder becomes a session whose first round is `painting`. */
export async function createSession(dir: string, painting: RgbImage, source: string, o: SessionOptions): Promise<SessionManifest> {
  await checkPaintingSize(painting, source, o.recipe, o.settings, o.model);
  return createProjectFolder(dir, 'session', async (building) => {
    const now = new Date().toISOString();
    const round = await writePainting(building, 1, painting, source);
    const m: SessionManifest = { version: MANIFEST_VERSION, kind: 'session', app: 'reverie', appVersion: o.appVersion, createdAt: now, updatedAt: now, recipe: o.recipe, settings: o.settings, rounds: [round] };
    await writeManifest(building, m);
    return m;
  });
}

/** `session add`: the artist's next painting starts a new round (a painting too small is refused, the
 * session unchanged). `model` is the session recipe's model; loaded here when not given. */
export async function addPainting(dir: string, painting: RgbImage, source: string, model?: DreamModel): Promise<SessionRound> {
  const m = await readSessionManifest(dir);
  await checkPaintingSize(painting, source, m.recipe, m.settings, model);
  const round = await writePainting(dir, m.rounds.length + 1, painting, source);
  m.rounds.push(round);
  await writeManifest(dir, m);
  return round;
}

/** Frames the round's dream has made so far (0 before its first `session dream`). */
export async function roundFrameCount(dir: string, round: SessionRound): Promise<number> {
  const project = join(dir, round.dream);
  if (!(await exists(join(project, 'manifest.json')))) return 0;
  return (await readZoomManifest(project)).frames.length;
}

/**
 * `session dream`: the zoom project of the latest round, created from its painting on first use.
 * The caller runs it with runZoomProject (a frame target, or none to dream until cancelled).
 */
export async function latestRoundProject(dir: string, backend: string): Promise<{ round: SessionRound; project: string; frames: number }> {
  const m = await readSessionManifest(dir);
  const round = m.rounds.at(-1)!;
  const project = join(dir, round.dream);
  if (!(await exists(join(project, 'manifest.json')))) {
    const painting = await decodeImage(join(dir, round.painting));
    await createZoomProject(project, {
      input: painting,
      source: round.source,
      recipe: m.recipe,
      settings: { ...m.settings, frames: null },
      backend,
      appVersion: m.appVersion,
    });
  }
  return { round, project, frames: await roundFrameCount(dir, round) };
}

/** `session pick`: the frame of the latest round (default) or of `roundNumber` the artist paints from. */
export async function pickFrame(dir: string, frame: number, roundNumber?: number): Promise<{ round: SessionRound; file: string }> {
  const m = await readSessionManifest(dir);
  const round = roundNumber === undefined ? m.rounds.at(-1)! : m.rounds[roundNumber - 1];
  if (!round) throw new ProjectError(dir, `has no round ${roundNumber}; it has rounds 1-${m.rounds.length}.`);
  const count = await roundFrameCount(dir, round);
  if (!Number.isInteger(frame) || frame < 0 || frame >= count) {
    const have = count === 0 ? 'no dream frames yet (run "reverie session dream" first)' : `frames 0-${count - 1}`;
    throw new ProjectError(dir, `round ${round.number} has ${have}; cannot pick frame ${frame}.`);
  }
  const file = join(dir, round.dream, frameFileName(frame));
  if (!(await exists(file))) throw new ProjectError(dir, `${file} is missing; re-render it with "reverie resume ${join(dir, round.dream)}".`);
  round.picked = frame;
  await writeManifest(dir, m);
  return { round, file };
}
