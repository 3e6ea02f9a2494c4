// Wall-time helpers shared by the bench scripts.
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median and minimum wall time of `fn` over `n` runs after one warm-up run (which also prepares gradient kernels). */
export async function time(n: number, fn: () => Promise<void> | void): Promise<{ median: number; min: number }> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return { median: Math.round(median(ts)), min: Math.round(Math.min(...ts)) };
}
