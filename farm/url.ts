// Farm URLs: redis:// (optionally with a password) and rediss:// (TLS). A farm reachable beyond this
// machine without a password is anyone's farm, so it is refused unless the user says so explicitly.
import type { RedisOptions } from 'bullmq';

export class FarmUrlError extends Error {
  override name = 'FarmUrlError';
}

export interface FarmConnection {
  /** The URL with any password replaced by ***, for messages and logs. */
  display: string;
  options: RedisOptions;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Parses and checks a farm URL; `allowInsecure` is the user's explicit --farm-insecure flag. */
export function parseFarmUrl(text: string, allowInsecure = false): FarmConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FarmUrlError(`"${text}" is not a URL; write e.g. redis://127.0.0.1:6379 or rediss://:PASSWORD@farm.example:6380.`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new FarmUrlError(`Farm URLs start with redis:// or rediss:// (TLS), got "${url.protocol}//".`);
  const host = url.hostname;
  if (!host) throw new FarmUrlError(`The farm URL "${text}" names no host.`);
  const password = decodeURIComponent(url.password);
  const username = decodeURIComponent(url.username);
  const display = password ? text.replace(`:${url.password}@`, ':***@') : text;
  if (!password && !isLoopbackHost(host) && !allowInsecure) {
    throw new FarmUrlError(`${display} is not on this machine and has no password: anyone who reaches it could feed your workers. Add a password (redis://:PASSWORD@${host}:${url.port || 6379}), or pass --farm-insecure if the network is yours alone.`);
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new FarmUrlError(`The database in "${display}" must be a whole number, e.g. redis://host:6379/0.`);
  const options: RedisOptions = {
    host: host.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 6379,
    db,
    // BullMQ's workers block on Redis; it requires retries to be left to it.
    maxRetriesPerRequest: null,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
  return { display, options };
}
