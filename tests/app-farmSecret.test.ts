// The farm's Redis password stays on the host: Settings shows the saved URL masked, a masked URL sent
// back keeps the saved password (save and "Test connection" both reach a real password-protected
// redis-server with it), a masked URL for another server is refused, and settings.json is owner-only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startRedis, type TestRedis } from './helpers/redis.ts';
import { PASSWORD_MASK, hideFarmPassword, restoreFarmPassword } from '../host/farm/farmSecret.ts';
import type { Service } from '../host/service.ts';
import { tempDir, testService } from './appHelpers.ts';

let redis: TestRedis;
let service: Service;
let dataDir: string;
beforeAll(async () => {
  redis = await startRedis({ password: 'pa55:word/é' });
  dataDir = await tempDir('farm-secret');
  service = testService(dataDir);
});
afterAll(async () => {
  await service?.close();
  await redis?.stop();
});

describe('the farm password', () => {
  it('is masked, and only a URL with a password changes', () => {
    expect(hideFarmPassword('redis://:hunter2@10.0.0.5:6379')).toBe(`redis://:${PASSWORD_MASK}@10.0.0.5:6379`);
    expect(hideFarmPassword('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(hideFarmPassword(null)).toBeNull();
    expect(restoreFarmPassword('redis://:typed@10.0.0.5:6379', 'redis://:old@10.0.0.5:6379')).toBe('redis://:typed@10.0.0.5:6379');
    expect(() => restoreFarmPassword(`redis://:${PASSWORD_MASK}@10.0.0.6:6379`, 'redis://:old@10.0.0.5:6379')).toThrow(/type the password again/);
    expect(() => restoreFarmPassword(`redis://:${PASSWORD_MASK}@10.0.0.5:6379`, null)).toThrow(/type the password again/);
  });

  it('never reaches the page, yet saving and testing the masked URL use the saved one', async () => {
    const saved = await service.handlers['settings.update']({ farmUrl: redis.url });
    expect(saved.settings.farmUrl).not.toContain('pa55');
    const shown = (await service.handlers['settings.get']({})).settings.farmUrl!;
    expect(shown).toBe(`redis://:${PASSWORD_MASK}@127.0.0.1:${redis.port}`);

    // The page sends back what it was shown: the real redis-server accepts the saved password.
    const status = await service.handlers['farm.test']({ url: shown });
    expect(status.pingMs).toBeGreaterThanOrEqual(0);
    await service.handlers['settings.update']({ farmUrl: shown, farmInsecure: false });
    const file = join(dataDir, 'config', 'settings.json');
    expect(JSON.parse(await readFile(file, 'utf8')).farmUrl).toBe(redis.url);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // A wrong password typed in clear is tried as typed, and the server refuses it.
    await expect(service.handlers['farm.test']({ url: `redis://:wrong@127.0.0.1:${redis.port}` })).rejects.toThrow();
    await expect(service.handlers['settings.update']({ farmUrl: `redis://:${PASSWORD_MASK}@127.0.0.2:${redis.port}` })).rejects.toMatchObject({ name: 'BadRequestError' });
    expect(JSON.parse(await readFile(file, 'utf8')).farmUrl).toBe(redis.url);
  });
});
