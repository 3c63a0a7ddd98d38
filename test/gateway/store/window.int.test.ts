// How each store lets the dedupe window's tap keys go (docs/decisions/0196); what both promise
// is in contract-window.ts. SQLite deletes the days before the window when pruned; Redis gives
// each day bucket a TTL of the window plus two days from its last write. Time is passed in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { DAY_MS, dedupeDay } from '../../../core/dedupe-window.js';
import type { TapInput } from '../../../core/ledger.js';
import type { CommitOutcome } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { partitionOf, RedisKeys, tapField } from '../../../gateway/src/store/redis-keys.js';
import { encodeResult } from '../../../gateway/src/store/redis-results.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { unlinkPrefix } from '../../support/redis-cleanup.js';
import { issue, load, rideOf, T0, tap, token } from './fixtures.js';

const E1 = '0123456789abcdef';
const E2 = 'fedcba9876543210';
const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
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
      await store.claimTaps('bus-1', E1, [{ seq: 1, digest: A, at: ride.deviceTimeMs }], ride.deviceTimeMs);
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

  it('never takes a seq again once its claim was pruned: other content under it is refused (0220)', async () => {
    const store = await openSqliteStore({ file: join(dir, `${uniqueId('w')}.db`), dedupeWindowDays: 3 });
    try {
      const at = T0;
      expect(
        await store.claimTaps(
          'bus-1',
          E1,
          [
            { seq: 1, digest: A, at },
            { seq: 3, digest: A, at },
          ],
          at,
        ),
      ).toEqual([true, true]);
      // A later day's claim under seq 2 is kept through the prune that lets day T0 go.
      expect(
        await store.claimTaps('bus-1', E1, [{ seq: 2, digest: A, at: at + 2 * DAY_MS }], at + 2 * DAY_MS),
      ).toEqual([true]);
      expect(await store.pruneDedupe(at + 5 * DAY_MS)).toBe(2);
      const now = at + 5 * DAY_MS;
      // The replay: the spent seqs with a fresh time. Seq 2's claim is still there and answers.
      expect(
        await store.claimTaps(
          'bus-1',
          E1,
          [
            { seq: 1, digest: B, at: now },
            { seq: 3, digest: A, at: now },
            { seq: 2, digest: A, at: at + 2 * DAY_MS },
            { seq: 2, digest: B, at: now },
            { seq: 4, digest: B, at: now },
          ],
          now,
        ),
      ).toEqual([false, false, true, false, true]);
      // Another epoch and another device have their own floors.
      expect(await store.claimTaps('bus-1', E2, [{ seq: 1, digest: B, at: now }], now)).toEqual([true]);
      expect(await store.claimTaps('bus-2', E1, [{ seq: 1, digest: B, at: now }], now)).toEqual([true]);
    } finally {
      await store.close();
    }
  });
});

describe('Redis store: the dedupe window', () => {
  it('gives each tap day bucket of dedupe keys and each block of claims a TTL of the window plus two days', async () => {
    const prefix = uniqueId('oc');
    const admin = new Redis(testEnv.redisUrl());
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, dedupeWindowDays: 3 });
    try {
      const card = await issue(store, 1, 1_000);
      const ride = tap({ cardToken: token(1), seq: 1, epoch: E1 });
      await store.claimTaps('bus-1', E1, [{ seq: 1, digest: A, at: ride.deviceTimeMs }], ride.deviceTimeMs);
      await store.commit([rideOf(card, ride)]);
      const day = dedupeDay(ride.deviceTimeMs);
      const seen = `${prefix}:{p${partitionOf(token(1), 16)}}:seen:${day}`;
      // Claims by block of 128 seqs (0220): seq 1 is in block 0.
      const claims = `${prefix}:{d:bus-1}:claims:${E1}:b0`;
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
      await unlinkPrefix(admin, prefix);
      await admin.quit();
    }
  });

  it('keeps a tap entry under 12 bytes, and after an upgrade answers a resend from an entry of before 0222 (JSON or decimal) (0222)', async () => {
    const prefix = uniqueId('oc');
    const admin = new Redis(testEnv.redisUrl());
    const keys = new RedisKeys(prefix, 16);
    const open = () =>
      openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, dedupeWindowDays: 3, now: T0 });
    let store = await open();
    try {
      // A store created by this version reads no old fields.
      expect(await admin.get(keys.tapFieldsSince())).toBe('-1');
      // The card as two taps of before the upgrade left it: 1,000 fen less 2 × 200.
      await issue(store, 1, 600);
      const [r1, r2, r3] = [1, 2, 3].map((seq) => tap({ cardToken: token(1), seq, epoch: E1 }));
      const bucket = keys.seenOn(keys.partitionOf(token(1)), dedupeDay(r1!.deviceTimeMs));
      // What a gateway of before 0222 left: taps 1 and 2 charged, their entries under their keys,
      // one as JSON (before 0210), one in the decimal form (0210 to 0222).
      const first = { outcome: 'charged', chargedFen: 200, balanceAfterFen: 800, reason: 'OK' } as const;
      const second = { ...first, balanceAfterFen: 600 };
      await admin.hset(
        bucket,
        `tap:bus-1:${E1}:1`,
        JSON.stringify(first),
        `tap:bus-1:${E1}:2`,
        '1,200,600,1',
      );
      // The upgrade: the first gateway of 0222 to open the store (it existed) dates it.
      await admin.del(keys.tapFieldsSince());
      await store.close();
      store = await open();
      expect(await admin.get(keys.tapFieldsSince())).toBe(String(dedupeDay(T0) + 2));
      const now = await load(store, token(1));
      // The resends of taps 1 and 2 meet their old entries: the original results, nothing charged.
      expect(await store.commit([rideOf(now, r1!), rideOf(now, r2!)])).toEqual([
        { status: 'duplicate', result: first },
        { status: 'duplicate', result: second },
      ]);
      expect(await store.committedResult(token(1), `tap:bus-1:${E1}:2`, r2!.deviceTimeMs)).toEqual(second);
      // A new tap is charged and its entry is under its 12-byte field, with the compact result.
      const [o3] = await store.commit([rideOf(now, r3!)]);
      expect(o3!.status).toBe('applied');
      const { result } = o3 as Extract<CommitOutcome, { status: 'applied' }>;
      expect(await admin.hlen(bucket)).toBe(3);
      const field = tapField(token(1), `tap:bus-1:${E1}:3`);
      expect(await admin.hget(bucket, field)).toBe(encodeResult(result));
      expect(await admin.hexists(bucket, `tap:bus-1:${E1}:3`)).toBe(0);
      // Its resend is a duplicate with that result; the card was charged once for three taps.
      const after = await load(store, token(1));
      expect(await store.commit([rideOf(after, r3!)])).toEqual([{ status: 'duplicate', result: result }]);
      expect(await store.committedResult(token(1), `tap:bus-1:${E1}:3`, r3!.deviceTimeMs)).toEqual(result);
      expect((await load(store, token(1))).balanceFen).toBe(400);
      expect(await admin.hlen(bucket)).toBe(3);
    } finally {
      await store.close();
      await unlinkPrefix(admin, prefix);
      await admin.quit();
    }
  });

  it("reads no old field for a tap dated after the upgrade's days, nor in a store created since (0222)", async () => {
    const prefix = uniqueId('oc');
    const admin = new Redis(testEnv.redisUrl());
    const keys = new RedisKeys(prefix, 16);
    const open = () =>
      openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, dedupeWindowDays: 3, now: T0 });
    let store = await open();
    // An entry under the old field where no gateway of before 0222 can have written one: not read.
    const oldEntry = (ride: TapInput) =>
      admin.hset(
        keys.seenOn(keys.partitionOf(ride.cardToken), dedupeDay(ride.deviceTimeMs)),
        `tap:bus-1:${E1}:${ride.seq}`,
        '1,200,800,1',
      );
    try {
      // A store created since: the tap is new.
      const ride = tap({ cardToken: token(1), seq: 1, epoch: E1 });
      await oldEntry(ride);
      const [o] = await store.commit([rideOf(await issue(store, 1, 1_000), ride)]);
      expect(o!.status).toBe('applied');
      expect((await load(store, token(1))).balanceFen).toBe(800);
      // An upgraded store (dated T0): a tap dated three days on was never written the old way.
      await admin.del(keys.tapFieldsSince());
      await store.close();
      store = await open();
      const later = tap({ cardToken: token(1), seq: 2, epoch: E1, deviceTimeMs: T0 + 3 * DAY_MS });
      await oldEntry(later);
      const [o2] = await store.commit([rideOf(await load(store, token(1)), later)]);
      expect(o2!.status).toBe('applied');
      expect((await load(store, token(1))).balanceFen).toBe(600);
    } finally {
      await store.close();
      await unlinkPrefix(admin, prefix);
      await admin.quit();
    }
  });

  it('never takes a seq again once its block of claims expired, and takes a late batch below the mark (0220)', async () => {
    const prefix = uniqueId('oc');
    const admin = new Redis(testEnv.redisUrl());
    // Window 3 days: a bucket lives 5 days after its last write.
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, dedupeWindowDays: 3 });
    const block = (b: number) => `${prefix}:{d:bus-1}:claims:${E1}:b${b}`;
    const claim = (now: number, claims: Array<[number, string, number]>) =>
      store.claimTaps(
        'bus-1',
        E1,
        claims.map(([seq, digest, at]) => ({ seq, digest, at })),
        now,
      );
    try {
      const day0 = T0;
      // Blocks of 128 seqs: 1 and 127 in block 0, 128 and 130 in block 1.
      expect(
        await claim(
          day0,
          [1, 127, 128, 130].map((seq) => [seq, A, day0] as [number, string, number]),
        ),
      ).toEqual([true, true, true, true]);
      // In flight, a later batch first: seqs of block 3 before any of block 2. Block 2 is below
      // the mark and gone (never written): a late batch, taken, not a replay.
      expect(await claim(day0, [[400, A, day0]])).toEqual([true]);
      expect(
        await claim(day0, [
          [300, A, day0],
          [260, A, day0],
        ]),
      ).toEqual([true, true]);

      // Five days on, block 0 has expired as Redis would; block 1 is kept, as a bucket written
      // again since would be. The floor is now day0's last mark, 400.
      const day5 = day0 + 5 * DAY_MS;
      expect(await admin.del(block(0))).toBe(1);
      expect(
        await claim(day5, [
          // The replay: spent seqs of the gone block with a fresh time, and one never claimed.
          [1, B, day5],
          [127, A, day5],
          [100, B, day5],
          // Block 1 lives: its claims answer as ever, and a seq it never held is taken.
          [128, A, day0],
          [130, B, day5],
          [129, B, day5],
          // Above the mark: new.
          [500, B, day5],
        ]),
      ).toEqual([false, false, false, true, false, true, true]);
      // Nothing was written to the gone block.
      expect(await admin.exists(block(0))).toBe(0);
      // Block 3 expires too: its seqs are spent (at or below the floor), one above it is new.
      expect(await admin.del(block(3))).toBe(1);
      expect(
        await claim(day5, [
          [400, B, day5],
          [390, B, day5],
          [401, B, day5],
        ]),
      ).toEqual([false, false, true]);
    } finally {
      await store.close();
      await unlinkPrefix(admin, prefix);
      await admin.quit();
    }
  });
});
