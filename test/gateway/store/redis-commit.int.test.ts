// The commit on one real Redis as ONE commitEffects call for all partitions (docs/decisions/0210),
// attacked: a resend answers the original results and charges nothing twice; a conflict in the
// middle of a call over many partitions cuts only its own card's chain; a dedupe value written
// before 0210 (JSON) still answers; a card with no open entry before or after costs no ZREM; the
// outbox gets one entry per partition and call, the applied records' frames (0209).
// Commands are watched with MONITOR, filtered to this suite's key prefix.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CardState } from '../../../core/card.js';
import { dedupeDay } from '../../../core/dedupe-window.js';
import { planTap } from '../../../core/ledger.js';
import { PackWriter, type Unpacked, unpack } from '../../../gateway/src/store/msgpack.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { claimCall, commitCalls } from '../../../gateway/src/store/redis-commit.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { defineScripts } from '../../../gateway/src/store/redis-scripts.js';
import { decodeRecordBatch, recordFrame } from '../../../protos/record-codec.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { unlinkPrefix } from '../../support/redis-cleanup.js';
import { fare, issue, load, planRun, T0, tap, token } from './fixtures.js';

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

/** The commands (upper-case name, then arguments) run on this suite's keys while `body` runs. */
async function watched(body: () => Promise<void>): Promise<string[][]> {
  const monitor = await admin.monitor();
  const seen: string[][] = [];
  const end = `${prefix}:end`;
  // MONITOR lines come after the replies: a PING sent last is seen last (Redis runs commands in
  // order), so its line means every line before it has arrived.
  const done = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toUpperCase() === 'PING' && args[1] === end) resolve();
      else if (args.some((a) => a.startsWith(`${prefix}:`)))
        seen.push([args[0]!.toUpperCase(), ...args.slice(1)]);
    });
  });
  await body();
  await admin.ping(end);
  await done;
  monitor.disconnect();
  return seen;
}

function open() {
  return openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, partitions: 16 });
}

describe('Redis commit, one call for all partitions', () => {
  it('answers a resent batch with the original results and charges nothing twice', async () => {
    const store = await open();
    const ns = Array.from({ length: 40 }, (_, i) => i);
    const cards = new Map<string, CardState>();
    for (const n of ns) cards.set(token(n), await issue(store, n, 1_000));
    // Two taps per card, interleaved: 80 effects over 16 partitions, chained per card.
    const taps = [...ns, ...ns].map((n, i) => tap({ cardToken: token(n), seq: i + 1 }));
    const effects = planRun(cards, taps);
    // Redis caches the script at its first call (EVALSHA, then EVAL after NOSCRIPT on a Redis
    // that never ran it): one call of another card first, so the watched commit is one command.
    await store.commit([planTap(await issue(store, 99), tap({ cardToken: token(99), seq: 999 }), fare, T0)]);
    let first: Awaited<ReturnType<typeof store.commit>> = [];
    const commands = await watched(async () => {
      first = await store.commit(effects);
    });
    expect(commands.filter((c) => c[0] === 'EVALSHA' || c[0] === 'EVAL')).toHaveLength(1);
    expect(first.every((o) => o.status === 'applied')).toBe(true);

    const again = await store.commit(effects);
    expect(again).toEqual(first.map((o) => ({ ...o, status: 'duplicate' })));
    for (const n of ns) {
      expect(await load(store, token(n))).toMatchObject({ balanceFen: 600, version: 3 });
      const at = taps.find((t) => t.cardToken === token(n))!.deviceTimeMs;
      expect(await store.committedResult(token(n), `tap:bus-1:${n + 1}`, at)).toEqual(effects[n]!.result);
    }
    await store.close();
  });

  it('refuses a call with a malformed effect whole (a field too many, not an array, a key number as text): nothing of its other effects is written', async () => {
    const store = await open();
    const keys = new RedisKeys(prefix, 16);
    const card = await issue(store, 7, 1_000);
    const [call] = commitCalls([planTap(card, tap({ cardToken: token(7), seq: 1 }), fare, T0)], keys, 60, {
      keepRecords: false,
    });
    // A second effect with a field too many, after a good one; then one that is not an array,
    // and one whose card number is a string.
    const good = call!.args[3] as Buffer;
    const fields = unpack(good)[0] as Unpacked[];
    const extra = new PackWriter().array(13);
    for (const f of fields) typeof f === 'number' ? extra.int(f) : extra.str(String(f));
    extra.str('extra');
    const notArray = new PackWriter().str('tap:1');
    const cardAsText = new PackWriter().array(12).str('tap:2').str('1');
    for (let i = 0; i < 10; i++) cardAsText.str('');
    for (const [bad, n] of [
      [extra, 2],
      [notArray, 2],
      [cardAsText, 2],
    ] as const) {
      const args = [...call!.args.slice(0, 3), Buffer.concat([good, bad.finish()])];
      await expect(defineScripts(admin).run('commitEffects', call!.keys, args)).rejects.toThrow(
        new RegExp(`malformed effect ${n}`),
      );
    }
    expect(await load(store, token(7))).toMatchObject({ balanceFen: 1_000, version: 1 });
    expect(await admin.xlen(keys.outbox(keys.partitionOf(token(7))))).toBe(0);
    await store.close();
  });

  it('refuses a claims call whose run is malformed whole: no claim and no mark written (0217)', async () => {
    const keys = new RedisKeys(prefix, 16);
    const good = claimCall(keys, 'bus-9', '', [{ seq: 1, digest: 'd1', at: T0 }], 60);
    const scripts = defineScripts(admin);
    // A count larger than the pairs that follow, a count of 0, a bucket number that is not one;
    // (0218) a bucket number past KEYS, the marks hash as a bucket, a fractional count, a run
    // one digest short of its count.
    for (const run of [
      ['2', '2', '5', 'd5'],
      ['2', '0'],
      ['x', '1', '5', 'd5'],
      ['3', '1', '5', 'd5'],
      ['1', '1', '5', 'd5'],
      ['2', '1.5', '5', '6', 'd5'],
      ['2', '2', '5', '6', 'd5'],
    ])
      await expect(scripts.run('claimTaps', good.keys, [...good.args, ...run])).rejects.toThrow(
        /malformed run/,
      );
    expect(await admin.exists(...good.keys)).toBe(0);
    // The good call alone claims.
    expect(await scripts.run('claimTaps', good.keys, good.args)).toEqual([1]);
  });

  it('cuts only the conflicting card chain in a call over many partitions', async () => {
    const store = await open();
    const ns = [1, 2, 3, 4, 5, 6];
    const cards = new Map<string, CardState>();
    for (const n of ns) cards.set(token(n), await issue(store, n, 1_000));
    // Card 3 moves on behind the planner's back: its plans below expect version 1, Redis has 2.
    await store.commit([planTap(cards.get(token(3))!, tap({ cardToken: token(3), seq: 100 }), fare, T0)]);
    const taps = [1, 2, 3, 4, 3, 5, 6, 2].map((n, i) => tap({ cardToken: token(n), seq: i + 1 }));
    const outcomes = await store.commit(planRun(cards, taps));
    expect(outcomes.map((o) => o.status)).toEqual([
      'applied',
      'applied',
      'conflict',
      'applied',
      // Chained from the conflicting effect: it must not apply though 2 → 3 would line up.
      'conflict',
      'applied',
      'applied',
      'applied',
    ]);
    const balances = await Promise.all(ns.map(async (n) => (await load(store, token(n))).balanceFen));
    expect(balances).toEqual([800, 600, 800, 800, 800, 800]);
    expect(await store.committedResult(token(3), 'tap:bus-1:3', taps[2]!.deviceTimeMs)).toBeUndefined();
    await store.close();
  });

  it('writes one outbox entry per partition and call: the applied records as one RecordBatch', async () => {
    const store = await open();
    const keys = new RedisKeys(prefix, 16);
    const cards = new Map<string, CardState>();
    // Cards 1 and 17 share partition 1, card 2 is alone in partition 2.
    for (const n of [1, 17, 2]) cards.set(token(n), await issue(store, n, 1_000));
    const early = planRun(cards, [tap({ cardToken: token(17), seq: 1 })]);
    await store.commit(early);
    await admin.del(keys.outbox(1));
    // A resend of card 17's tap (a duplicate) between card 1's two taps and card 2's.
    const taps = [1, 2, 1].map((n, i) => tap({ cardToken: token(n), seq: i + 2 }));
    const effects = [...planRun(cards, taps.slice(0, 1)), early[0]!, ...planRun(cards, taps).slice(1)];
    expect((await store.commit(effects)).map((o) => o.status)).toEqual([
      'applied',
      'duplicate',
      'applied',
      'applied',
    ]);
    const entry = async (p: number) => {
      const all = await admin.xrangeBuffer(keys.outbox(p), '-', '+');
      expect(all).toHaveLength(1);
      const f = all[0]![1].map((x) => x.toString('latin1'));
      return { b: all[0]![1][f.indexOf('b') + 1]!, n: f[f.indexOf('n') + 1] };
    };
    expect(await entry(1)).toEqual({
      b: Buffer.concat([recordFrame(effects[0]!.record), recordFrame(effects[3]!.record)]),
      n: '2',
    });
    expect(await entry(2)).toEqual({ b: recordFrame(effects[2]!.record), n: '1' });
    expect(decodeRecordBatch((await entry(1)).b).map((r) => r.id)).toEqual(['tap:bus-1:2', 'tap:bus-1:4']);
    await store.close();
  });

  it('answers a dedupe value written before 0210 (JSON) as it was', async () => {
    const store = await open();
    const card = await issue(store, 7, 1_000);
    const t = tap({ cardToken: token(7), seq: 1 });
    const effect = planTap(card, t, fare, T0);
    const old = { outcome: 'charged', chargedFen: 150, balanceAfterFen: 850, reason: 'OK' };
    const keys = new RedisKeys(prefix, 16);
    const bucket = keys.seenOn(keys.partitionOf(token(7)), dedupeDay(t.deviceTimeMs));
    await admin.hset(bucket, effect.dedupeKey, JSON.stringify(old));
    expect(await store.commit([effect])).toEqual([{ status: 'duplicate', result: old }]);
    expect(await store.committedResult(token(7), effect.dedupeKey, t.deviceTimeMs)).toEqual(old);
    expect(await load(store, token(7))).toMatchObject({ balanceFen: 1_000, version: 1 });
    await store.close();
  });

  it('sends no ZREM for a card that had no open entry and has none after', async () => {
    const store = await open();
    const cards = new Map<string, CardState>();
    for (const n of [1, 2]) cards.set(token(n), await issue(store, n, 1_000));
    const commands = await watched(async () => {
      await store.commit(
        planRun(
          cards,
          [1, 2, 1].map((n, i) => tap({ cardToken: token(n), seq: i + 1 })),
        ),
      );
    });
    expect(commands.filter((c) => c[0] === 'ZREM')).toEqual([]);
    // One write per key: one HSET per card, one per dedupe bucket and records hash, one ZADD per index.
    // Cards 1 and 2 are in partitions 1 and 2: in each, the day bucket and the records hash; both
    // cards in one MSET (0214).
    const hsets = commands.filter((c) => c[0] === 'HSET').map((c) => c[1]);
    expect(hsets).toHaveLength(4);
    expect(new Set(hsets).size).toBe(4);
    expect(commands.filter((c) => c[0] === 'MSET')).toHaveLength(1);
    // In each, the time, card, device, route, stop, masked number and operator indexes.
    const zadds = commands.filter((c) => c[0] === 'ZADD').map((c) => c[1]);
    expect(zadds).toHaveLength(14);
    expect(new Set(zadds).size).toBe(14);
    await store.close();
  });
});
