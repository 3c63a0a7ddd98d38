// How fast this box is right now, two ways, taken around the city's max-rate run. The bench machine
// is a 2-core VM whose speed moves with its host, with nothing else of ours on it:
// - one thread's compute: SHA-256 of a short string and a small object per operation, thousands
//   of operations a second (the same loop took 505–1,029 ms within one minute, 2026-12-06);
// - round trips between two processes: Redis PINGs one at a time, a second. A tap crosses
//   processes several times (device, broker, gateway, Redis, Kafka), and each crossing wakes one
//   up: in the full run of 2026-12-06 compute was at its usual speed while one-at-a-time EVALSHA
//   fell from 13,522/s to 8,182/s, and every µs-a-tap figure of the city run doubled with it.
// A reader sets two runs side by side by these; only runs alike in both compare a few percent.
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
  // The sum is used, so the hashing is not optimised away (the objects are kept in `keep`).
  if (sink < 0) throw new Error('unreachable');
  return ops / elapsed;
}

/** Round trips a second to Redis over `ms` milliseconds, one PING at a time (measured now). */
export async function roundTripsPerS(redis: { ping(): Promise<string> }, ms = 250): Promise<number> {
  let n = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    await redis.ping();
    n++;
    elapsed = performance.now() - started;
  }
  return (n * 1000) / elapsed;
}
