// Offline re-partition (docs/operations.md): a store written with 4 partitions, copied to 64
// under another prefix, answers as before: balances, each card's records, dedupe (a resent tap
// is a duplicate, not a second charge), ride counters, devices and lists.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { repartition } from '../../../gateway/src/store/redis-repartition.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { issue, rideOf, T0, tap, token } from './fixtures.js';

let admin: Redis;
const prefixes: string[] = [];

beforeAll(() => {
  admin = new Redis(testEnv.redisUrl());
});

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.unlink(...keys);
  }
  await admin.quit();
});

const CARDS = [1, 2, 3, 5, 8, 13, 21, 34];

describe('re-partitioning a Redis store offline', () => {
  it('copies 4 partitions to 64 under a new prefix; the copy answers as the original', async () => {
    const from = uniqueId('oc');
    const to = uniqueId('oc');
    prefixes.push(from, to);
    const a = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: from, partitions: 4 });
    let seq = 0;
    for (const n of CARDS) {
      let card = await issue(a, n, 5_000);
      for (let i = 0; i < 3; i++) {
        const [o] = await a.commit([rideOf(card, tap({ cardToken: token(n), seq: ++seq }))]);
        expect(o!.status).toBe('applied');
        card = (await a.loadCards([token(n)])).get(token(n))!;
      }
    }
    await a.upsertDevice({
      deviceId: 'bus-1',
      operatorId: 'bus-co',
      profile: 'bus_validator',
      routeId: 'r1',
      stationId: '',
      venueId: '',
    });
    await a.changeList('deny', ALL_SCOPE, [{ key: token(1), value: 'LOST' }], T0);
    // The relay's part: nothing left in any outbox.
    for (let p = 0; p < 4; p++) {
      const entries = await a.readOutbox(p, 1000);
      if (entries.length > 0) await a.ackOutbox(p, entries.at(-1)!.id);
    }
    const before = {
      cards: await a.loadCards(CARDS.map(token)),
      records: await Promise.all(CARDS.map((n) => a.queryRecords({ cardToken: token(n), limit: 100 }))),
      stats: await a.queryStats({ from: T0 - 3_600_000, to: T0 + 3_600_000 }),
      devices: await a.listDevices(),
      deny: await a.listEntriesPage('deny', ALL_SCOPE, '', 100),
    };
    await a.close();

    const report = await repartition(admin, { prefix: from }, { prefix: to, partitions: 64 });
    expect(report).toMatchObject({ fromPartitions: 4, toPartitions: 64 });
    await expect(openRedisStore({ url: testEnv.redisUrl(), keyPrefix: to, partitions: 4 })).rejects.toThrow(
      /uses 64 partitions/,
    );
    const b = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: to, partitions: 64 });
    expect(await b.loadCards(CARDS.map(token))).toEqual(before.cards);
    expect(await Promise.all(CARDS.map((n) => b.queryRecords({ cardToken: token(n), limit: 100 })))).toEqual(
      before.records,
    );
    expect(await b.queryStats({ from: T0 - 3_600_000, to: T0 + 3_600_000 })).toEqual(before.stats);
    expect(await b.listDevices()).toEqual(before.devices);
    expect(await b.listEntriesPage('deny', ALL_SCOPE, '', 100)).toEqual(before.deny);
    // A tap resent after the move is recognised: answered, not charged again.
    const card = (await b.loadCards([token(1)])).get(token(1))!;
    const [again] = await b.commit([rideOf(card, tap({ cardToken: token(1), seq: 1 }))]);
    expect(again!.status).toBe('duplicate');
    expect((await b.loadCards([token(1)])).get(token(1))!.balanceFen).toBe(
      before.cards.get(token(1))!.balanceFen,
    );
    await b.close();
  });

  it('moves tap dedupe entries with no records to read (history in PostgreSQL), split into sub-buckets (0222)', async () => {
    const from = uniqueId('oc');
    const to = uniqueId('oc');
    prefixes.push(from, to);
    const opts = { url: testEnv.redisUrl(), keepRecords: false, tapsPerPartitionDay: 640, now: T0 };
    const a = await openRedisStore({ ...opts, keyPrefix: from, partitions: 4 });
    let seq = 0;
    for (const n of CARDS) {
      const card = await issue(a, n, 5_000);
      expect((await a.commit([rideOf(card, tap({ cardToken: token(n), seq: ++seq }))]))[0]!.status).toBe(
        'applied',
      );
    }
    for (let p = 0; p < 4; p++) {
      const entries = await a.readOutbox(p, 1000);
      if (entries.length > 0) await a.ackOutbox(p, entries.at(-1)!.id);
    }
    const cards = await a.loadCards(CARDS.map(token));
    await a.close();
    expect((await admin.keys(`${from}:{p*}:seen:*:*`)).length).toBeGreaterThan(0);
    await repartition(admin, { prefix: from }, { prefix: to, partitions: 64 });
    const b = await openRedisStore({ ...opts, keyPrefix: to, partitions: 64 });
    try {
      // Every tap resent after the move is found in its card's new partition: none charged again.
      seq = 0;
      for (const n of CARDS) {
        const [again] = await b.commit([
          rideOf(cards.get(token(n))!, tap({ cardToken: token(n), seq: ++seq })),
        ]);
        expect(again!.status).toBe('duplicate');
      }
      expect(await b.loadCards(CARDS.map(token))).toEqual(cards);
    } finally {
      await b.close();
    }
  });

  it('refuses while an outbox still holds records, and refuses a target prefix in use', async () => {
    const from = uniqueId('oc');
    prefixes.push(from);
    const a = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: from, partitions: 4 });
    const card = await issue(a, 7, 5_000);
    await a.commit([rideOf(card, tap({ cardToken: token(7), seq: 1 }))]);
    await a.close();
    await expect(
      repartition(admin, { prefix: from }, { prefix: uniqueId('oc'), partitions: 64 }),
    ).rejects.toThrow(/outbox of partition 3 is not empty/);
    await expect(repartition(admin, { prefix: from }, { prefix: from, partitions: 64 })).rejects.toThrow(
      /already holds a store/,
    );
  });
});
