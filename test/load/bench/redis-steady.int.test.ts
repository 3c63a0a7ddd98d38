// The bench's steady-state figure (load/bench/redis-steady.ts, docs/decisions/0206) against a
// real Redis with tiny counts: the store as the gateway opens it with the PostgreSQL history
// leaves the same keys and bytes after N taps as after 2N once the window is full, and the same
// run with records kept grows by every tap, so the figure can fail. The assertions weigh the
// run's own keys (MEMORY USAGE under its prefix): used_memory is server-wide, and other suites
// share this Redis while the tests run.
import { describe, expect, it } from 'vitest';
import { redisSteadyBench } from '../../../load/bench/redis-steady.js';
import { testEnv } from '../../support/env.js';

// One batch of 128 taps (one block of claims, 0220) a device a day.
const tiny = { taps: 7_680, days: 12, devices: 5, cards: 200, windowDays: 2 };

describe('bench: Redis per tap once the dedupe window is full', () => {
  it('reports flat memory with the store opened as with the PostgreSQL history (no records)', async () => {
    const r = await redisSteadyBench({ redisUrl: testEnv.redisUrl(), ...tiny });
    expect(r.redis_steady_taps).toBe(7_680);
    expect(Number.isFinite(r.redis_bytes_per_tap_steady)).toBe(true);
    expect(r.redis_steady_keys_at_2n).toBe(r.redis_steady_keys_at_n);
    // Numbers in the day buckets may gain a digit; nothing grows with the taps.
    expect(Math.abs(r.redis_key_bytes_per_tap_steady!)).toBeLessThan(2);
  });

  it('shows the growth when the store keeps records, indexes and counters', async () => {
    const r = await redisSteadyBench({ redisUrl: testEnv.redisUrl(), ...tiny, keepRecords: true });
    expect(r.redis_key_bytes_per_tap_steady).toBeGreaterThan(200);
    expect(r.redis_steady_keys_at_2n).toBeGreaterThan(r.redis_steady_keys_at_n!);
  });

  it('refuses days too few for the window to fill before the first half ends', async () => {
    await expect(redisSteadyBench({ redisUrl: testEnv.redisUrl(), ...tiny, days: 8 })).rejects.toThrow(
      /must outlast a bucket's 4 days/,
    );
  });
});
