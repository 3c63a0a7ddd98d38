// Cards in the real Redis as one string each (docs/decisions/0214): a batch's cards are one MGET
// on a standalone Redis, in the order asked; a card a gateway from before 0214 left as a hash
// reads the same, and the first script that writes it (commit, status change) turns it into a
// string without changing what it holds; issuing never overwrites one.
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { planTap } from '../../../core/ledger.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { newCardString } from '../../../gateway/src/store/redis-card.js';
import { loadCards } from '../../../gateway/src/store/redis-cards.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { testEnv } from '../../support/env.js';
import { asHashCard } from '../../support/redis-old-card.js';
import { redisSuite } from '../../support/redis-suite.js';
import { fare, issue, tap, token } from './fixtures.js';

const suite = redisSuite();

/**
 * `admin`, counting the card commands it is asked for: by method, or by name for a command sent
 * as it is (the MGET written once as RESP, 0235).
 */
function counting(calls: string[]): Redis {
  return new Proxy(suite.admin, {
    get(target, name, receiver) {
      const v = Reflect.get(target, name, receiver);
      if (name !== 'mget' && name !== 'hmget' && name !== 'sendCommand') return v;
      return (...args: unknown[]) => {
        calls.push(name === 'sendCommand' ? (args[0] as { name: string }).name : String(name));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const open = () => openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix, partitions: 16 });

describe('Redis cards as strings', () => {
  it('reads a batch of cards over every partition with one MGET, in the order asked', async () => {
    const keys = new RedisKeys(suite.prefix, 16);
    const store = await open();
    // 40 cards over 16 partitions, every fifth never issued; one ridden, so its version,
    // balance and fare state differ from a new card's.
    const ns = Array.from({ length: 40 }, (_, i) => 0x100 + i * 7);
    for (const [i, n] of ns.entries()) if (i % 5 !== 0) await issue(store, n, 1_000 + n);
    const ridden = await issue(store, ns[1]!);
    await store.commit([planTap(ridden, tap({ cardToken: token(ns[1]!), seq: 1 }), fare, 1)]);
    const asked = [...ns].reverse().map(token);

    const calls: string[] = [];
    const cards = await loadCards(counting(calls), keys, asked);
    expect(new Set(asked.map((t) => keys.partitionOf(t))).size).toBe(16);
    // One MGET, then one HMGET for each card it found nothing under (the eight never issued).
    expect(calls).toEqual(['mget', ...Array(8).fill('hmget')]);
    expect([...cards.keys()]).toEqual(asked);
    expect(cards.get(token(ns[1]!))).toMatchObject({
      known: true,
      version: 2,
      balanceFen: 1_000 + ns[1]! - 200,
    });
    expect(cards.get(token(ns[0]!))).toMatchObject({ known: false });
    expect(cards.get(token(ns[3]!))).toMatchObject({ known: true, version: 1, status: 'active', uses: [] });
    await store.close();
  });

  it('reads a card left as a hash by an older gateway exactly as the same card as a string', async () => {
    const keys = new RedisKeys(suite.prefix, 16);
    const store = await open();
    const card = await issue(store, 0x10, 700);
    await store.commit([planTap(card, tap({ cardToken: token(0x10), seq: 1 }), fare, 1)]);
    const asString = (await loadCards(suite.admin, keys, [token(0x10)])).get(token(0x10));
    await asHashCard(suite.admin, keys.card(token(0x10)));
    expect(await suite.admin.type(keys.card(token(0x10)))).toBe('hash');
    expect((await loadCards(suite.admin, keys, [token(0x10)])).get(token(0x10))).toEqual(asString);
    // Without a uses field (before 0203): known, uses left to be derived.
    const other = await issue(store, 0x14, 700);
    await store.commit([planTap(other, tap({ cardToken: token(0x14), seq: 1 }), fare, 1)]);
    await asHashCard(suite.admin, keys.card(token(0x14)), ['u']);
    const old = (await loadCards(suite.admin, keys, [token(0x14)])).get(token(0x14))!;
    expect(old).toMatchObject({ known: true, version: 2, balanceFen: 500 });
    expect(old.uses).toBeUndefined();
    await store.close();
  });

  it('a commit on a hash card turns it into a string and charges it once', async () => {
    const keys = new RedisKeys(suite.prefix, 16);
    const store = await open();
    const card = await issue(store, 0x11, 700);
    await asHashCard(suite.admin, keys.card(token(0x11)));
    const effect = planTap(card, tap({ cardToken: token(0x11), seq: 1 }), fare, 1);
    expect((await store.commit([effect]))[0]!.status).toBe('applied');
    expect(await suite.admin.type(keys.card(token(0x11)))).toBe('string');
    expect((await store.loadCards([token(0x11)])).get(token(0x11))).toMatchObject({
      version: 2,
      balanceFen: 500,
      masked: card.masked,
      region: card.region,
      status: 'active',
      uses: [],
    });
    // Sent again: a duplicate, nothing charged twice.
    expect((await store.commit([effect]))[0]!.status).toBe('duplicate');
    expect((await store.loadCards([token(0x11)])).get(token(0x11))!.balanceFen).toBe(500);
    await store.close();
  });

  it('a status change on a hash card turns it into a string and bumps the version once', async () => {
    const keys = new RedisKeys(suite.prefix, 16);
    const store = await open();
    await issue(store, 0x12, 700);
    await asHashCard(suite.admin, keys.card(token(0x12)));
    expect(await store.setCardStatus(token(0x12), 'lost')).toBe(true);
    expect(await store.setCardStatus(token(0x12), 'lost')).toBe(true);
    expect(await suite.admin.type(keys.card(token(0x12)))).toBe('string');
    expect((await store.loadCards([token(0x12)])).get(token(0x12))).toMatchObject({
      version: 2,
      balanceFen: 700,
      status: 'lost',
    });
    expect(await store.setCardStatus(token(0x99), 'lost')).toBe(false);
    await store.close();
  });

  it('issuing never resets a card, whichever layout it has', async () => {
    const keys = new RedisKeys(suite.prefix, 16);
    const store = await open();
    const card = await issue(store, 0x13, 700);
    await store.commit([planTap(card, tap({ cardToken: token(0x13), seq: 1 }), fare, 1)]);
    await issue(store, 0x13, 9_999);
    expect((await store.loadCards([token(0x13)])).get(token(0x13))!.balanceFen).toBe(500);
    await asHashCard(suite.admin, keys.card(token(0x13)));
    await issue(store, 0x13, 9_999);
    expect(await suite.admin.type(keys.card(token(0x13)))).toBe('hash');
    expect((await store.loadCards([token(0x13)])).get(token(0x13))!.balanceFen).toBe(500);
    await store.close();
  });

  it('refuses a masked number or region with a newline (it would shift every field after it)', () => {
    expect(() => newCardString(0, 0, 'A12\n**', '500100')).toThrow(RangeError);
    expect(() => newCardString(0, 0, 'A12****00', '5001\n')).toThrow(RangeError);
  });

  it('reads nothing for no tokens', async () => {
    const calls: string[] = [];
    expect((await loadCards(counting(calls), new RedisKeys(suite.prefix, 16), [])).size).toBe(0);
    expect(calls).toEqual([]);
  });
});
