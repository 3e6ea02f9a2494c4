// `reverie models`: installed and available models; add (size first, progress, resume), remove, and the
// class labels and curated recipes of a model.
import { parseArgs } from 'node:util';
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import { addModel, listModels, probeModel, removeModel, type ModelListing } from '../../engine/model/files/manager.ts';
import { catalogueEntry } from '../../engine/model/files/registry.ts';
import { EMBEDDED_MODELS } from '../../engine/model/files/source.ts';
import { loadDreamModel } from '../../engine/model/load.ts';
import { classHead } from '../../engine/model/classes.ts';
import { searchClasses } from '../../engine/model/labels.ts';
import { curatedModel } from '../../engine/model/curated.ts';
import { jsonLinesSink, terminalSink } from '../progress.ts';
import { UsageError, withInterrupt } from '../shared.ts';

export const modelsHelp = `reverie models [list] [--json]
reverie models add NAME|URL|PATH [--name N] [--dry-run] [--json]
reverie models remove NAME|URL
reverie models classes MODEL [QUERY] [--json]
reverie models recipes MODEL [--json]

list      installed models (embedded and downloaded) and the catalogue of public ImageNet models
add       downloads a catalogue model or a model.json URL into the cache (size shown first, progress,
          resumed after a dropped connection, SHA-256 recorded), or copies a local model folder in
remove    deletes a downloaded or added model from the cache
classes   searches the class labels a model can dream toward (--class NAME in reverie dream)
recipes   the model's curated layers and default recipes
The cache is $REVERIE_CACHE_DIR, else $XDG_CACHE_HOME/reverie/models, else ~/.cache/reverie/models.`;

export function formatBytes(n: number | null): string {
  if (n === null) return 'size on add';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function listText(models: ModelListing[]): string {
  const row = (m: ModelListing) => [m.name, m.format === 'layers-model' ? 'layers' : 'graph', formatBytes(m.bytes), m.training, m.license ?? ''];
  const head = ['name', 'format', 'size', 'trained on', 'license'];
  const installed = models.filter((m) => m.installed);
  const available = models.filter((m) => !m.installed);
  return [
    'Installed:',
    table([head, ...installed.map(row)]),
    '',
    available.length ? 'Available (reverie models add NAME):' : 'Every catalogue model is installed.',
    ...(available.length ? [table([head, ...available.map(row)]), '', ...available.map((m) => `  ${m.name}: ${m.title}. ${m.notes ?? ''}`.trimEnd())] : []),
  ].join('\n');
}

async function add(target: string, values: { name?: string | undefined; 'dry-run'?: boolean | undefined; json?: boolean | undefined; backend?: string | undefined }): Promise<void> {
  const sink = values.json ? jsonLinesSink(process.stdout) : terminalSink(process.stderr);
  const say = (message: string, data: Record<string, unknown> = {}) => (values.json ? sink.event('info', { message, ...data }) : process.stdout.write(`${message}\n`));
  if (Object.hasOwn(EMBEDDED_MODELS, target)) return void say(`${target} is embedded in Reverie; nothing to download.`);
  const remote = catalogueEntry(target) !== undefined || /^https?:\/\//i.test(target);
  const listing = await withInterrupt(async (signal) => {
    if (remote) {
      const size = await probeModel(target, { signal });
      const entry = catalogueEntry(target);
      say(`${size.name}: ${formatBytes(size.totalBytes)} in ${size.files} files from ${size.url}${entry ? ` (${entry.license})` : ''}${size.installed ? ', already installed' : ''}.`, { size });
      if (values['dry-run']) return null;
    }
    const started = Date.now();
    return addModel(target, {
      signal,
      ...(values.name ? { name: values.name } : {}),
      onProgress: (n, total) => {
        const fraction = total ? n / total : 0;
        const elapsed = Date.now() - started;
        sink.update(fraction, `${formatBytes(n)} of ${formatBytes(total)}`, fraction > 0 ? (elapsed / fraction) * (1 - fraction) : null, { loadedBytes: n, totalBytes: total });
      },
    });
  });
  if (!listing) return;
  // Check that Reverie can run it, and say what it offers.
  await initBackend((values.backend ?? 'auto') as BackendChoice);
  try {
    const model = await loadDreamModel(listing.name);
    const layers = model.layers(model.defaultInputSize, model.defaultInputSize);
    let classes = 'no class objectives';
    try {
      classes = `class objectives over ${classHead(model).labels.length} labels`;
    } catch {
      // not offered: said as is
    }
    model.dispose();
    sink.done(`Installed ${listing.name} (${formatBytes(listing.bytes)}): ${layers.length} layers, ${classes}. Use --model ${listing.name}.`, { model: listing });
  } catch (err) {
    sink.done(`Installed ${listing.name}, but Reverie cannot dream with it: ${(err as Error).message} (remove it with: reverie models remove ${listing.name})`, { model: listing, error: (err as Error).message });
  }
}

async function classes(modelName: string, query: string | undefined, json: boolean): Promise<void> {
  await initBackend('auto');
  const model = await loadDreamModel(modelName);
  try {
    const head = classHead(model);
    const hits = searchClasses(head.labels, query ?? '', query ? 50 : head.labels.length);
    if (json) return void process.stdout.write(`${JSON.stringify({ model: model.id, source: head.source, classes: hits }, null, 2)}\n`);
    if (!hits.length) throw new UsageError(`No class of ${model.id} matches "${query}".`);
    process.stdout.write(`${hits.map((h) => `#${String(h.index).padEnd(4)} ${h.label}`).join('\n')}\n`);
  } finally {
    model.dispose();
  }
}

function recipes(modelName: string, json: boolean): void {
  const curated = curatedModel(modelName);
  if (!curated) throw new UsageError(`No curated layers or recipes for "${modelName}" (curated: inception_v3, mobilenet_v2 and the Keras MobileNets).`);
  if (json) return void process.stdout.write(`${JSON.stringify({ model: modelName, ...curated }, null, 2)}\n`);
  const lines = ['Layers worth dreaming on:', ...curated.layers.map((l) => `  ${l.name.padEnd(22)} ${l.note}`), '', 'Recipes:', ...curated.recipes.map((r) => `  ${r.name.padEnd(12)} ${r.description}`)];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function modelsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, name: { type: 'string' }, 'dry-run': { type: 'boolean' }, backend: { type: 'string' } },
  });
  const [verb = 'list', target, extra] = positionals;
  switch (verb) {
    case 'list': {
      const models = await listModels();
      process.stdout.write(values.json ? `${JSON.stringify({ models }, null, 2)}\n` : `${listText(models)}\n`);
      return;
    }
    case 'add':
      if (!target) throw new UsageError('Name what to add: a catalogue name, a model.json URL or a model folder.', modelsHelp);
      return add(target, values);
    case 'remove': {
      if (!target) throw new UsageError('Name the model to remove.', modelsHelp);
      const removed = await removeModel(target);
      process.stdout.write(values.json ? `${JSON.stringify(removed)}\n` : `Removed ${removed.name} (${formatBytes(removed.bytes)} freed).\n`);
      return;
    }
    case 'classes':
      if (!target) throw new UsageError('Name the model whose classes to list.', modelsHelp);
      return classes(target, extra, values.json === true);
    case 'recipes':
      if (!target) throw new UsageError('Name the model.', modelsHelp);
      return recipes(target, values.json === true);
    default:
      throw new UsageError(`Unknown models command "${verb}".`, modelsHelp);
  }
}
