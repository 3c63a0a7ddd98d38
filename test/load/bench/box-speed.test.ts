// The box's speed figure (load/bench/box-speed.ts): a rate of the fixed work, finite and positive,
// taken over about the time asked for.
import { describe, expect, it } from 'vitest';
import { boxSpeedKops, roundTripsPerS } from '../../../load/bench/box-speed.js';

describe('bench: box speed', () => {
  it('gives thousands of operations a second of the fixed work', () => {
    const started = performance.now();
    const kops = boxSpeedKops(50);
    const took = performance.now() - started;
    expect(Number.isFinite(kops)).toBe(true);
    expect(kops).toBeGreaterThan(0);
    // It runs until the time asked for has passed, and stops soon after (whole rounds of 1,000).
    expect(took).toBeGreaterThanOrEqual(50);
  });

  it('counts round trips one at a time: the next ping waits for the answer of the last', async () => {
    let inFlight = 0;
    let most = 0;
    // A peer that answers after a macrotask, like a socket's reply would.
    const peer = {
      ping: () => {
        inFlight++;
        most = Math.max(most, inFlight);
        return new Promise<string>((r) =>
          setImmediate(() => {
            inFlight--;
            r('PONG');
          }),
        );
      },
    };
    const perS = await roundTripsPerS(peer, 20);
    expect(most).toBe(1);
    expect(perS).toBeGreaterThan(0);
  });
});
