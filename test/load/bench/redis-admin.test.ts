// The AOF rewrite's cost a tap in steady traffic (load/bench/redis-admin.ts, docs/decisions/0229):
// a rewrite comes every base × percentage / 100 bytes of AOF growth and costs its CPU per base
// byte, so a tap pays rewriteUsPerByte × aofBytesPerTap × 100 / percentage.
import { describe, expect, it } from 'vitest';
import { rewriteUsPerTap } from '../../../load/bench/redis-admin.js';

describe('rewriteUsPerTap', () => {
  it.each([
    // 0.9 s for a 117 MB base, 476 bytes a tap (measured, 0229)
    { rewriteCpuUs: 900_000, baseBytes: 117e6, aofBytesPerTap: 476, percentage: 100, us: 3.66 },
    { rewriteCpuUs: 900_000, baseBytes: 117e6, aofBytesPerTap: 476, percentage: 400, us: 0.92 },
    // the dataset's size cancels out: twice the base, twice the CPU, the same a tap
    { rewriteCpuUs: 1_800_000, baseBytes: 234e6, aofBytesPerTap: 476, percentage: 400, us: 0.92 },
    // twice the bytes a tap, twice the cost
    { rewriteCpuUs: 900_000, baseBytes: 117e6, aofBytesPerTap: 952, percentage: 400, us: 1.83 },
    // Redis never rewrites on its own (the file grows without end): no rewrite to pay for
    { rewriteCpuUs: 900_000, baseBytes: 117e6, aofBytesPerTap: 476, percentage: 0, us: 0 },
    // nothing written: nothing to divide by
    { rewriteCpuUs: 0, baseBytes: 0, aofBytesPerTap: 476, percentage: 400, us: 0 },
  ])('$rewriteCpuUs µs for $baseBytes B, $aofBytesPerTap B a tap at $percentage %: $us µs a tap', (c) => {
    expect(rewriteUsPerTap(c)).toBeCloseTo(c.us, 2);
  });
});
