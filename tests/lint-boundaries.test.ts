// The import directions of README's "How it works" are enforced by eslint: a wrong-way import in
// any folder fails `npm run lint`, and the rules leave the right-way imports alone.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('import directions', () => {
  const wrong: [string, string][] = [
    ['engine/render/probe.ts', "import { serveFile } from '../../host/staticFiles.ts';"],
    ['engine/probe.ts', "import type { Handlers } from '../contract/channels.ts';"],
    ['host/probe.ts', "import { startServer } from '../server/httpServer.ts';"],
    ['host/probe.ts', "import { registerIpc } from '../main/ipc.ts';"],
    ['server/probe.ts', "import { decodeImage } from '../engine/io/image.ts';"],
    ['main/probe.ts', "import { dream } from '../engine/render/dream.ts';"],
    ['main/probe.ts', "import { startServer } from '../server/httpServer.ts';"],
    ['contract/probe.ts', "import { decodeImage } from '../engine/io/image.ts';"],
    ['cli/commands/probe.ts', "import { startServer } from '../../server/httpServer.ts';"],
    ['preload/probe.ts', "import { createService } from '../host/service.ts';"],
    ['renderer/lib/probe.ts', "import { decodeImage } from '../../engine/io/image.ts';"],
    ['renderer/lib/probe.ts', "import { createService } from '../../host/service.ts';"],
    ['farm/probe.ts', "import { dream } from '../engine/render/dream.ts';"],
    ['engine/probe.ts', "import { submitJobs } from '../farm/submit.ts';"],
  ];
  it.each(wrong)('%s: %s fails lint', async (file, code) => {
    const messages = await restricted(file, `${code}\nexport {};\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/may import only/);
  });

  const right: [string, string][] = [
    ['host/probe.ts', "import { decodeImage } from '../engine/io/image.ts';\nimport type { Handlers } from '../contract/channels.ts';"],
    ['server/probe.ts', "import { createService } from '../host/service.ts';"],
    ['main/probe.ts', "import type { Handlers } from '../contract/channels.ts';"],
    ['contract/probe.ts', "import type { Recipe } from '../engine/recipe/recipe.ts';"],
    ['cli/commands/probe.ts', "import { decodeImage } from '../../engine/io/image.ts';"],
    ['launch/probe.ts', "import { electronBinary } from '../main/electronBinary.ts';"],
    ['renderer/lib/probe.ts', "import { parseRecipe } from '../../engine/recipe/recipe.ts';\nimport { planEncode } from '../../engine/video/plan.ts';\nimport type { GalleryItem } from '../../contract/types.ts';"],
    ['engine/graph/ops/probe.ts', "import { convForward } from '../../ops/conv.ts';\nimport type { AttrValue } from '../onnxProto.ts';"],
    ['engine/render/probe.ts', "import { readFile } from 'node:fs/promises';"],
    ['cli/farm/probe.ts', "import { submitJobs } from '../../farm/submit.ts';"],
    ['engine/windowDevice/probe.ts', "import { buildKerasGraph } from '../model/keras/build.ts';\nimport { GraphExecutor } from '../graph/executor.ts';"],
    ['engine/model/keras/probe.ts', "import { GraphBuilder } from './builder.ts';\nimport type { Graph } from '../../graph/graph.ts';"],
    ['renderer/gpu/probe.ts', "import { PageModel } from '../../engine/windowDevice/pageModel.ts';"],
  ];
  it.each(right)('%s: %s passes', async (file, code) => {
    expect(await restricted(file, `${code}\nexport {};\n`)).toEqual([]);
  });

  // The window and GPU Web Workers load the browser-safe engine: it reaches nothing Node-side.
  const nodeSide: [string, string][] = [
    ['engine/recipe/probe.ts', "import { readFile } from 'node:fs/promises';"],
    ['engine/graph/ops/probe.ts', "import { decodeImage } from '../../io/image.ts';"],
    ['engine/objectives/probe.ts', "import sharp from 'sharp';"],
    ['engine/video/plan.ts', "import { encodeVideo } from '../video/encode.ts';"],
    ['renderer/lib/probe.ts', "import { join } from 'node:path';"],
    ['engine/windowDevice/probe.ts', "import { loadDreamModel } from '../model/load.ts';"],
    ['engine/model/keras/probe.ts', "import { loadModelFiles } from '../files/source.ts';"],
    ['renderer/gpu/probe.ts', "import { loadDreamModel } from '../../engine/model/load.ts';"],
  ];
  it.each(nodeSide)('%s: %s fails lint', async (file, code) => {
    const messages = await restricted(file, `${code}\nexport {};\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/browser-safe|may import only/);
  });

  it('checks the imports of Svelte components too', async () => {
    const [result] = await eslint.lintText(`<script lang="ts">\n  import { createService } from '../../host/service.ts';\n  createService;\n</script>\n`, { filePath: 'renderer/components/Probe.svelte' });
    expect((result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message)).toEqual([expect.stringMatching(/may import only/)]);
  });
});
