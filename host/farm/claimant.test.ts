// A project's claimant is the same name however its folder is written, and another project's differs.
import { describe, expect, it } from 'vitest';
import { join, relative } from 'node:path';
import { projectClaimant } from './claimant.ts';

describe('projectClaimant', () => {
  it('names a project by its resolved folder on this machine', () => {
    const dir = join(process.cwd(), 'some', 'project');
    const name = projectClaimant(dir);
    expect(name).toMatch(/^p[0-9a-f]{24}$/);
    expect(projectClaimant(relative(process.cwd(), dir))).toBe(name);
    expect(projectClaimant(`${dir}/`)).toBe(name);
    expect(projectClaimant(join(dir, '..', 'other'))).not.toBe(name);
  });
});
