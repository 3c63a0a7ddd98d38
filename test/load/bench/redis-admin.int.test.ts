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
    const rewrite = await rewriteAof(admin);
    const after = await aofState(admin);
    expect(after.rewrites).toBeGreaterThan(before.rewrites);
    // The base holds at least the key just written.
    expect(rewrite!.baseBytes).toBeGreaterThan(1000);
    expect(rewrite!.baseBytes).toBe(after.baseBytes);
    expect(rewrite!.cpuUs).toBeGreaterThanOrEqual(0);
    // What is written after the rewrite grows the file past its base.
    await admin.set(`${prefix}:b`, 'y'.repeat(1000));
    expect((await aofState(admin)).sizeBytes).toBeGreaterThan(after.baseBytes + 1000);
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
