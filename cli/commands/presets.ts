// `reverie presets`: named recipes saved in the config folder; save from recipe flags, rename, delete,
// and share as JSON files (export / import). `reverie dream --preset NAME` dreams with one.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { PresetStore, type Preset } from '../../engine/settings/presets.ts';
import { recipeFlagHelp, recipeFlagSpec, recipeFromFlags } from '../recipeOptions.ts';
import { UsageError } from '../shared.ts';
import { recipeAssets } from '../../engine/recipe/recipe.ts';

export const presetsHelp = `reverie presets list [--json]
reverie presets show NAME [--json]
reverie presets save NAME [recipe flags] [--description TEXT] [--force]
reverie presets rename OLD NEW
reverie presets export NAME -o FILE.json
reverie presets import FILE.json [--as NAME] [--force]
reverie presets delete NAME

save takes the recipe flags of reverie dream (--layers, --channel, --class, --steps, --octaves,
--recipe FILE, --recipe-from DREAM.png, --preset OTHER ...); import also accepts a bare recipe JSON
when named with --as. Presets live in presets.json in the config folder
($REVERIE_CONFIG_DIR, else $REVERIE_DATA_DIR/config, else $XDG_CONFIG_HOME/reverie, else
~/.config/reverie).
${recipeFlagHelp}`;

function summary(p: Preset): string {
  const r = p.recipe;
  const terms = [
    ...r.layers.map((l) => `${l.name}${l.weight !== 1 ? `:${l.weight}` : ''}`),
    ...r.channels.map((c) => `${c.layer}:${c.index}${c.weight !== 1 ? `:${c.weight}` : ''}`),
    ...(r.classes ?? []).map((c) => `class ${c.name}${c.weight !== 1 ? `:${c.weight}` : ''}`),
  ];
  return `${p.name}  ${r.model}: ${terms.join(' + ')}; ${r.steps} steps x ${r.octaves} octaves${p.description ? `  (${p.description})` : ''}`;
}

export async function presetsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...recipeFlagSpec, json: { type: 'boolean' }, out: { type: 'string', short: 'o' }, as: { type: 'string' }, force: { type: 'boolean' }, description: { type: 'string' } },
  });
  const [verb = 'list', a, b] = positionals;
  const store = new PresetStore();
  const loaded = await store.load();
  if (loaded.problem) process.stderr.write(`Warning: ${loaded.problem}\n`);
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new UsageError(`Name ${what}.`, presetsHelp);
    return v;
  };
  const print = (text: string, json: unknown): void => {
    process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
  };
  switch (verb) {
    case 'list':
      return print(loaded.value.length ? loaded.value.map(summary).join('\n') : 'No presets yet: reverie presets save NAME --layers mixed3 ...', { presets: loaded.value });
    case 'show': {
      const p = await store.get(need(a, 'the preset to show'));
      return print(`${summary(p)}\n${JSON.stringify(p.recipe, null, 2)}`, p);
    }
    case 'save': {
      const recipe = await recipeFromFlags(values);
      // A preset is the recipe alone; the images a mask or guide names would not travel with it.
      if (recipeAssets(recipe).length > 0) throw new UsageError('A preset keeps no mask or guide image; keep the dreamed PNG and reuse it with --recipe-from instead.');
      const p = await store.save(need(a, 'the preset to save'), recipe, { ...(values.description ? { description: values.description } : {}), ...(values.force ? { overwrite: true } : {}) });
      return print(`Saved preset ${summary(p)}`, p);
    }
    case 'rename': {
      const p = await store.rename(need(a, 'the preset to rename'), need(b, 'the new name'));
      return print(`Renamed "${a}" to "${p.name}".`, p);
    }
    case 'delete':
      await store.delete(need(a, 'the preset to delete'));
      return print(`Deleted preset "${a}".`, { deleted: a });
    case 'export': {
      const file = resolve(need(values.out, 'the file to write with -o FILE.json'));
      await store.export(need(a, 'the preset to export'), file);
      return print(`Wrote preset "${a}" to ${file}.`, { exported: a, file });
    }
    case 'import': {
      const p = await store.import(need(a, 'the preset file to import'), { ...(values.as ? { as: values.as } : {}), ...(values.force ? { overwrite: true } : {}) });
      return print(`Imported preset ${summary(p)}`, p);
    }
    default:
      throw new UsageError(`Unknown presets command "${verb}".`, presetsHelp);
  }
}
