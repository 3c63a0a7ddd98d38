// How fast this box runs a fixed piece of the gateway's kind of work right now: SHA-256 of a short
// string and a small object per operation, on one thread, in thousands of operations a second.
// The bench machine is a 2-core VM whose speed moves by up to 2× from one minute to the next with
// nothing else on it (the same loop took 505–1,029 ms within one minute, 2026-12-06), so every
// µs-a-tap figure moves with it; this figure, taken around the city's max-rate run, says how fast
// the box was while that run's figures were taken (a reader compares runs by it).
import { hash } from 'node:crypto';

/** Thousands of operations a second over `ms` milliseconds of the fixed work (measured now). */
export function boxSpeedKops(ms = 250): number {
  const keep: Array<{ n: number; s: string } | undefined> = new Array(1024);
  let ops = 0;
  let sink = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 1000; i++, ops++) {
      const s = `tap:device-0001:0123456789abcdef:${ops}`;
      sink += hash('sha256', s, 'hex').charCodeAt(0);
      keep[ops & 1023] = { n: ops, s };
    }
    elapsed = performance.now() - started;
  }
  if (sink < 0 || keep.length !== 1024)
    throw new Error('unreachable: keeps the work from being optimised away');
  return ops / elapsed;
}
