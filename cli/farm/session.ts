// Opens where a farm-capable command's jobs run: on the farm named by --farm / $REVERIE_FARM (only
// the model's fingerprint is needed here), else locally on a model loaded in this process.
import { initBackend, type BackendChoice } from '../../engine/backend.ts';
import type { DreamModel } from '../../engine/shared/model.ts';
import type { ModelRef } from '../../farm/kinds.ts';
import { jobHandlers } from './handlers.ts';
import { loadFarmModel, modelFingerprint } from './model.ts';
import { farmChoice, farmRunner, localRunner, type TaskRunner } from './runner.ts';

export interface JobSession {
  ref: ModelRef;
  runner: TaskRunner;
  backend: string;
  /** Loaded locally (always for local runs; farm runs load it only when asked to, e.g. for layer shapes). */
  model: DreamModel | undefined;
  close(): Promise<void>;
}

export async function openJobSession(values: { farm?: string | undefined; 'farm-insecure'?: boolean | undefined; backend?: string | undefined }, modelSpec: string, options: { needModel?: boolean } = {}): Promise<JobSession> {
  const farm = farmChoice(values);
  const backend = await initBackend((values.backend ?? 'auto') as BackendChoice);
  if (farm) {
    const loaded = options.needModel ? await loadFarmModel(modelSpec) : undefined;
    const ref = loaded?.ref ?? (await modelFingerprint(modelSpec));
    const runner = farmRunner(farm.url, farm.insecure, ref);
    return { ref, runner, backend, model: loaded?.model, close: async () => { await runner.close(); loaded?.model.dispose(); } };
  }
  const { ref, model } = await loadFarmModel(modelSpec);
  return { ref, runner: localRunner(jobHandlers(model, ref)), backend, model, close: async () => model.dispose() };
}
