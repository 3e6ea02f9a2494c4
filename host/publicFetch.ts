// The only way the host fetches a URL a page gave it (models.probe, models.add): public addresses
// only. Every hop (the first request and each redirect) is checked on the address it actually
// connects to, after DNS resolution, so a name that resolves to 127.0.0.1, a private range or a
// link-local address (cloud metadata at 169.254.169.254) is refused before any byte is sent.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { Readable } from 'node:stream';

export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Not reachable from the internet, or not a single host: private, shared, link-local, multicast, reserved. */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

export interface PublicFetchOptions {
  /** Tests serve models from 127.0.0.1: they say so here. Private and link-local ranges stay refused. */
  allowLoopback?: boolean;
  /** Redirects followed, each checked like the first request (default 5). */
  maxRedirects?: number;
  /** For tests: resolve names another way. */
  lookup?: typeof dnsLookup;
}

/** Why `address` may not be contacted, or null when it may. */
export function refusalFor(address: string, allowLoopback = false): string | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(address, family)) return allowLoopback ? null : 'a loopback address (this computer)';
  if (NOT_PUBLIC.check(address, family)) return 'a private, link-local or reserved address';
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function refusedError(host: string, why: string): RefusedAddressError {
  return new RefusedAddressError(`${host} is ${why}; Reverie only downloads models from public addresses.`);
}

/** A fetch over node:http(s) that refuses non-public addresses at connect time and on every redirect. */
export function publicFetch(opts: PublicFetchOptions = {}): typeof fetch {
  const resolveName = opts.lookup ?? dnsLookup;
  const checkedLookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolveName(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const bad = list.map((a) => refusalFor(a.address, opts.allowLoopback)).find((r) => r !== null);
      if (bad || list.length === 0) return callback(refusedError(hostname, bad ?? 'not resolvable'), []);
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };

  const once = (url: URL, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<IncomingMessage> => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new RefusedAddressError(`${url.protocol} URLs are not downloaded; use http or https.`));
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal)) {
      const why = refusalFor(literal, opts.allowLoopback);
      if (why) return Promise.reject(refusedError(url.hostname, why));
    }
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(url, { headers, lookup: checkedLookup as never, ...(signal ? { signal } : {}) }, resolve);
      req.on('error', reject);
      req.end();
    });
  };

  return async (input, init = {}) => {
    let url = new URL(input instanceof Request ? input.url : String(input));
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    const signal = init.signal ?? undefined;
    for (let hop = 0; ; hop++) {
      const res = await once(url, headers, signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        res.resume();
        if (hop >= (opts.maxRedirects ?? 5)) throw new RefusedAddressError(`${url.host} redirected more than ${opts.maxRedirects ?? 5} times.`);
        url = new URL(location, url);
        continue;
      }
      const out = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
      const body = status === 204 || status === 304 || init.method === 'HEAD' ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      return new Response(body, { status, statusText: res.statusMessage ?? '', headers: out });
    }
  };
}
