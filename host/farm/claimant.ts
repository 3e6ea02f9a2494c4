// The name a resumable run's tile pool claims its steps under (farm/claims.ts): this machine and
// the project's folder. A later render of the same project, the app's Resume or the CLI's `reverie
// resume` alike, claims under the same name, so it takes over the claims a killed run left and
// removes their steps when done instead of leaving them to the keys' hour.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

export function projectClaimant(project: string): string {
  return `p${createHash('sha256').update(`${hostname()}\0${resolve(project)}`).digest('hex').slice(0, 24)}`;
}
