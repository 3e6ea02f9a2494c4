// Models over the contract: the list (installed and catalogue, with curated layers and recipes),
// the download size, downloads with progress and cancel, removal, which model the engine loads
// (remembered as the last used), and a search over the active model's class labels.
import type { Handlers } from '../contract/channels.ts';
import type { ModelInfo } from '../contract/models.ts';
import type { Recipe } from '../contract/types.ts';
import { curatedModel, curatedRecipe } from '../engine/model/curated.ts';
import { searchClasses } from '../engine/model/labels.ts';
import { listModels, probeModel, removeModel, type ModelListing } from '../engine/model/files/manager.ts';
import { updateSettings } from '../engine/settings/settings.ts';
import { fileURLToPath } from 'node:url';
import type { ServiceContext } from './context.ts';
import { displayPath } from './files.ts';
import { ModelDownloads } from './modelDownloads.ts';
import { publicFetch } from './publicFetch.ts';
import { isLocalSpec } from './localModels.ts';
import { BadRequestError, BusyError, requireInt, requireObject } from './validate.ts';

type ModelHandlers = Pick<Handlers, 'models.list' | 'models.probe' | 'models.add' | 'models.cancel' | 'models.remove' | 'models.select' | 'models.classes'>;

/** The model the engine has loaded, or is loading. */
export function activeModel(ctx: Pick<ServiceContext, 'engine'>): string {
  const status = ctx.engine.status;
  return status.state === 'ready' ? status.modelId : ctx.engine.spec.model;
}

/** A recipe dreams on the loaded model only: one written for another model is refused, in words. */
export function requireActiveModel(ctx: Pick<ServiceContext, 'engine'>, recipe: Recipe): void {
  const active = activeModel(ctx);
  if (recipe.model !== active) {
    throw new BadRequestError(`This recipe is for ${recipe.model}, but ${active} is loaded: pick ${recipe.model} under Models, or start from a recipe for ${active}.`);
  }
}

/** A model added from a folder is named by its folder as the user would find it, never by an absolute path. */
function withoutLocalPath(listing: ModelListing): ModelListing {
  if (!listing.url?.startsWith('file:')) return listing;
  const { url, ...rest } = listing;
  return { ...rest, title: `added from ${displayPath(fileURLToPath(url))}` };
}

export function modelInfo(listing: ModelListing, active: string): ModelInfo {
  const curated = curatedModel(listing.name);
  return {
    ...withoutLocalPath(listing),
    active: listing.name === active,
    layers: curated ? curated.layers.map((l) => ({ ...l })) : [],
    recipes: curated ? curated.recipes.map((r) => ({ name: r.name, description: r.description, recipe: curatedRecipe(listing.name, r.name) })) : [],
  };
}

function text(request: unknown, key: string, what: string): string {
  const v = requireObject(request, 'The request')[key];
  if (typeof v !== 'string' || v.trim() === '' || v.length > 2048) throw new BadRequestError(`${what} must be 1 to 2048 characters.`);
  return v.trim();
}

export function modelHandlers(ctx: ServiceContext): { handlers: ModelHandlers; downloads: ModelDownloads } {
  const { engine, cacheDir, configDir } = ctx;
  // URLs come from a page: fetch only public addresses, checked after DNS and on every redirect.
  const fetchImpl = publicFetch({ allowLoopback: ctx.options.allowLoopbackModels === true });
  const list = async (): Promise<ModelInfo[]> => (await listModels({ cacheDir })).map((m) => modelInfo(m, activeModel(ctx)));
  const downloads = new ModelDownloads({
    cacheDir,
    info: async (listing) => modelInfo(listing, activeModel(ctx)),
    report: (payload) => ctx.emit({ channel: 'models.download', payload }),
    fetchImpl,
  });

  const handlers: ModelHandlers = {
    'models.list': list,
    'models.probe': async (request) => probeModel(text(request, 'spec', 'The model'), { cacheDir, fetchImpl }),
    'models.add': async (request) => {
      let spec = text(request, 'spec', 'The model');
      // A path from a page is read only where the user allowed it (a dialog, or the allowed folders).
      if (isLocalSpec(spec)) spec = await ctx.options.localModelPath(spec);
      const name = requireObject(request, 'The request')['name'];
      if (name !== undefined && (typeof name !== 'string' || name.length > 100)) throw new BadRequestError('The name must be text of at most 100 characters.');
      return downloads.start(spec, name || undefined);
    },
    'models.cancel': async (request) => ({ cancelled: downloads.cancel(text(request, 'downloadId', 'The download id')) }),
    'models.remove': async (request) => {
      const name = text(request, 'name', 'The model');
      if (name === activeModel(ctx) || name === engine.spec.model) throw new BusyError(`${name} is the model in use; pick another before removing it.`);
      return removeModel(name, { cacheDir });
    },
    'models.select': async (request) => {
      const name = text(request, 'name', 'The model');
      const found = (await listModels({ cacheDir })).find((m) => m.name === name);
      if (!found) throw new BadRequestError(`There is no model named "${name}".`);
      if (!found.installed) throw new BadRequestError(`${name} is not downloaded yet; add it first (${found.title}).`);
      if (ctx.queue.busy) throw new BusyError('A job is running or queued; wait for it or cancel it before switching models.');
      await updateSettings((s) => ({ ...s, lastUsed: { ...s.lastUsed, model: name } }), configDir);
      const loaded = engine.status.state !== 'failed' && engine.spec.model === name;
      if (!loaded) await engine.restart({ ...engine.spec, model: name });
      return engine.status;
    },
    'models.classes': async (request) => {
      const req = requireObject(request, 'The request');
      const query = typeof req['query'] === 'string' ? req['query'].slice(0, 200) : '';
      const limit = requireInt(req['limit'] ?? 20, 'The limit', 1, 1000);
      const modelId = activeModel(ctx);
      if (engine.status.state !== 'ready') return { modelId, available: false, reason: `${modelId} is not loaded yet.`, total: 0, matches: [] };
      const head = engine.classes;
      if (!head.labels) return { modelId, available: false, reason: head.reason, total: 0, matches: [] };
      return { modelId, available: true, total: head.labels.length, matches: searchClasses(head.labels, query, limit) };
    },
  };
  return { handlers, downloads };
}
