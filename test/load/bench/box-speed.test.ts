// The box's speed figure (load/bench/box-speed.ts): a rate of the fixed work, finite and positive,
// taken over about the time asked for.
import { describe, expect, it } from 'vitest';
import { boxSpeedKops } from '../../../load/bench/box-speed.js';

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
});
