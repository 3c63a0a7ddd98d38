// What the bench does to the Redis it measures (load/bench/redis-admin.ts, docs/decisions/0229),
// on the test Redis, which runs the shipped deploy/redis/redis.conf (scripts/services.sh).
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { aofState, rewriteAof, rewritePercentage, unlinkPrefix } from '../../../load/bench/redis-admin.js';
import { testEnv, uniqueId } from '../../support/env.js';

const admin = new Redis(testEnv.redisUrl());
const prefix = uniqueId('radmin');

afterAll(async () => {
  await unlinkPrefix(admin, prefix);
  await admin.quit();
});

describe('the AOF as the bench reads it', () => {
  it('rewrites the AOF, waits for it and gives the child CPU and the base it wrote', async () => {
    await admin.set(`${prefix}:a`, 'x'.repeat(1000));
    const before = await aofState(admin);
    expect(before.enabled).toBe(true);
    // Two at once, as two suites sharing the Redis may ask: Redis refuses the second while the
    // first runs, and rewriteAof waits for it and asks again. Both rewrite.
    const [one, two] = await Promise.all([rewriteAof(admin), rewriteAof(admin)]);
    const after = await aofState(admin);
    expect(after.rewrites).toBeGreaterThanOrEqual(before.rewrites + 2);
    // Each base holds at least the key just written.
    for (const r of [one!, two!]) {
      expect(r.baseBytes).toBeGreaterThan(1000);
      expect(r.cpuUs).toBeGreaterThanOrEqual(0);
    }
    // What is written after a rewrite grows the file (unless yet another rewrite, of another
    // suite, restarted it in between: then it counts one more).
    const s0 = await aofState(admin);
    await admin.set(`${prefix}:b`, 'y'.repeat(1000));
    const s1 = await aofState(admin);
    if (s1.rewrites === s0.rewrites) expect(s1.sizeBytes - s0.sizeBytes).toBeGreaterThanOrEqual(1000);
    else expect(s1.rewrites).toBeGreaterThan(s0.rewrites);
  });

  it('reads the shipped rewrite threshold (deploy/redis/redis.conf: 400 %)', async () => {
    expect(await rewritePercentage(admin)).toBe(400);
  });
});

describe('unlinkPrefix', () => {
  it("removes every key under the prefix, more than one SCAN page of them, and no other's", async () => {
    const other = uniqueId('radmin-other');
    const pipe = admin.pipeline();
    for (let i = 0; i < 2_500; i++) pipe.set(`${prefix}:k${i}`, '1');
    pipe.set(`${other}:kept`, '1');
    await pipe.exec();
    await unlinkPrefix(admin, prefix);
    expect(await admin.keys(`${prefix}:*`)).toEqual([]);
    expect(await admin.get(`${other}:kept`)).toBe('1');
    await admin.del(`${other}:kept`);
  });
});
