// Loading a model for farm work: its fingerprint (host/farm/modelRef.ts, shared with the app) and
// the model itself.
import { loadDreamModel } from '../../engine/model/load.ts';
import type { DreamModel } from '../../engine/shared/model.ts';
import type { ModelRef } from '../../farm/kinds.ts';
import { modelFingerprint } from '../../host/farm/modelRef.ts';

export { FarmModelError, farmModelId, modelFingerprint } from '../../host/farm/modelRef.ts';

/** Loads a model for farm work: its fingerprint and the model itself. */
export async function loadFarmModel(spec: string): Promise<{ ref: ModelRef; model: DreamModel }> {
  const ref = await modelFingerprint(spec);
  return { ref, model: await loadDreamModel(ref.id) };
}
