// Inspect → Atlas: the atlas folders (made by `reverie atlas`, locally or on a farm) in the data
// folder or opened from anywhere, one opened for browsing: layer navigation, search by channel, a
// picked channel.
import type { ReverieApi } from '../../contract/channels.ts';
import type { AtlasChannel, AtlasSummary, AtlasView } from '../../contract/farm.ts';
import type { Notices } from './notices.svelte.ts';

export interface AtlasDeps {
  api: ReverieApi;
  notices: Notices;
  /** The desktop app opens folders with its native dialog; a browser page takes a typed path. */
  desktop(): boolean;
}

export class AtlasState {
  list = $state<AtlasSummary[]>([]);
  open = $state<AtlasView | null>(null);
  layer = $state<string | null>(null);
  /** "12", "mixed4:97" or a layer name: what the grid shows. */
  search = $state('');
  picked = $state<{ layer: string; channel: AtlasChannel } | null>(null);
  /** Inspect shows the atlas browser instead of the live channel grid. */
  active = $state(false);

  /** Browser mode: the atlas folder's path as typed. */
  path = $state('');

  constructor(private readonly deps: AtlasDeps) {}

  get desktop(): boolean {
    return this.deps.desktop();
  }

  /** Opens an atlas folder from anywhere (the dialog's, or the typed path), lists it and browses it. */
  async openFolder(): Promise<void> {
    try {
      let path = this.path.trim();
      if (this.deps.desktop()) {
        const picked = await this.deps.api['dialog.openAtlasFolder']({});
        if (!picked) return;
        path = picked.path;
      }
      if (!path) return;
      const added = await this.deps.api['atlas.add']({ path });
      this.deps.notices.resolve('Could not open the atlas folder');
      this.path = '';
      await this.refresh();
      await this.choose(added.id);
    } catch (err) {
      this.deps.notices.error(err, 'Could not open the atlas folder');
    }
  }

  /** Switches Inspect to the atlas browser (listing the atlases) or back. */
  async show(on: boolean): Promise<void> {
    this.active = on;
    if (on) await this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.list = await this.deps.api['atlas.list']({});
    } catch (err) {
      this.deps.notices.error(err, 'Could not list the atlases');
    }
  }

  async choose(id: string): Promise<void> {
    try {
      this.open = await this.deps.api['atlas.open']({ id });
      this.layer = this.open.layerList[0]?.name ?? null;
      this.search = '';
      this.picked = null;
    } catch (err) {
      this.deps.notices.error(err, 'Could not open the atlas');
    }
  }

  close(): void {
    this.open = null;
    this.picked = null;
  }

  /** The channels on screen: the current layer's, narrowed by the search. */
  get shown(): Array<{ layer: string; channel: AtlasChannel }> {
    return atlasMatches(this.open, this.layer, this.search);
  }
}

/** Search as the atlas's own index.html does: "mixed4:97" (any layer), "97" or "mixed4" (this layer's). */
export function atlasMatches(view: AtlasView | null, layer: string | null, search: string): Array<{ layer: string; channel: AtlasChannel }> {
  if (!view) return [];
  const term = search.trim().toLowerCase();
  const pair = /^([\w.:+-]+):(\d+)$/.exec(term);
  if (pair) {
    const l = view.layerList.find((x) => x.name.toLowerCase() === pair[1]);
    const c = l?.channels.find((x) => x.channel === Number(pair[2]));
    return l && c ? [{ layer: l.name, channel: c }] : [];
  }
  const current = view.layerList.find((l) => l.name === layer);
  if (!current) return [];
  const all = current.channels.map((channel) => ({ layer: current.name, channel }));
  if (term === '' || term === current.name.toLowerCase()) return all;
  return all.filter((x) => String(x.channel.channel).startsWith(term));
}
