// A zoom's short preview: a few frames at a small size in a scratch folder, not kept, shown as
// they land, so settings can be judged before a long render.
import type { ReverieApi } from '../../contract/channels.ts';
import type { ZoomCreateRequest } from '../../contract/projects.ts';
import { JobFollower } from './job.svelte.ts';
import type { Notices } from './notices.svelte.ts';

export class ZoomPreview {
  side = $state(160);
  count = $state(3);
  /** The last finished preview's frames. */
  done = $state<string[]>([]);
  readonly job: JobFollower;

  constructor(private readonly deps: { api: ReverieApi; notices: Notices }) {
    this.job = new JobFollower(
      { done: ({ frames }) => (this.done = frames ?? []), failed: (error) => deps.notices.failure(error, 'The preview failed'), cancelled: () => undefined },
      (jobId) => deps.api['job.cancel']({ jobId }),
    );
  }

  /** Frames to show: a running preview's as they land, else the last one's. */
  get frames(): string[] {
    return this.job.busy ? this.job.frames : this.done;
  }

  async start(request: Omit<ZoomCreateRequest, 'maxSide'>): Promise<void> {
    const settings = { ...request.settings, frames: this.count };
    this.deps.notices.resolve('The preview failed', 'Could not start the preview');
    await this.job
      .start(() => this.deps.api['zoom.preview']({ ...request, settings, maxSide: this.side }))
      .catch((err: unknown) => this.deps.notices.error(err, 'Could not start the preview'));
  }
}
