// Preloaded into the gateway process the bench starts (`node --import tsx --import
// load/bench/gc-probe.ts gateway/src/main.ts`), never by production: sums the gateway's GC
// pauses from PerformanceObserver 'gc' entries (no --expose-gc, no code change in the gateway)
// and, on SIGUSR2, writes the running total to ONECARD_BENCH_GC_FILE for the bench to read.
import { writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

const file = process.env.ONECARD_BENCH_GC_FILE;
if (file) {
  let gcMs = 0;
  let count = 0;
  let reply = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      count++;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    // reply: the bench waits for a number it has not seen, so it never reads a stale total.
    writeFileSync(file, JSON.stringify({ reply: ++reply, gcMs, count }));
  });
}
