// What one turn's batches ask Redis for, asked once, on one real Redis
// (gateway/src/store/turn-group.ts, docs/decisions/0227): the commits asked for in one turn go as
// one commitEffects call, the cards as one MGET, and each batch still gets what it would have got
// alone. Attacked: two batches charging one card in the same turn, a batch resent
// while its first delivery is in the same call, a batch whose call fails beside innocent ones.
// Commands are watched with MONITOR, filtered to this suite's key prefix (test/support/redis-monitor.ts).
import { afterEach, describe, expect, it } from 'vitest';
import type { CardState } from '../../../core/card.js';
import { dedupeDay } from '../../../core/dedupe-window.js';
import type { Effect } from '../../../core/ledger.js';
import type { CommitOutcome, Store } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { TurnGroup } from '../../../gateway/src/store/turn-group.js';
import { testEnv } from '../../support/env.js';
import { watched } from '../../support/redis-monitor.js';
import { redisSuite } from '../../support/redis-suite.js';
import { issue, load, planRun, rideOf, T0, tap, token } from './fixtures.js';

const suite = redisSuite();
const stores: Store[] = [];

// Registered after the suite's hooks, so it runs before they remove the keys (after-hooks stack).
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function open(commitGroupEffects?: number): Promise<Store> {
  const store = await openRedisStore({
    url: testEnv.redisUrl(),
    keyPrefix: suite.prefix,
    partitions: 16,
    ...(commitGroupEffects === undefined ? {} : { commitGroupEffects }),
  });
  stores.push(store);
  return store;
}

/**
 * How many of the named commands ran on this suite's keys while `body` runs; unless told, the
 * script calls and the module's commands that stand for them (the test Redis loads it, 0232).
 */
async function callsOf(
  body: () => Promise<void>,
  names = ['EVALSHA', 'EVAL', 'ONECARD.COMMIT', 'ONECARD.CLAIM'],
): Promise<number> {
  return (await watched(suite.admin, suite.prefix, body)).filter(([name]) =>
    names.includes(name!.toUpperCase()),
  ).length;
}

/** Ten batches of three cards each, one ride a card, planned from the cards as issued. */
async function tenBatches(store: Store, from = 0): Promise<Effect[][]> {
  const batches: Effect[][] = [];
  for (let b = 0; b < 10; b++) {
    const cards = new Map<string, CardState>();
    const taps = [];
    for (let c = 0; c < 3; c++) {
      const n = from + b * 3 + c;
      cards.set(token(n), await issue(store, n, 1_000));
      taps.push(tap({ cardToken: token(n), seq: n + 1, deviceId: `dev${b}` }));
    }
    batches.push(planRun(cards, taps));
  }
  return batches;
}

describe('Redis group commit', () => {
  it('commits the batches of one turn in one call, each batch answered as if alone', async () => {
    const store = await open();
    const batches = await tenBatches(store);
    // Warm the script cache (where the script runs), so each call is one command.
    await store.commit((await tenBatches(store, 100))[0]!);
    let outcomes: CommitOutcome[][] = [];
    const calls = await callsOf(async () => {
      outcomes = await Promise.all(batches.map((b) => store.commit(b)));
    });
    expect(calls).toBe(1);
    for (const [b, batch] of batches.entries()) {
      expect(outcomes[b]!.map((o) => o.status)).toEqual(['applied', 'applied', 'applied']);
      for (const e of batch) expect((await load(store, e.cardToken)).balanceFen).toBe(e.newBalanceFen);
    }
  });

  it('without grouping, one call a commit (the setting that turns it off)', async () => {
    const store = await open(0);
    const batches = await tenBatches(store);
    await store.commit((await tenBatches(store, 100))[0]!);
    const calls = await callsOf(async () => {
      await Promise.all(batches.map((b) => store.commit(b)));
    });
    expect(calls).toBe(10);
  });

  it('cuts a turn into calls of at most the configured effects, never splitting a batch', async () => {
    const store = await open(7);
    const batches = await tenBatches(store);
    await store.commit((await tenBatches(store, 100))[0]!);
    let outcomes: CommitOutcome[][] = [];
    const calls = await callsOf(async () => {
      outcomes = await Promise.all(batches.map((b) => store.commit(b)));
    });
    // Three effects a batch, at most seven a call: two batches a call.
    expect(calls).toBe(5);
    expect(outcomes.flat().every((o) => o.status === 'applied')).toBe(true);
  });

  it('two batches charging one card in one turn: the first applies, the second conflicts and changes nothing', async () => {
    const store = await open();
    const card = await issue(store, 1, 1_000);
    const first = [rideOf(card, tap({ cardToken: token(1), seq: 1, deviceId: 'a' }))];
    const second = [rideOf(card, tap({ cardToken: token(1), seq: 1, deviceId: 'b' }))];
    const [a, b] = await Promise.all([store.commit(first), store.commit(second)]);
    expect(a!.map((o) => o.status)).toEqual(['applied']);
    // Planned from the version the first one changed: re-planned by the ingest, as between calls.
    expect(b!.map((o) => o.status)).toEqual(['conflict']);
    expect((await load(store, token(1))).balanceFen).toBe(first[0]!.newBalanceFen);
  });

  it('a batch resent while its first delivery is in the same call: charged once, the resend answered duplicate', async () => {
    const store = await open();
    const card = await issue(store, 2, 1_000);
    const batch = [rideOf(card, tap({ cardToken: token(2), seq: 7, deviceId: 'dev' }))];
    const [first, resend] = await Promise.all([store.commit(batch), store.commit(batch)]);
    expect(first!.map((o) => o.status)).toEqual(['applied']);
    expect(resend!.map((o) => o.status)).toEqual(['duplicate']);
    expect(resend![0]).toMatchObject({ result: batch[0]!.result });
    expect((await load(store, token(2))).balanceFen).toBe(batch[0]!.newBalanceFen);
  });

  it('a call that fails does not fail its neighbours: the failing batch alone is refused', async () => {
    const store = await open();
    const batches = await tenBatches(store);
    // One batch's card partition has its tap dedupe bucket turned into a string: Redis refuses
    // that batch's HMGET (WRONGTYPE) before the script writes anything.
    const poisoned = batches[4]![0]!;
    const keys = new RedisKeys(suite.prefix, 16);
    const p = keys.partitionOf(poisoned.cardToken);
    await suite.admin.set(keys.seenOn(p, dedupeDay(poisoned.record.at)), 'not a hash');
    const results = await Promise.allSettled(batches.map((b) => store.commit(b)));
    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    // Every batch with a tap in that partition on that day is refused; every other one applied.
    const inPartition = batches.flatMap((b, i) =>
      b.some((e) => keys.partitionOf(e.cardToken) === p) ? [i] : [],
    );
    expect(refused).toEqual(inPartition);
    for (const [i, r] of results.entries()) {
      if (r.status !== 'fulfilled') continue;
      expect(r.value.every((o) => o.status === 'applied')).toBe(true);
      for (const e of batches[i]!) expect((await load(store, e.cardToken)).balanceFen).toBe(e.newBalanceFen);
    }
    for (const i of refused)
      for (const e of batches[i]!) expect((await load(store, e.cardToken)).balanceFen).toBe(1_000);
  });
});

describe('Redis card loads of one turn', () => {
  it('are one MGET, each batch answered its own cards, unknown ones too', async () => {
    const store = await open();
    const batches = await tenBatches(store);
    let loaded: Array<Map<string, CardState>> = [];
    const mgets = await callsOf(async () => {
      loaded = await Promise.all(
        batches.map((b) => store.loadCards([...b.map((e) => e.cardToken), token(9_999)])),
      );
    }, ['MGET']);
    expect(mgets).toBe(1);
    for (const [b, batch] of batches.entries()) {
      expect([...loaded[b]!.keys()]).toEqual([...batch.map((e) => e.cardToken), token(9_999)]);
      for (const e of batch)
        expect(loaded[b]!.get(e.cardToken)).toMatchObject({ known: true, balanceFen: 1_000 });
      expect(loaded[b]!.get(token(9_999))).toMatchObject({ known: false });
    }
    // Each batch its own Map: what one batch does with its map is not another's.
    expect(new Set(loaded).size).toBe(10);
  });

  it('without grouping, one MGET a batch', async () => {
    const store = await open(0);
    const batches = await tenBatches(store);
    const mgets = await callsOf(async () => {
      await Promise.all(batches.map((b) => store.loadCards(b.map((e) => e.cardToken))));
    }, ['MGET']);
    expect(mgets).toBe(10);
  });
});

describe('Redis claims of one turn', () => {
  it('are one call, a section a batch, each batch answered its own claims (0228)', async () => {
    const store = await open();
    const claimsOf = (d: number) => [
      { seq: 1, digest: `d${d}-1`, at: T0 },
      { seq: 2, digest: `d${d}-2`, at: T0 },
    ];
    // Warm the script cache (where the script runs), so each call is one command.
    await store.claimTaps('warm', '', claimsOf(99), T0);
    let answers: boolean[][] = [];
    const calls = await callsOf(async () => {
      answers = await Promise.all(
        Array.from({ length: 10 }, (_, d) => store.claimTaps(`dev${d}`, '', claimsOf(d), T0)),
      );
    });
    expect(calls).toBe(1);
    expect(answers).toEqual(Array.from({ length: 10 }, () => [true, true]));
    // A resend with other content in the next turn: refused for that device alone.
    const again = await Promise.all([
      store.claimTaps('dev3', '', [{ seq: 1, digest: 'other', at: T0 }], T0),
      store.claimTaps('dev4', '', claimsOf(4), T0),
    ]);
    expect(again).toEqual([[false], [true, true]]);
  });

  it('without grouping, one call a batch', async () => {
    const store = await open(0);
    await store.claimTaps('warm', '', [{ seq: 1, digest: 'w', at: T0 }], T0);
    const calls = await callsOf(async () => {
      await Promise.all(
        Array.from({ length: 10 }, (_, d) =>
          store.claimTaps(`dev${d}`, '', [{ seq: 1, digest: 'x', at: T0 }], T0),
        ),
      );
    });
    expect(calls).toBe(10);
  });
});

describe('TurnGroup', () => {
  it('answers each request its own outcomes, in order, from one run of the turn', async () => {
    const runs: number[][] = [];
    const group = new TurnGroup<number, number>(async (xs) => {
      runs.push([...xs]);
      return xs.map((x) => x * 10);
    }, 100);
    const answers = await Promise.all([group.submit([1, 2]), group.submit([3]), group.submit([4, 5, 6])]);
    expect(runs).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(answers).toEqual([[10, 20], [30], [40, 50, 60]]);
  });
});
