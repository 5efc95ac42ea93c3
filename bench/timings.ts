// What the per-operation benchmarks (bench:remote, bench:slurm) print: a
// row of mean, median, min and max milliseconds over n runs.

export interface Summary { readonly mean: number; readonly p50: number; readonly min: number; readonly max: number; readonly n: number }

export function summary(ms: readonly number[]): Summary {
  const s = [...ms].sort((a, b) => a - b);
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: s[Math.floor(s.length / 2)] ?? NaN, min: s[0] ?? NaN, max: s.at(-1) ?? NaN, n: s.length };
}

export const row = (what: string, s: Summary): string =>
  `${what.padEnd(46)} ${s.mean.toFixed(1).padStart(8)} ${s.p50.toFixed(1).padStart(8)} ${s.min.toFixed(1).padStart(8)} ${s.max.toFixed(1).padStart(8)} ${String(s.n).padStart(4)}`;

/** How long `f` took, in ms, and what it gave. */
export async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await f();
  return [performance.now() - t, r];
}
