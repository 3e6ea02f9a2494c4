// The app's farm URL checked the way the CLI checks --farm (farm/url.ts), its failures turned into
// the host's typed errors (a wrong URL or an unreachable farm is the user's to fix, never a bug).
import { ReverieError } from '../../engine/shared/errors.ts';
import { FarmUnreachableError, probeFarm } from '../../farm/probe.ts';
import { FarmUrlError, parseFarmUrl, type FarmConnection } from '../../farm/url.ts';
import type { FarmStatusView } from '../../contract/farm.ts';

export class FarmSettingError extends ReverieError {
  override name = 'FarmSettingError';
}
export class FarmOfflineError extends ReverieError {
  override name = 'FarmOfflineError';
}

export function farmConnection(url: string, insecure: boolean): FarmConnection {
  try {
    return parseFarmUrl(url, insecure);
  } catch (err) {
    if (err instanceof FarmUrlError) throw new FarmSettingError(err.message, { hint: 'Settings → Farm: write redis://127.0.0.1:6379, or redis://:PASSWORD@host:6379 for another machine.' });
    throw err;
  }
}

/** PING, the server's name and the workers online; an unreachable farm is a FarmOfflineError. */
export async function farmStatus(connection: FarmConnection): Promise<FarmStatusView> {
  try {
    const probe = await probeFarm(connection);
    return {
      url: probe.display,
      server: probe.server,
      pingMs: Math.round(probe.pingMs * 10) / 10,
      workers: probe.workers.map(({ name, host, device, models, concurrency, active, done, recentDone, recentMsPerJob }) => ({ name, host, device, models, concurrency, active, done, recentDone, recentMsPerJob })),
    };
  } catch (err) {
    if (err instanceof FarmUnreachableError) throw new FarmOfflineError(err.message, { hint: 'Is redis-server running there, and is the port open to this machine?' });
    throw err;
  }
}
