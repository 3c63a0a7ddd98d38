// Loading cards from the real Redis, one loadCards-1.lua call per partition (docs/decisions/0207):
// the script's flat reply (present, missing, a card from before 0203 without uses), the grouping
// by partition (several cards per partition, partitions mixed, order kept), and that the grouped
// read gives exactly what one HMGET per card gives.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planTap } from '../../../core/ledger.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { CARD_FIELDS, loadCardsByPartition } from '../../../gateway/src/store/redis-cards.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { defineScripts, type Scripts } from '../../../gateway/src/store/redis-scripts.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { unlinkPrefix } from '../../support/redis-cleanup.js';
import { fare, issue, tap, token } from './fixtures.js';

let admin: Redis;
let prefix = '';

beforeAll(() => {
  admin = new Redis(testEnv.redisUrl());
});

afterAll(async () => {
  await admin.quit();
});

beforeEach(() => {
  prefix = uniqueId('oc');
});

afterEach(async () => {
  await unlinkPrefix(admin, prefix);
});

/** The real scripts on `admin`, counting the calls made by name. */
function counted(calls: string[]): Scripts {
  const real = defineScripts(admin);
  return {
    run(name, keys, args) {
      calls.push(`${name}:${keys.length}`);
      return real.run(name, keys, args);
    },
  };
}

describe('loadCards-1.lua', () => {
  it('answers every field of every card in one flat array, nil for a missing card or field', async () => {
    const keys = new RedisKeys(prefix, 16);
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, partitions: 16 });
    // Cards 0x10 and 0x30 share partition 0; 0x20 is never issued (same partition too).
    await issue(store, 0x10, 700);
    await issue(store, 0x30, 900);
    await store.close();
    await admin.hdel(keys.card(token(0x30)), 'u');
    const reply = await defineScripts(admin).run(
      'loadCards',
      [keys.card(token(0x10)), keys.card(token(0x20)), keys.card(token(0x30))],
      CARD_FIELDS,
    );
    expect(reply).toEqual([
      ...['700', '1', 'active', '0', 'A12****16', '500100', null, '[]'],
      ...[null, null, null, null, null, null, null, null],
      ...['900', '1', 'active', '0', 'A12****48', '500100', null, null],
    ]);
  });
});

describe('Redis store loadCards by partition', () => {
  it('makes one call per partition, keeps the order asked and gives what one HMGET per card gives', async () => {
    const keys = new RedisKeys(prefix, 16);
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, partitions: 16 });
    // 40 cards over 16 partitions (2 or 3 each), every fifth never issued; one ridden, so its
    // version, balance and fare state differ from a new card's.
    const ns = Array.from({ length: 40 }, (_, i) => 0x100 + i * 7);
    for (const [i, n] of ns.entries()) if (i % 5 !== 0) await issue(store, n, 1_000 + n);
    const ridden = await issue(store, ns[1]!);
    await store.commit([planTap(ridden, tap({ cardToken: token(ns[1]!), seq: 1 }), fare, 1)]);
    // A card from before 0203: no uses field at all.
    await admin.hdel(keys.card(token(ns[2]!)), 'u');
    // Asked for in an order that mixes partitions (7 and 16 are coprime: 2 or 3 cards in each).
    const asked = [...ns].reverse().map(token);

    const calls: string[] = [];
    const grouped = await loadCardsByPartition(admin, counted(calls), keys, asked);
    expect(new Set(asked.map((t) => keys.partitionOf(t))).size).toBe(16);
    expect(calls).toHaveLength(16);
    expect(calls.every((c) => c === 'loadCards:2' || c === 'loadCards:3')).toBe(true);
    expect([...grouped.keys()]).toEqual(asked);

    // The reference: each card alone (a partition of one card is a plain HMGET, as before 0207).
    for (const t of asked) {
      const alone = await loadCardsByPartition(admin, counted([]), keys, [t]);
      expect(grouped.get(t)).toEqual(alone.get(t));
    }
    expect(grouped.get(token(ns[1]!))).toMatchObject({
      known: true,
      version: 2,
      balanceFen: 1_000 + ns[1]! - 200,
    });
    expect(grouped.get(token(ns[0]!))).toMatchObject({ known: false });
    expect(grouped.get(token(ns[2]!))!.known).toBe(true);
    expect(grouped.get(token(ns[2]!))!.uses).toBeUndefined();
    expect(grouped.get(token(ns[3]!))!.uses).toEqual([]);
    await store.close();
  });

  it('reads nothing for no tokens', async () => {
    const calls: string[] = [];
    const cards = await loadCardsByPartition(admin, counted(calls), new RedisKeys(prefix, 16), []);
    expect(cards.size).toBe(0);
    expect(calls).toEqual([]);
  });
});
