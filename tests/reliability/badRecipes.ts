// Hostile recipes (files, flags, PNGs) and model folders for the CLI matrix. Each case names the error
// type the CLI must print and what it must say.
import { mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTinyGraphModel, writeTinyLayersModel } from '../helpers/testModels.ts';
import { photo } from './badImages.ts';

export interface ArgsCase {
  name: string;
  /** Arguments after `reverie dream IN -o OUT`. */
  flags: string[];
  error: string;
  says: RegExp;
  code?: number;
}

/** Recipe files: wrong types, unknown layers, out-of-range values, extra fields, not JSON at all. */
export async function writeRecipeCases(dir: string): Promise<ArgsCase[]> {
  const files: Array<[string, string, string, RegExp]> = [
    ['not JSON', '{"steps": 2,', 'RecipeError', /not valid JSON/],
    ['a JSON list', '[1, 2, 3]', 'RecipeError', /must be a JSON object/],
    ['steps as a string', '{"steps": "10"}', 'RecipeError', /"steps" must be a number, got "10"/],
    ['layers as a string', '{"layers": "mixed3"}', 'RecipeError', /"layers", "channels" and "classes" must be lists/],
    ['a layer as a string', '{"layers": ["mixed3"]}', 'RecipeError', /layers\[0\] must be an object/],
    ['layer weight as text', '{"layers": [{"name": "mixed3", "weight": "high"}]}', 'RecipeError', /layers\[0\]\.weight must be a number/],
    ['layer name null', '{"layers": [{"name": null}]}', 'RecipeError', /layers\[0\]\.name must be a layer name/],
    ['channel index as text', '{"channels": [{"layer": "mixed3", "index": "7"}]}', 'RecipeError', /channels\[0\]\.index must be a number/],
    ['steps -1', '{"steps": -1}', 'RecipeError', /"steps" must be between 0 and 10000, got -1/],
    ['octaves 99', '{"octaves": 99}', 'RecipeError', /"octaves" must be between 1 and 12, got 99/],
    ['stepSize 1e9', '{"stepSize": 1e9}', 'RecipeError', /"stepSize" must be between 0 and 100/],
    ['octaveScale 0.5', '{"octaveScale": 0.5}', 'RecipeError', /"octaveScale" must be between 1 and 4/],
    ['tileSize 10', '{"tileSize": 10}', 'RecipeError', /"tileSize" must be between 64 and 4096/],
    ['jitter 1.5', '{"jitter": 1.5}', 'RecipeError', /"jitter" must be a whole number/],
    ['seed -1', '{"seed": -1}', 'RecipeError', /"seed" must be between 0 and 4294967295/],
    ['seed 1e400 (Infinity)', '{"seed": 1e400}', 'RecipeError', /"seed" must be a number/],
    ['layer weight 1e7', '{"layers": [{"name": "mixed3", "weight": 1e7}]}', 'RecipeError', /weight must be between/],
    ['an extra field', '{"steps": 2, "colour": "blue"}', 'RecipeError', /unknown field "colour"/],
    ['an extra field in a layer', '{"layers": [{"name": "mixed3", "weight": 1, "boost": 2}]}', 'RecipeError', /layers\[0\] has unknown field "boost"/],
    ['a __proto__ field', '{"__proto__": {"steps": 5}, "steps": 1}', 'RecipeError', /unknown field "__proto__"/],
    ['version 3', '{"version": 3}', 'RecipeError', /recipe version 3 is not supported/],
    ['empty model name', '{"model": ""}', 'RecipeError', /"model" must be a non-empty string/],
    ['no layers, no channels', '{"layers": [], "channels": []}', 'RecipeError', /name at least one layer or channel/],
    ['unknown layer mixed99', '{"layers": [{"name": "mixed99", "weight": 1}], "steps": 1, "octaves": 1}', 'UnknownLayerError', /"mixed99" is not a layer of this model/],
    ['unknown channel layer', '{"layers": [], "channels": [{"layer": "conv_nope", "index": 0, "weight": 1}], "steps": 1, "octaves": 1}', 'UnknownLayerError', /"conv_nope" is not a layer/],
    ['channel 5000 of mixed2', '{"layers": [], "channels": [{"layer": "mixed2", "index": 5000, "weight": 1}], "steps": 1, "octaves": 1}', 'RecipeError', /Channel 5000 is out of range for layer "mixed2", which has 288 channels/],
    ['model folder that does not exist', '{"model": "/nonexistent/reverie-model"}', 'ModelLoadError', /nonexistent\/reverie-model: folder not found/],
  ];
  const cases: ArgsCase[] = [];
  for (const [i, [name, text, error, says]] of files.entries()) {
    const file = join(dir, `recipe-${i}.json`);
    await writeFile(file, text);
    cases.push({ name: `--recipe: ${name}`, flags: ['--recipe', file], error, says });
  }
  await mkdir(join(dir, 'folder.json'));
  const plain = join(dir, 'plain.png');
  await photo(8, 8).png().toFile(plain);
  cases.push(
    { name: '--recipe: file missing', flags: ['--recipe', join(dir, 'nope.json')], error: 'RecipeError', says: /nope\.json: cannot read the recipe \(ENOENT\)/ },
    { name: '--recipe: a folder', flags: ['--recipe', join(dir, 'folder.json')], error: 'RecipeError', says: /folder\.json: cannot read the recipe \(EISDIR\)/ },
    { name: '--recipe-from: a PNG with no recipe', flags: ['--recipe-from', plain], error: 'RecipeError', says: /plain\.png: this PNG carries no Reverie recipe/ },
    { name: '--recipe and --recipe-from', flags: ['--recipe', join(dir, 'recipe-0.json'), '--recipe-from', plain], error: 'RecipeError', says: /Use (either|one of) --recipe,? (or|.*) ?--recipe-from/ },
  );
  return cases;
}

/** Recipe flags with wrong types or out-of-range values. */
export const FLAG_CASES: ArgsCase[] = [
  { name: '--steps many', flags: ['--steps', 'many'], error: 'RecipeError', says: /--steps expects a number, got "many"/ },
  { name: '--steps 1.5', flags: ['--steps', '1.5'], error: 'RecipeError', says: /"steps" must be a whole number/ },
  { name: '--steps 1e3000', flags: ['--steps', '1e3000'], error: 'RecipeError', says: /--steps expects a number/ },
  { name: '--seed=-4', flags: ['--seed=-4'], error: 'RecipeError', says: /"seed" must be between 0/ },
  { name: '--seed -4 (looks like a flag)', flags: ['--seed', '-4'], error: 'UsageError', code: 2, says: /'--seed' argument is ambiguous/ },
  { name: '--octave-scale 0', flags: ['--octave-scale', '0'], error: 'RecipeError', says: /"octaveScale" must be between 1 and 4/ },
  { name: '--tile 5', flags: ['--tile', '5'], error: 'RecipeError', says: /"tileSize" must be between 64/ },
  { name: "--layers ''", flags: ['--layers', ''], error: 'RecipeError', says: /name at least one layer/ },
  { name: '--layers mixed3:abc', flags: ['--layers', 'mixed3:abc'], error: 'RecipeError', says: /"mixed3:abc" is not a layer term/ },
  { name: '--channel mixed3', flags: ['--channel', 'mixed3'], error: 'RecipeError', says: /"mixed3" is not a channel term/ },
  { name: '--channel mixed3:-1', flags: ['--channel', 'mixed3:-1'], error: 'RecipeError', says: /"mixed3:-1" is not a channel term/ },
  { name: '--workers=-1', flags: ['--workers=-1', '--steps', '1', '--octaves', '1'], error: 'UsageError', code: 2, says: /--workers expects a whole number, got "-1"/ },
  { name: '--backend quantum', flags: ['--backend', 'quantum', '--steps', '1', '--octaves', '1'], error: 'BackendUnavailableError', says: /Backend "quantum" failed to initialise/ },
  { name: '--frobnicate', flags: ['--frobnicate'], error: 'UsageError', code: 2, says: /frobnicate/ },
];

/**
 * Model folders made from the tiny real test models, then broken: missing or truncated shards, a shard
 * too long, no model.json, model.json not JSON, a manifest without weights, a shard path that climbs
 * out of the folder, an unsupported dtype, a weight whose shape disagrees with the topology.
 */
export async function writeModelCases(dir: string): Promise<ArgsCase[]> {
  const fresh = async (name: string, graph = false): Promise<string> => {
    const folder = join(dir, name);
    await (graph ? writeTinyGraphModel(folder, { shards: 2 }) : writeTinyLayersModel(folder, { shards: 3 }));
    return folder;
  };
  const editJson = async (folder: string, edit: (json: Record<string, unknown> & { weightsManifest: Array<{ paths: string[]; weights: Array<Record<string, unknown>> }> }) => void): Promise<void> => {
    const file = join(folder, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    edit(json);
    await writeFile(file, JSON.stringify(json));
  };
  const model = (folder: string): string[] => ['--model', folder, '--layers', 'mixed0'];
  const cases: ArgsCase[] = [];
  const missing = await fresh('missing shard');
  await rm(join(missing, 'group1-shard2of3.bin'));
  cases.push({ name: 'layers model, shard 2 of 3 missing', flags: model(missing), error: 'ModelLoadError', says: /group1-shard2of3\.bin: shard file missing/ });
  const cut = await fresh('truncated shard');
  await truncate(join(cut, 'group1-shard3of3.bin'), 100);
  cases.push({ name: 'layers model, last shard truncated', flags: model(cut), error: 'ModelLoadError', says: /group1-shard3of3\.bin: .*truncated/ });
  const cutMiddle = await fresh('truncated middle shard');
  await truncate(join(cutMiddle, 'group1-shard2of3.bin'), 7);
  cases.push({ name: 'layers model, middle shard truncated', flags: model(cutMiddle), error: 'ModelLoadError', says: /group1-shard2of3\.bin: .*truncated/ });
  const long = await fresh('long shard');
  await writeFile(join(long, 'group1-shard1of3.bin'), Buffer.alloc(16), { flag: 'a' });
  // With two equal-length candidates the odd shard cannot be told; the message names the group's excess.
  cases.push({ name: 'layers model, shard 1 too long', flags: model(long), error: 'ModelLoadError', says: /shard\dof3\.bin: the group's 3 shards have 1328 bytes .* need 1312 \(too long\)/ });
  const noJson = await fresh('no model json');
  await rm(join(noJson, 'model.json'));
  cases.push({ name: 'folder without model.json', flags: model(noJson), error: 'ModelLoadError', says: /model\.json not found/ });
  const badJson = await fresh('bad json');
  await truncate(join(badJson, 'model.json'), 200);
  cases.push({ name: 'model.json cut short', flags: model(badJson), error: 'ModelLoadError', says: /model\.json: not valid JSON/ });
  const noWeights = await fresh('no manifest');
  await editJson(noWeights, (j) => delete (j as Record<string, unknown>)['weightsManifest']);
  cases.push({ name: 'model.json without weightsManifest', flags: model(noWeights), error: 'ModelLoadError', says: /has no weightsManifest list/ });
  const climb = await fresh('climbing path');
  await editJson(climb, (j) => (j.weightsManifest[0]!.paths[0] = '../../etc/passwd'));
  cases.push({ name: 'shard path ../../etc/passwd', flags: model(climb), error: 'ModelLoadError', says: /"\.\.\/\.\.\/etc\/passwd" is not a plain relative path/ });
  const dtype = await fresh('bad dtype');
  await editJson(dtype, (j) => (j.weightsManifest[0]!.weights[0]!['dtype'] = 'complex64'));
  cases.push({ name: 'weight dtype complex64', flags: model(dtype), error: 'ModelLoadError', says: /dtype complex64, which is not supported/ });
  const shape = await fresh('wrong shape');
  // Same byte count, different shape: only a check against the topology can catch it.
  await editJson(shape, (j) => {
    const w = j.weightsManifest[0]!.weights.find((x) => String(x['name']).endsWith('conv2d_1/kernel'))!;
    w['shape'] = [...(w['shape'] as number[])].reverse();
  });
  cases.push({ name: 'weight shape reversed (same size)', flags: model(shape), error: 'ModelLoadError', says: /weight "conv2d_1\/kernel" has shape \[8,3,3,3\], but layer "conv2d_1" needs \[3,3,3,8\]/ });
  const renamed = await fresh('renamed weight');
  await editJson(renamed, (j) => (j.weightsManifest[0]!.weights[0]!['name'] = 'nobody/kernel'));
  cases.push({ name: 'weight renamed (topology needs the old name)', flags: model(renamed), error: 'ModelLoadError', says: /weight "batch_normalization_1\/beta" is missing from the weights manifest/ });
  const graphMissing = await fresh('graph missing shard', true);
  await rm(join(graphMissing, 'group1-shard1of2.bin'));
  cases.push({ name: 'graph model, shard 1 of 2 missing', flags: model(graphMissing), error: 'ModelLoadError', says: /group1-shard1of2\.bin: shard file missing/ });
  const graphCut = await fresh('graph truncated', true);
  await truncate(join(graphCut, 'group1-shard2of2.bin'), 10);
  cases.push({ name: 'graph model, shard 2 of 2 truncated', flags: model(graphCut), error: 'ModelLoadError', says: /group1-shard2of2\.bin: .*truncated/ });
  const notModel = join(dir, 'not a model');
  await mkdir(notModel);
  await writeFile(join(notModel, 'model.json'), JSON.stringify({ hello: 'world', weightsManifest: [] }));
  cases.push({ name: 'model.json of something else', flags: model(notModel), error: 'ModelLoadError', says: /neither a TF\.js layers model .* nor a graph model/ });
  return cases;
}
