// Settings' Farm section over the contract: test a URL before saving it, and the saved farm's
// status (workers online with their device and recent throughput) for the live list.
import type { Handlers } from '../../contract/channels.ts';
import { loadSettings } from '../../engine/settings/settings.ts';
import type { ServiceContext } from '../context.ts';
import { BadRequestError, requireObject } from '../validate.ts';
import { restoreFarmPassword } from './farmSecret.ts';

// BullMQ and ioredis load when the farm is first used, not with the app.
const farmCalls = () => import('./connection.ts');

type FarmHandlers = Pick<Handlers, 'farm.test' | 'farm.status'>;

export function farmHandlers(ctx: Pick<ServiceContext, 'configDir'>): FarmHandlers {
  return {
    'farm.test': async (request) => {
      const req = requireObject(request, 'The farm test');
      const url = req['url'];
      if (typeof url !== 'string' || url.length === 0 || url.length > 500) throw new BadRequestError('The farm URL must be 1 to 500 characters.');
      if (req['insecure'] !== undefined && typeof req['insecure'] !== 'boolean') throw new BadRequestError('"insecure" must be true or false.');
      const full = restoreFarmPassword(url, (await loadSettings(ctx.configDir)).value.farmUrl);
      const { farmConnection, farmStatus } = await farmCalls();
      return farmStatus(farmConnection(full, req['insecure'] === true));
    },
    'farm.status': async () => {
      const { farmUrl, farmInsecure } = (await loadSettings(ctx.configDir)).value;
      if (!farmUrl) return null;
      const { farmConnection, farmStatus } = await farmCalls();
      return farmStatus(farmConnection(farmUrl, farmInsecure));
    },
  };
}

/** Settings' farm URL checked before it is saved, as --farm is (a typed FarmSettingError otherwise). */
export async function checkFarmSetting(url: string | null, insecure: boolean): Promise<void> {
  if (url !== null) (await farmCalls()).farmConnection(url, insecure);
}

/** A dream's `farm` flag: the farm in Settings (checked), or undefined when not asked for. */
export async function farmFor(flag: unknown, configDir: string): Promise<{ url: string; insecure: boolean } | undefined> {
  if (flag === undefined || flag === false) return undefined;
  if (flag !== true) throw new BadRequestError('"farm" must be true or false.');
  const { farmUrl, farmInsecure } = (await loadSettings(configDir)).value;
  if (!farmUrl) throw new BadRequestError('No farm is set: add its URL in Settings → Farm first.');
  await checkFarmSetting(farmUrl, farmInsecure);
  return { url: farmUrl, insecure: farmInsecure };
}
