// A model as the farm names it: its id and the sha256 of its topology and weights. Submitter and
// worker each compute it from the files they load, so a worker never serves a different model
// under the same name. Shared by the CLI (worker, --farm) and the app's dreams sent to a farm.
import { createHash } from 'node:crypto';
import { loadModelFiles } from '../../engine/model/files/source.ts';
import { ReverieError } from '../../engine/shared/errors.ts';
import type { ModelRef } from '../../farm/kinds.ts';

export class FarmModelError extends ReverieError {
  override name = 'FarmModelError';
}

/** Farm jobs name models by id only (embedded or catalogue names): never a path or URL from a payload. */
export function farmModelId(spec: string): string {
  if (!/^[A-Za-z0-9_.:+-]{1,120}$/.test(spec) || spec.includes('/')) {
    throw new FarmModelError(`"${spec}" is a path or URL; farm workers load models by name only (the embedded inception_v3, or a catalogue or cached model name).`);
  }
  return spec.replace(/^embedded:/, '');
}

export async function modelFingerprint(spec: string): Promise<ModelRef> {
  const id = farmModelId(spec);
  const files = await loadModelFiles(id);
  const hash = createHash('sha256');
  hash.update(JSON.stringify(files.modelTopology));
  hash.update(JSON.stringify(files.weightSpecs));
  hash.update(new Uint8Array(files.weightData));
  return { id, sha256: hash.digest('hex') };
}
