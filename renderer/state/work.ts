// Each panel's work survives a reload: what Dream, Zoom and Paint have open (gallery ids and
// inputs, never pictures) and their settings, kept in the page's storage and reopened once the
// gallery is read. Paint strokes not yet dreamed from are not kept (they live in a canvas); Dream's
// guide and whole-dream mask (strokes as data, a loaded mask by its input) are.
import type { InputImage, Recipe } from '../../contract/types.ts';
import { PANELS, type PanelId } from '../panels.ts';
import type { AppState } from './app.svelte.ts';
import type { DreamSlots } from './dreamSlots.svelte.ts';
import type { MaskStroke } from './mask.svelte.ts';
import type { PaintBase } from './paint.svelte.ts';
import type { ZoomState } from './zoom.svelte.ts';

export const WORK_KEY = 'reverie.work.v1';

/** Where the work is kept: localStorage in the page, a map in tests. */
export type WorkStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface SavedWork {
  version: 1;
  panel: PanelId;
  dream: { input: InputImage | null; resultId: string | null; recipe: Recipe; maxSide: number; slots?: KeptSlots };
  zoom: { input: InputImage | null; projectId: string | null; recipe: Recipe; maxSide: number; values: ZoomState['values'] };
  paint: { base: PaintBase | null; sessionId: string | null; recipe: Recipe; maxSide: number; framesPerRound: number; zoom: number };
}

/** Dream's Guide and Mask slots as kept (absent in work kept before they were). */
export interface KeptSlots {
  guide: InputImage | null;
  mask: { enabled: boolean; inverted: boolean; strokes: MaskStroke[]; base: InputImage | null };
}

function captureSlots(slots: DreamSlots): KeptSlots {
  const m = slots.mask;
  return JSON.parse(JSON.stringify({ guide: slots.guide, mask: { enabled: m.enabled, inverted: m.inverted, strokes: m.strokes, base: m.base } })) as KeptSlots;
}

function restoreSlots(slots: DreamSlots, kept: KeptSlots): void {
  slots.guide = kept.guide;
  Object.assign(slots.mask, kept.mask);
}

export function captureWork(app: AppState): SavedWork {
  const { dream, zoom, paint } = app;
  const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    version: 1,
    panel: app.panel,
    dream: { input: clone(dream.input), resultId: dream.result?.id ?? null, recipe: app.recipe.recipe, maxSide: dream.maxSide, slots: captureSlots(dream.slots) },
    zoom: { input: clone(zoom.input), projectId: zoom.project?.id ?? null, recipe: zoom.recipe.recipe, maxSide: zoom.maxSide, values: clone(zoom.values) },
    // A base that is a round's painting or frame comes back with its session.
    paint: {
      base: paint.base && (paint.base.kind === 'image' || paint.base.kind === 'blank') ? clone(paint.base) : null,
      sessionId: paint.session?.id ?? null,
      recipe: paint.recipe.recipe,
      maxSide: paint.maxSide,
      framesPerRound: paint.framesPerRound,
      zoom: paint.zoom,
    },
  };
}

/** The work kept in `storage`, or null when there is none or it is not ours to read. */
export function readWork(storage: WorkStorage | undefined): SavedWork | null {
  try {
    const work = JSON.parse(storage?.getItem(WORK_KEY) ?? 'null') as SavedWork | null;
    return work?.version === 1 && PANELS.some((p) => p.id === work.panel) ? work : null;
  } catch {
    return null;
  }
}

export function saveWork(storage: WorkStorage | undefined, work: SavedWork): void {
  try {
    storage?.setItem(WORK_KEY, JSON.stringify(work));
  } catch {
    // A full or disabled storage only costs the next reload its restore.
  }
}

/**
 * Reopens kept work: gallery results, projects and sessions by id (gone ones are skipped), inputs
 * as they were, and each panel's settings. Recipes for another model than the loaded one are
 * left out (the panels follow the loaded model).
 */
export function restoreWork(app: AppState, work: SavedWork): void {
  const find = (id: string | null) => (id ? app.gallery.items.find((i) => i.id === id) : undefined);
  const sameModel = (r: Recipe): boolean => r.model === app.recipe.model;
  const { dream, zoom, paint } = app;

  const result = find(work.dream.resultId);
  if (result?.kind === 'dream') dream.openItem(result);
  else if (work.dream.input) dream.input = work.dream.input;
  if (sameModel(work.dream.recipe)) app.recipe.load(work.dream.recipe);
  dream.maxSide = work.dream.maxSide;
  if (work.dream.slots) restoreSlots(dream.slots, work.dream.slots);

  const project = find(work.zoom.projectId);
  if (project?.kind === 'zoom') zoom.openProject(project);
  else {
    if (work.zoom.input) zoom.useImage(work.zoom.input);
    zoom.values = work.zoom.values;
    zoom.maxSide = work.zoom.maxSide;
  }
  if (sameModel(work.zoom.recipe)) zoom.recipe.load(work.zoom.recipe);

  paint.maxSide = work.paint.maxSide;
  const session = find(work.paint.sessionId);
  if (session?.kind === 'session') paint.openSession(session);
  else if (work.paint.base) paint.restoreBase(work.paint.base);
  if (sameModel(work.paint.recipe)) paint.recipe.load(work.paint.recipe);
  paint.framesPerRound = work.paint.framesPerRound;
  paint.zoom = work.paint.zoom;

  app.panel = work.panel;
}
