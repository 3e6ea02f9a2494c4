// Runs bad-input cases through the real `reverie` binary and checks each ended the same clean way:
// a non-zero exit, exactly one "reverie CMD: Type: message" line, no stack trace, nothing written.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { expect } from 'vitest';
import { runCli } from '../helpers/cli.ts';

export interface CliCase {
  name: string;
  args: string[];
  /** The error type the line must name (e.g. 'ImageDecodeError'). */
  error: string;
  /** What the message must say. */
  says: RegExp;
  /** Expected exit code: 2 for usage errors, 1 for the rest. */
  code?: number;
  /** Paths that must not exist afterwards (the output file or project folder). */
  absent: string[];
}

export interface Row {
  name: string;
  code: number;
  line: string;
  /** All of stderr, for failure messages. */
  stderr: string;
}

/** Runs `items` through `fn`, at most `limit` at a time, keeping their order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function runCases(cases: readonly CliCase[], limit = 2): Promise<Row[]> {
  return mapLimit(cases, limit, async (c) => {
    const r = await runCli(c.args, 240_000);
    const command = c.args[0] === 'session' ? 'session' : c.args[0];
    const line = r.stderr.split('\n').find((l) => l.startsWith(`reverie ${command}: `)) ?? '(no error line)';
    return { name: c.name, code: r.code, line, stderr: r.stderr };
  });
}

/** A fixed-width table: case → exit code → error line (cut to `width` characters). */
export function table(title: string, rows: readonly Row[], width = 150): string {
  const nameWidth = Math.max(4, ...rows.map((r) => r.name.length));
  const cut = (s: string): string => (s.length > width ? `${s.slice(0, width - 1)}…` : s);
  const lines = rows.map((r) => `${r.name.padEnd(nameWidth)}  ${String(r.code).padStart(4)}  ${cut(r.line)}`);
  return [`${title} (${rows.length} cases)`, `${'case'.padEnd(nameWidth)}  exit  first error line`, ...lines].join('\n');
}

/** Checks every case ended cleanly; `outDir` (where outputs would go) must hold no file at all. */
export async function expectClean(cases: readonly CliCase[], rows: readonly Row[], outDir: string): Promise<void> {
  cases.forEach((c, i) => {
    const r = rows[i]!;
    const why = `${c.name}\n${r.stderr}`;
    expect(r.code, why).toBe(c.code ?? 1);
    // Usage errors print as "reverie CMD: message" (then the help); the rest name their type.
    expect(r.line, why).toMatch(new RegExp(`^reverie \\w+: ${c.error === 'UsageError' ? '(UsageError: )?' : `${c.error}: `}`));
    expect(r.line, why).toMatch(c.says);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('reverie ')), why).toHaveLength(1);
    expect(r.stderr, why).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack trace
    for (const p of c.absent) expect(existsSync(p), `${c.name}: ${p} was written`).toBe(false);
  });
  expect(await readdir(outDir)).toEqual([]);
}
