import { describe, expect, it } from 'vitest';
import { FarmUrlError, parseFarmUrl } from './url.ts';

describe('farm URLs', () => {
  it('takes loopback without a password, with host, port and database', () => {
    const c = parseFarmUrl('redis://127.0.0.1:6390/2');
    expect(c.options).toMatchObject({ host: '127.0.0.1', port: 6390, db: 2, maxRetriesPerRequest: null });
    expect(c.options.password).toBeUndefined();
    expect(parseFarmUrl('redis://localhost').options.port).toBe(6379);
    expect(parseFarmUrl('redis://[::1]:7000').options.host).toBe('::1');
  });

  it('refuses a farm beyond this machine without a password, unless told to', () => {
    expect(() => parseFarmUrl('redis://10.0.0.5:6379')).toThrow(FarmUrlError);
    expect(() => parseFarmUrl('redis://10.0.0.5:6379')).toThrow(/--farm-insecure/);
    expect(parseFarmUrl('redis://10.0.0.5:6379', true).options.host).toBe('10.0.0.5');
  });

  it('passes passwords (and users) and hides them in messages; rediss:// turns on TLS', () => {
    const c = parseFarmUrl('rediss://farm:s3cr%40t@render.example:6380');
    expect(c.options).toMatchObject({ host: 'render.example', port: 6380, username: 'farm', password: 's3cr@t', tls: { servername: 'render.example' } });
    expect(c.display).not.toContain('s3cr');
    expect(c.display).toContain('***');
    expect(parseFarmUrl('redis://:pw@10.0.0.5').options.tls).toBeUndefined();
  });

  it('refuses what is not a Redis URL', () => {
    expect(() => parseFarmUrl('http://127.0.0.1:6379')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => parseFarmUrl('not a url')).toThrow(FarmUrlError);
    expect(() => parseFarmUrl('redis://127.0.0.1/x')).toThrow(/database/);
  });
});
