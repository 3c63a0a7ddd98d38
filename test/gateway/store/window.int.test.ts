// How each store lets the dedupe window's tap keys go (docs/decisions/0196); what both promise
// is in contract-window.ts. SQLite deletes the days before the window when pruned; Redis gives
// each day bucket a TTL of the window plus two days from its last write. Time is passed in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { DAY_MS, dedupeDay } from '../../../core/dedupe-window.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { partitionOf } from '../../../gateway/src/store/redis-keys.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { issue, load, rideOf, tap, token } from './fixtures.js';

const E1 = '0123456789abcdef';
const A = 'aaaaaaaaaaaaaaaa';
const dir = mkdtempSync(join(tmpdir(), 'onecard-window-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite store: the dedupe window', () => {
  it('prunes the tap keys and claims of days before the window, and nothing else', async () => {
    const store = await openSqliteStore({ file: join(dir, `${uniqueId('w')}.db`), dedupeWindowDays: 3 });
    try {
      const card = await issue(store, 1, 1_000);
      const ride = tap({ cardToken: token(1), seq: 1, epoch: E1 });
      await store.claimTaps('bus-1', E1, [{ seq: 1, digest: A, at: ride.deviceTimeMs }]);
      await store.commit([rideOf(card, ride)]);
      // Three days of window plus the day of margin: still kept.
      expect(await store.pruneDedupe(ride.deviceTimeMs + 4 * DAY_MS)).toBe(0);
      // One day more: the key and the claim go; the mark stays.
      expect(await store.pruneDedupe(ride.deviceTimeMs + 5 * DAY_MS)).toBe(2);
      expect(await store.committedResult(token(1), `tap:bus-1:${E1}:1`, ride.deviceTimeMs)).toBeUndefined();
      expect(await store.seenBeforeWindow('bus-1', E1, [1])).toEqual([true]);
      expect((await load(store, token(1))).balanceFen).toBe(800);
    } finally {
      await store.close();
    }
  });
});

describe('Redis store: the dedupe window', () => {
  it('gives each tap day bucket of dedupe keys and claims a TTL of the window plus two days', async () => {
    const prefix = uniqueId('oc');
    const admin = new Redis(testEnv.redisUrl());
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, dedupeWindowDays: 3 });
    try {
      const card = await issue(store, 1, 1_000);
      const ride = tap({ cardToken: token(1), seq: 1, epoch: E1 });
      await store.claimTaps('bus-1', E1, [{ seq: 1, digest: A, at: ride.deviceTimeMs }]);
      await store.commit([rideOf(card, ride)]);
      const day = dedupeDay(ride.deviceTimeMs);
      const seen = `${prefix}:{p${partitionOf(token(1), 16)}}:seen:${day}`;
      const claims = `${prefix}:{d:bus-1}:claims:${E1}:${day}`;
      for (const key of [seen, claims]) {
        const ttl = await admin.ttl(key);
        expect(ttl).toBeGreaterThan(5 * 86_400 - 60);
        expect(ttl).toBeLessThanOrEqual(5 * 86_400);
      }
      // The mark has no TTL: it is what answers for the taps past the window.
      expect(await admin.ttl(`${prefix}:{d:bus-1}:hwm`)).toBe(-1);
      expect(await admin.exists(`${prefix}:{p${partitionOf(token(1), 16)}}:seen`)).toBe(0);
    } finally {
      await store.close();
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length > 0) await admin.unlink(...keys);
      await admin.quit();
    }
  });
});
