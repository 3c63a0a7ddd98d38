// The store contract against the real Redis: each test writes under its own random key prefix
// and deletes those keys after; a second store on the same prefix stands for a second gateway.
import { describe, expect, it } from 'vitest';
import { planTap } from '../../../core/ledger.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { testEnv } from '../../support/env.js';
import { outboxRecords } from '../../support/outbox.js';
import { redisSuite } from '../../support/redis-suite.js';
import { storeContract } from './contract.js';
import { order } from './contract-payments.js';
import { fare, issue, T0, tap, token } from './fixtures.js';

const suite = redisSuite();

storeContract('redis', () => openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix }));

describe('Redis store', () => {
  it('keeps a card, its records, dedupe keys and outbox in the hash slot of its partition', async () => {
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix, partitions: 16 });
    const card = await issue(store, 0x2345, 1_000);
    await store.commit([planTap(card, tap({ cardToken: token(0x2345), seq: 1 }), fare, 1)]);
    await store.close();
    // token(0x2345) starts with 0x00002345; 0x2345 % 16 = 5.
    const keys = (await suite.admin.keys(`${suite.prefix}:*`)).filter((k) => !k.includes('{meta}')).sort();
    expect(keys).toEqual(
      [
        `card:${token(0x2345)}`,
        'ix:c:' + token(0x2345),
        'ix:d:bus-1',
        'ix:m:A12****29', // newCard's mask: n % 100 = 0x2345 % 100
        'ix:o:bus-co',
        'ix:r:r1',
        'ix:sp:s1',
        'ix:t',
        'outbox',
        'rec',
        // The tap's dedupe key, in the bucket of its UTC day (docs/decisions/0196).
        'seen:20254',
        'st:bus-co:20250615',
      ]
        .map((k) => `${suite.prefix}:{p5}:${k}`)
        .sort(),
    );
  });

  it('keeps dead letters under their own {dlq} suite.prefix, apart from the ledger, with a true byte total', async () => {
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix, partitions: 4 });
    const bounds = { maxCount: 3, maxBytes: 1 << 20, maxPayloadBytes: 1000 };
    for (let i = 0; i < 10; i++)
      await store.putDeadLetter(
        { topic: `t/${i}`, reason: 'junk', payload: Buffer.alloc(5000), at: i },
        bounds,
      );
    await store.close();
    const keys = (await suite.admin.keys(`${suite.prefix}:*`)).filter((k) => !k.includes('{meta}')).sort();
    expect(keys).toEqual([`${suite.prefix}:{dlq}:bytes`, `${suite.prefix}:{dlq}:kept`]);
    expect(await suite.admin.llen(`${suite.prefix}:{dlq}:kept`)).toBe(3);
    // Three letters of 1000 payload bytes kept + 3 topic bytes + 4 reason bytes.
    expect(await suite.admin.get(`${suite.prefix}:{dlq}:bytes`)).toBe(String(3 * 1007));
  });

  it('reads on a deny list written before it was a list kind, under its old keys (0184)', async () => {
    const old = (t: string, a: boolean, r: string, at: number) => JSON.stringify({ t, a, r, at });
    await suite.admin.hset(`${suite.prefix}:{lists}:deny`, token(2), 'frozen');
    await suite.admin.set(`${suite.prefix}:{lists}:deny:version`, '3');
    await suite.admin.rpush(
      `${suite.prefix}:{lists}:deny:log`,
      old(token(1), true, 'lost', T0 + 1),
      old(token(2), true, 'frozen', T0 + 2),
      old(token(1), false, 'lost', T0 + 3),
    );
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix });
    expect(await store.listVersion('deny', 'all')).toBe(3);
    expect(await store.changeList('deny', 'all', [{ key: token(3), value: 'lost' }], T0 + 4)).toMatchObject({
      version: 4,
    });
    expect(await store.listChangesSince('deny', 'all', 1, 10)).toEqual([
      { version: 2, at: T0 + 2, changes: [{ key: token(2), value: 'frozen' }] },
      { version: 3, at: T0 + 3, changes: [{ key: token(1), value: '' }] },
      { version: 4, at: T0 + 4, changes: [{ key: token(3), value: 'lost' }] },
    ]);
    expect(await store.listSize('deny', 'all')).toBe(2);
    await store.close();
  });

  it('keeps the store generation beside the layout, and begins another once it is deleted (a restore)', async () => {
    const first = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix });
    const generation = await first.listGeneration();
    await first.close();
    expect(await suite.admin.get(`${suite.prefix}:{meta}:generation`)).toBe(generation);
    await suite.admin.del(`${suite.prefix}:{meta}:generation`);
    const restored = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix });
    expect(await restored.listGeneration()).not.toBe(generation);
    await restored.close();
  });

  it('refuses to open data written with another partition count', async () => {
    const first = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix, partitions: 4 });
    await first.close();
    await expect(
      openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix, partitions: 8 }),
    ).rejects.toThrow(
      `the Redis data under '${suite.prefix}' uses 4 partitions, not 8; open it with partitions: 4`,
    );
  });

  it('spreads the outbox over its partitions', async () => {
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix, partitions: 4 });
    expect(store.outboxPartitions()).toBe(4);
    for (const n of [0, 1, 2, 3]) {
      const card = await issue(store, n);
      await store.commit([planTap(card, tap({ cardToken: token(n), seq: n + 1 }), fare, 1)]);
    }
    for (const p of [0, 1, 2, 3])
      expect(outboxRecords(await store.readOutbox(p, 10)).map((r) => r.cardToken)).toEqual([token(p)]);
    await store.close();
  });

  it('commits more effects in one script call than Lua unpacks at once, each once', async () => {
    // One partition: every effect in one commitEffects call, whose writes go out in slices.
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix, partitions: 1 });
    const n = 4_500; // 9,000 values per HSET: past the 8,000 unpack() takes at once
    const cards = await Promise.all(Array.from({ length: n }, (_, i) => issue(store, i)));
    const effects = cards.map((card, i) => planTap(card, tap({ cardToken: token(i), seq: i + 1 }), fare, 1));
    const first = await store.commit(effects);
    expect(first.filter((o) => o.status === 'applied')).toHaveLength(n);
    const again = await store.commit(effects);
    expect(again.every((o) => o.status === 'duplicate')).toBe(true);
    expect(outboxRecords(await store.readOutbox(0, 2 * n))).toHaveLength(n);
    const loaded = await store.loadCards(cards.map((c) => c.token));
    expect([...loaded.values()].every((c) => c.version === 2)).toBe(true);
    await store.close();
  });

  it('keeps payment orders under the {pay} hash tag, each key with a TTL past its retention', async () => {
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix });
    const o = order('po_aaaaaaaaaaaaaaaaaaab', { retainUntil: T0 + 3_600_000 });
    expect((await store.payments.createOrder(o, 10_000, T0)).status).toBe('created');
    await store.payments.addDailyUse('op:counter1', 20_300, 'r1', 100, 1_000);
    await store.close();
    const keys = (await suite.admin.keys(`${suite.prefix}:*`)).filter((k) => !k.includes('{meta}')).sort();
    expect(keys).toEqual(
      [
        `day:20300:${token(1)}`,
        'order:po_aaaaaaaaaaaaaaaaaaab',
        `req:${token(1)}:req-po_aaaaaaaaaaaaaaaaaaab`,
        'retain',
        'use:20300:op:counter1',
      ].map((k) => `${suite.prefix}:{pay}:${k}`),
    );
    // Retention (1 hour) plus a day: the safety net behind prune().
    for (const k of keys.filter((k) => !k.endsWith(':retain'))) {
      expect(await suite.admin.pttl(k)).toBeGreaterThan(0);
      expect(await suite.admin.pttl(k)).toBeLessThanOrEqual(3 * 24 * 3_600_000);
    }
    expect(await suite.admin.pttl(`${suite.prefix}:{pay}:order:po_aaaaaaaaaaaaaaaaaaab`)).toBeGreaterThan(
      24 * 3_600_000,
    );
  });
});
