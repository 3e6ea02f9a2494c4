// `reverie batch DIR -o OUT`: every image of a folder through one recipe, locally or on a farm
// (--farm); each result is written atomically as OUT/<name>.png with the recipe embedded.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage, encodePng, DEFAULT_MAX_PIXELS } from '../../engine/io/image.ts';
import { writeFileAtomic } from '../../engine/io/atomic.ts';
import { metadataText } from '../../engine/render/metadata.ts';
import { recipeFlagHelp, recipeFlagSpec, recipeFromFlags } from '../recipeOptions.ts';
import { jsonLinesSink, terminalSink } from '../progress.ts';
import { appVersion, maxPixelsFlag, UsageError, withInterrupt } from '../shared.ts';
import { FarmJobsFailedError } from '../../farm/submit.ts';
import { farmFlagHelp, farmFlagSpec } from '../farm/runner.ts';
import { folderImages, outputFolder } from '../farm/outputs.ts';
import { imageToRaw, rawToImage } from '../farm/handlers.ts';
import { openJobSession } from '../farm/session.ts';

export const batchHelp = `reverie batch DIR -o OUT [options]

Dreams every image of DIR (PNG, JPEG, WebP, TIFF, AVIF, GIF) with one recipe and writes OUT/<name>.png,
each with the recipe embedded. Locally by default; with --farm, the images are jobs for farm workers.
An image that fails is reported and the others still finish.
${recipeFlagHelp}
${farmFlagHelp}
  --backend B                 auto | tensorflow | wasm | cpu (default auto; local runs)
  --max-pixels N              refuse larger inputs (default ${DEFAULT_MAX_PIXELS})
  --json                      JSON-lines progress on stdout`;

export async function batchCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...recipeFlagSpec, ...farmFlagSpec, out: { type: 'string', short: 'o' }, backend: { type: 'string' }, json: { type: 'boolean' }, 'max-pixels': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('reverie batch takes one input folder.', batchHelp);
  const out = await outputFolder(values.out, batchHelp);
  const images = await folderImages(positionals[0]!, out);
  const recipe = await recipeFromFlags(values);
  const maxPixels = maxPixelsFlag(values['max-pixels'], DEFAULT_MAX_PIXELS);
  const sink = values.json ? jsonLinesSink(process.stdout) : terminalSink(process.stderr);
  const session = await openJobSession(values, recipe.model);
  const started = performance.now();
  let done = 0;
  try {
    sink.event('start', { images: images.length, where: await session.runner.describe(), message: `${images.length} image(s) with ${session.ref.id} on ${await session.runner.describe()}` });
    const failures = await withInterrupt((signal) =>
      session.runner.run(
        {
          length: images.length,
          get: async (i) => {
            const img = await decodeImage(images[i]!.input, { maxPixels });
            return { kind: 'dream-image' as const, payload: { model: session.ref, recipe: { ...recipe, model: session.ref.id }, image: imageToRaw(img) } };
          },
        },
        {
          signal,
          onResult: async (i, result) => {
            const { input, output, name } = images[i]!;
            const alpha = (await decodeImage(input, { maxPixels })).alpha;
            const png = await encodePng({ ...rawToImage(result), alpha }, metadataText({ app: 'reverie', appVersion: appVersion(), backend: session.backend, input: basename(input), createdAt: new Date().toISOString(), recipe }));
            await writeFileAtomic(output, png);
            done++;
            const elapsed = performance.now() - started;
            sink.update(done / images.length, `${done}/${images.length} ${name}`, (elapsed / done) * (images.length - done), { done, total: images.length, output });
          },
          onFailure: (i, reason) => sink.event('failed', { input: images[i]!.input, reason, message: `${images[i]!.name}: ${reason}` }),
        },
      ),
    );
    if (failures.length) throw new FarmJobsFailedError(failures.map((f) => ({ ...f, reason: `${images[f.index]!.name}: ${f.reason}` })));
    sink.done(`Wrote ${images.length} image(s) to ${values.out}`, { output: out, images: images.length });
  } finally {
    await session.close();
  }
}
