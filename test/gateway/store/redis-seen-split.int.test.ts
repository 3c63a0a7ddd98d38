// Tap dedupe day buckets split into sub-buckets (docs/decisions/0222), on a real Redis: each stays
// a listpack, a resend meets its entry, a day's count is fixed at its first commit whatever a
// later gateway is configured with, and the days an upgrade may have old entries in keep one
// bucket. Time is passed in.
import { describe, expect, it } from 'vitest';
import { DAY_MS, dedupeDay } from '../../../core/dedupe-window.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import {
  MAX_SUB_BUCKETS,
  SUB_BUCKET_ENTRIES,
  subBucketOf,
  subBucketsFor,
} from '../../../gateway/src/store/redis-seen-split.js';
import { testEnv } from '../../support/env.js';
import { redisSuite } from '../../support/redis-suite.js';
import { issue, load, planRun, T0, tap, token } from './fixtures.js';

const E1 = '0123456789abcdef';
const suite = redisSuite();

const open = (tapsPerPartitionDay: number) =>
  openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix, tapsPerPartitionDay, now: T0 });

describe('sub-buckets of a day (pure)', () => {
  it('are sized for ~64 entries each, one when unset, bounded, and refuse a count that is not whole', () => {
    expect(subBucketsFor(0)).toBe(1);
    expect(subBucketsFor(64)).toBe(1);
    expect(subBucketsFor(65)).toBe(2);
    expect(subBucketsFor(1_375_000)).toBe(Math.ceil(1_375_000 / SUB_BUCKET_ENTRIES));
    expect(subBucketsFor(1e12)).toBe(MAX_SUB_BUCKETS);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => subBucketsFor(bad)).toThrow(/a whole number ≥ 0/);
  });

  it("put a device's block of 128 seqs in one sub-bucket, and spread blocks and devices evenly", () => {
    const of = (device: string, seq: number) => subBucketOf(`tap:${device}:${E1}:${seq}`, 100);
    expect(new Set(Array.from({ length: 128 }, (_, i) => of('bus-1', 128 + i))).size).toBe(1);
    expect(subBucketOf(`tap:bus-1:${E1}:5`, 1)).toBe(-1);
    const counts = new Array<number>(100).fill(0);
    for (let d = 0; d < 100; d++) for (let b = 0; b < 100; b++) counts[of(`bus-${d}`, b * 128)]!++;
    // 10,000 blocks over 100 sub-buckets: ~100 each (a binomial's spread is ~10).
    expect(Math.min(...counts)).toBeGreaterThan(55);
    expect(Math.max(...counts)).toBeLessThan(145);
  });
});

describe('Redis store: tap dedupe sub-buckets', () => {
  it("keeps a day's taps in listpack sub-buckets and answers each resend from its own", async () => {
    const store = await open(640);
    const keys = new RedisKeys(suite.prefix, 16);
    try {
      // 16 cards, one a partition; 2,000 taps of 4 devices in batches of 100 seqs.
      const cards = new Map<string, Awaited<ReturnType<typeof issue>>>();
      for (let n = 0; n < 16; n++) cards.set(token(n), await issue(store, n, 10_000_000));
      const taps = Array.from({ length: 2_000 }, (_, i) =>
        tap({
          cardToken: token(i % 16),
          seq: Math.floor(i / 4) + 1,
          deviceId: `bus-${i % 4}`,
          epoch: E1,
          deviceTimeMs: T0 + i,
        }),
      );
      for (let from = 0; from < taps.length; from += 100) {
        const batch = taps.slice(from, from + 100);
        const now = new Map<string, Awaited<ReturnType<typeof issue>>>();
        for (const t of batch) now.set(t.cardToken, await load(store, t.cardToken));
        const outcomes = await store.commit(planRun(now, batch));
        expect(outcomes.every((o) => o.status === 'applied')).toBe(true);
      }
      const day = dedupeDay(T0);
      // 640 taps a partition a day: 10 sub-buckets, fixed for the day.
      expect(await suite.admin.get(keys.seenSplit(day))).toBe('10');
      expect(await suite.admin.ttl(keys.seenSplit(day))).toBeGreaterThan(30 * 86_400);
      const buckets = await suite.admin.keys(`${suite.prefix}:{p*}:seen:${day}:*`);
      expect(buckets.length).toBeGreaterThan(16);
      let entries = 0;
      for (const b of buckets) {
        expect(await suite.admin.object('ENCODING', b)).toBe('listpack');
        expect(await suite.admin.ttl(b)).toBeGreaterThan(30 * 86_400);
        entries += await suite.admin.hlen(b);
      }
      expect(entries).toBe(2_000);
      expect(await suite.admin.exists(keys.seenOn(0, day))).toBe(0);
      // Every tap resent: a duplicate, nothing charged twice.
      const before = await Promise.all([...cards.keys()].map((t) => load(store, t)));
      const now = new Map(before.map((c) => [c.token, c]));
      const again = await store.commit(planRun(now, taps.slice(0, 100)));
      expect(again.every((o) => o.status === 'duplicate')).toBe(true);
      const t = taps[1_234]!;
      expect(
        await store.committedResult(t.cardToken, `tap:${t.deviceId}:${E1}:${t.seq}`, t.deviceTimeMs),
      ).toMatchObject({ outcome: 'charged' });
      expect(await Promise.all([...cards.keys()].map((c) => load(store, c)))).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it("keeps a day's count once fixed, whatever a later gateway is configured with; its own counts from a new day", async () => {
    const keys = new RedisKeys(suite.prefix, 16);
    const first = await open(640);
    const card = await issue(first, 1, 1_000);
    const day1 = tap({ cardToken: token(1), seq: 1, epoch: E1 });
    expect((await first.commit(planRun(new Map([[token(1), card]]), [day1])))[0]!.status).toBe('applied');
    await first.close();
    expect(await suite.admin.get(keys.seenSplit(dedupeDay(T0)))).toBe('10');
    // A gateway configured for ten times the taps: T0's day keeps 10, so the resend is found.
    const second = await open(6_400);
    try {
      const now = await load(second, token(1));
      expect((await second.commit(planRun(new Map([[token(1), now]]), [day1])))[0]!.status).toBe('duplicate');
      const day2 = tap({ cardToken: token(1), seq: 2, epoch: E1, deviceTimeMs: T0 + DAY_MS });
      expect((await second.commit(planRun(new Map([[token(1), now]]), [day2])))[0]!.status).toBe('applied');
      expect(await suite.admin.get(keys.seenSplit(dedupeDay(T0) + 1))).toBe('100');
      expect((await load(second, token(1))).balanceFen).toBe(600);
    } finally {
      await second.close();
    }
  });

  it('keeps one bucket for the days an upgraded store may hold entries of before 0222 in', async () => {
    const keys = new RedisKeys(suite.prefix, 16);
    const created = await open(640);
    const card = await issue(created, 1, 1_000);
    await created.close();
    // The store is older than 0222: the upgrade is dated T0's day + 2.
    await suite.admin.set(keys.tapFieldsSince(), String(dedupeDay(T0) + 2));
    const store = await open(640);
    try {
      const t = tap({ cardToken: token(1), seq: 1, epoch: E1 });
      expect((await store.commit(planRun(new Map([[token(1), card]]), [t])))[0]!.status).toBe('applied');
      expect(await suite.admin.hlen(keys.seenOn(keys.partitionOf(token(1)), dedupeDay(T0)))).toBe(1);
      expect(await suite.admin.exists(keys.seenSplit(dedupeDay(T0)))).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('refuses to commit a tap of a day whose count in Redis is not one: nothing written', async () => {
    const keys = new RedisKeys(suite.prefix, 16);
    const store = await open(640);
    try {
      const card = await issue(store, 1, 1_000);
      for (const bad of ['0', 'x', '1.5', String(MAX_SUB_BUCKETS + 1)]) {
        await suite.admin.set(keys.seenSplit(dedupeDay(T0)), bad);
        await expect(
          store.commit(
            planRun(new Map([[token(1), card]]), [tap({ cardToken: token(1), seq: 1, epoch: E1 })]),
          ),
        ).rejects.toThrow(/holds no sub-bucket count/);
      }
      expect(await suite.admin.keys(`${suite.prefix}:*seen:*`)).toEqual([]);
      expect((await load(store, token(1))).balanceFen).toBe(1_000);
    } finally {
      await store.close();
    }
  });
});
