// The farm's password never goes back to the page: Settings shows the URL with the password masked,
// and a URL that comes back still masked means "keep the saved password" for the same server and
// user. A page, extension or screenshot then never holds the Redis password in clear.
import { BadRequestError } from '../validate.ts';

export const PASSWORD_MASK = '********';

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null; // the farm URL check names what is wrong with it
  }
}

/** The URL as the page may see it: the password, if any, replaced by the mask. */
export function hideFarmPassword(url: string | null): string | null {
  const u = url === null ? null : parse(url);
  if (!u || u.password === '') return url;
  u.password = PASSWORD_MASK;
  return u.toString();
}

/** A URL from the page with the saved password put back where the page sent the mask. */
export function restoreFarmPassword(url: string, saved: string | null): string {
  const u = parse(url);
  if (!u || decodeURIComponent(u.password) !== PASSWORD_MASK) return url;
  const s = saved === null ? null : parse(saved);
  const same = s && s.protocol === u.protocol && s.host === u.host && s.username === u.username && s.password !== '';
  if (!same) throw new BadRequestError('The farm URL has a masked password but is not the saved farm: type the password again.');
  u.password = s.password;
  return u.toString();
}
