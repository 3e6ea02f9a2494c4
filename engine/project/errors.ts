// Typed failures for project folders; each says what happened and what the user can run next.
import { ReverieError } from '../shared/errors.ts';

export class ProjectError extends ReverieError {
  override name = 'ProjectError';
  constructor(
    readonly dir: string,
    message: string,
  ) {
    super(`${dir} — ${message}`);
  }
}

/** manifest.json is absent, not JSON, or not a manifest this version of Reverie reads. */
export class ManifestError extends ProjectError {
  override name = 'ManifestError';
}

/** Frames the manifest lists as done are gone (or changed) on disk. */
export class MissingFrameError extends ProjectError {
  override name = 'MissingFrameError';
  constructor(
    dir: string,
    /** Output frame indices that are missing or do not match the manifest. */
    readonly missing: readonly number[],
    /** The last frame before the first gap from which the run can be re-rendered, or -1 (from the input). */
    readonly lastIntact: number,
    detail: string,
  ) {
    super(dir, detail);
  }
}

/** Another live process is writing this project. */
export class ProjectBusyError extends ProjectError {
  override name = 'ProjectBusyError';
}
