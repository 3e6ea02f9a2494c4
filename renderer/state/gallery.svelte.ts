// The gallery: every persisted dream, zoom project and session, newest first, with delete behind a
// confirmation.
import type { ReverieApi } from '../../contract/channels.ts';
import type { GalleryEntry } from '../../contract/types.ts';
import type { Notices } from './notices.svelte.ts';

export class GalleryState {
  items = $state<GalleryEntry[]>([]);
  loaded = $state(false);
  loading = $state(false);
  /** The item whose delete button was pressed once and awaits confirmation. */
  confirming = $state<string | null>(null);

  constructor(
    private readonly api: ReverieApi,
    private readonly notices: Notices,
  ) {}

  async refresh(): Promise<void> {
    this.loading = true;
    try {
      this.items = await this.api['gallery.list']({});
      this.loaded = true;
      this.notices.resolve('Could not read the gallery');
    } catch (err) {
      this.notices.error(err, 'Could not read the gallery');
    } finally {
      this.loading = false;
    }
  }

  askDelete(id: string): void {
    this.confirming = id;
  }

  keep(): void {
    this.confirming = null;
  }

  async remove(id: string): Promise<void> {
    this.confirming = null;
    try {
      const { deleted } = await this.api['gallery.delete']({ id });
      this.items = this.items.filter((i) => i.id !== id);
      if (!deleted) this.notices.push('info', 'Already gone', 'That result had already been deleted.');
    } catch (err) {
      this.notices.error(err, 'Could not delete');
    }
  }
}
