// Settings → Farm: the farm URL as typed, "Test connection" (reaches it without saving), saving it,
// and the saved farm's workers with their device and recent throughput, refreshed while shown.
import type { ReverieApi } from '../../contract/channels.ts';
import type { FarmStatusView } from '../../contract/farm.ts';
import type { SettingsState } from './settings.svelte.ts';
import type { Notices } from './notices.svelte.ts';

export interface FarmDeps {
  api: ReverieApi;
  notices: Notices;
  settings: SettingsState;
}

/** How often the workers list refreshes while the Farm section is on screen. */
export const FARM_REFRESH_MS = 3000;

export class FarmState {
  /** The URL as typed (applied on save). */
  url = $state('');
  insecure = $state(false);
  /** The last answer from the farm (a test or the saved farm's status). */
  status = $state<FarmStatusView | null>(null);
  /** Why the last test or refresh failed, in the host's words. */
  problem = $state<string | null>(null);
  testing = $state(false);

  constructor(private readonly deps: FarmDeps) {}

  /** The farm saved in Settings (what a dream "sent to the farm" uses). */
  get savedUrl(): string | null {
    return this.deps.settings.settings?.farmUrl ?? null;
  }

  /** Copies the saved values into the form (after settings load). */
  syncFromSettings(): void {
    const s = this.deps.settings.settings;
    this.url = s?.farmUrl ?? '';
    this.insecure = s?.farmInsecure ?? false;
  }

  async test(): Promise<void> {
    this.testing = true;
    try {
      this.status = await this.deps.api['farm.test']({ url: this.url.trim(), insecure: this.insecure });
      this.problem = null;
    } catch (err) {
      this.status = null;
      this.problem = (err as Error).message;
    } finally {
      this.testing = false;
    }
  }

  async save(): Promise<void> {
    const url = this.url.trim();
    const ok = await this.deps.settings.saveFarm(url === '' ? null : url, this.insecure);
    if (ok && url) await this.refresh();
    if (ok && !url) this.status = null;
  }

  /** The saved farm's workers now (quietly: a refresh loop must not flood notices). */
  async refresh(): Promise<void> {
    if (!this.savedUrl) return;
    try {
      this.status = await this.deps.api['farm.status']({});
      this.problem = null;
    } catch (err) {
      this.problem = (err as Error).message;
    }
  }

  /** Refreshes every FARM_REFRESH_MS until the returned function is called (the section unmounts). */
  watch(): () => void {
    void this.refresh();
    const timer = setInterval(() => void this.refresh(), FARM_REFRESH_MS);
    return () => clearInterval(timer);
  }
}

/** A worker's recent throughput in words: "12 jobs/min · 4.9 s each", or "idle". */
export function throughputText(w: { recentDone: number; recentMsPerJob: number | null; active: number }): string {
  if (w.recentDone === 0) return w.active ? 'working' : 'idle';
  const each = w.recentMsPerJob === null ? '' : ` · ${(w.recentMsPerJob / 1000).toFixed(1)} s each`;
  return `${w.recentDone} job${w.recentDone === 1 ? '' : 's'}/min${each}`;
}
