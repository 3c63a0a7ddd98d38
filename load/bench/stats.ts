// Small helpers for the benchmarks: percentiles and a progress line on stderr.

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Long-running steps show progress: one line on stderr, rewritten in a terminal. */
export function progress(label: string): (done: number, total: number) => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < 1000 && done < total) return;
    last = now;
    const line = `  ${label}: ${Math.min(100, Math.round((done / total) * 100))}% (${done}/${total})`;
    process.stderr.write(tty ? `\r${line}${done >= total ? '\n' : ''}` : `${line}\n`);
  };
}
