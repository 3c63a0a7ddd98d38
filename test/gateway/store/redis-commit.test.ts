import { describe, expect, it } from 'vitest';
import { unknownCard } from '../../../core/card.js';
import type { CommitOutcome } from '../../../gateway/src/store/port.js';
import { ScriptResult } from '../../../gateway/src/store/redis-codes.js';
import { commitCalls, decodeCall } from '../../../gateway/src/store/redis-commit.js';
import { partitionOf, RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { planRun, rideOf, T0, tap, token } from './fixtures.js';

const keys = new RedisKeys('oc', 16);
/** Seconds a day bucket lives (any number: the encoding passes it on). */
const TTL = 2_764_800;

function card(n: number) {
  return { ...unknownCard(token(n)), known: true, version: 3, balanceFen: 1_000 };
}

describe('card partitions', () => {
  it('are the first 4 bytes of the token as an unsigned integer, modulo the count', () => {
    expect(partitionOf(`ffffffff${'0'.repeat(24)}`, 16)).toBe(15);
    expect(partitionOf(`0000001a${'0'.repeat(24)}`, 16)).toBe(10);
    expect(partitionOf(`0000001a${'0'.repeat(24)}`, 7)).toBe(26 % 7);
  });

  it('refuse a token that is not 32 lowercase hex', () => {
    expect(() => partitionOf('A'.repeat(32), 16)).toThrow("not a card token (32 lowercase hex): 'AAAA");
  });

  it('refuse a key prefix with braces, which would break the hash tags', () => {
    expect(() => new RedisKeys('o{c}', 16)).toThrow("a key prefix must not contain braces: 'o{c}'");
  });
});

describe('commitEffects calls', () => {
  it('make one call per partition, keys passed once, effects in order', () => {
    const cards = new Map([0, 1].map((n) => [token(n), card(n)]));
    const taps = [0, 1, 0].map((n, i) => tap({ cardToken: token(n), seq: i + 1 }));
    const effects = planRun(cards, taps);
    const calls = commitCalls(effects, keys, TTL);
    expect(calls.map((c) => [c.partition, c.positions])).toEqual([
      [0, [0, 2]],
      [1, [1]],
    ]);
    const first = calls[0]!;
    expect(first.keys).toEqual([
      'oc:{p0}:seen',
      'oc:{p0}:rec',
      'oc:{p0}:ix:t',
      'oc:{p0}:outbox',
      `oc:{p0}:card:${token(0)}`,
      `oc:{p0}:ix:c:${token(0)}`,
      'oc:{p0}:ix:d:bus-1',
      'oc:{p0}:ix:r:r1',
      'oc:{p0}:ix:sp:s1',
      'oc:{p0}:ix:o:bus-co',
      // Ride counters of bus-co for the UTC day of T0 (2025-06-15), in the same hash slot.
      'oc:{p0}:st:bus-co:20250615',
      // The open-entry index (docs/decisions/0113), kept with each card's fare state.
      'oc:{p0}:open',
      // The taps' dedupe keys, in the bucket of their UTC day (docs/decisions/0196).
      'oc:{p0}:seen:20254',
    ]);
    // Both taps fall in the hour starting 1749999600000; each adds a ride and its 200 fen.
    const stats = [11, '1749999600000|r1|none|r', 1, '1749999600000|r1|none|c', 200];
    expect(JSON.parse(first.args[0]!)).toEqual([
      TTL,
      [
        [
          'tap:bus-1:1',
          'tap:bus-1:1',
          5,
          '3',
          '4',
          '800',
          String(taps[0]!.deviceTimeMs),
          [6, 7, 8, 9, 10],
          '{}',
          stats,
          // A bus ride leaves no open entry: the card is taken off the index.
          12,
          false,
          token(0),
          13,
          // A ride leaves the card's entitlement uses as they are (docs/decisions/0203).
          false,
        ],
        [
          'tap:bus-1:3',
          'tap:bus-1:3',
          5,
          '4',
          '5',
          '600',
          String(taps[2]!.deviceTimeMs),
          [6, 7, 8, 9, 10],
          '{}',
          stats,
          12,
          false,
          token(0),
          13,
          false,
        ],
      ],
      // Records, their indexes and counters kept (docs/decisions/0204).
      true,
    ]);
    expect(first.args.slice(1)).toEqual([
      JSON.stringify(effects[0]!.record),
      JSON.stringify(effects[0]!.result),
      JSON.stringify(effects[2]!.record),
      JSON.stringify(effects[2]!.result),
    ]);
  });

  it('pass no index key or counter when the history lives elsewhere, and still the record (0204)', () => {
    const effects = planRun(new Map([[token(0), card(0)]]), [tap({ cardToken: token(0), seq: 1 })]);
    const [call] = commitCalls(effects, keys, TTL, false);
    expect(call!.keys).toEqual([
      'oc:{p0}:seen',
      'oc:{p0}:rec',
      'oc:{p0}:ix:t',
      'oc:{p0}:outbox',
      `oc:{p0}:card:${token(0)}`,
      'oc:{p0}:open',
      'oc:{p0}:seen:20254',
    ]);
    const [ttl, [meta], keep] = JSON.parse(call!.args[0]!);
    expect([ttl, keep, meta[7], meta[9]]).toEqual([TTL, false, [], false]);
    expect(call!.args[1]).toBe(JSON.stringify(effects[0]!.record));
  });

  it('pass each key once in first-use order when a call spans two days and two operators (0205)', () => {
    const DAY = 86_400_000;
    const cards = new Map([0, 16].map((n) => [token(n), card(n)]));
    const taps = [
      tap({ cardToken: token(0), seq: 1 }),
      tap({ cardToken: token(16), seq: 2, deviceTimeMs: T0 + DAY, operatorId: 'metro-co', routeId: 'm1' }),
      tap({ cardToken: token(0), seq: 3, deviceTimeMs: T0 + 3000 }),
    ];
    const [call] = commitCalls(planRun(cards, taps), keys, TTL);
    expect(call!.keys.slice(4)).toEqual([
      `oc:{p0}:card:${token(0)}`,
      `oc:{p0}:ix:c:${token(0)}`,
      'oc:{p0}:ix:d:bus-1',
      'oc:{p0}:ix:r:r1',
      'oc:{p0}:ix:sp:s1',
      'oc:{p0}:ix:o:bus-co',
      'oc:{p0}:st:bus-co:20250615',
      'oc:{p0}:open',
      'oc:{p0}:seen:20254',
      `oc:{p0}:card:${token(16)}`,
      `oc:{p0}:ix:c:${token(16)}`,
      'oc:{p0}:ix:r:m1',
      'oc:{p0}:ix:o:metro-co',
      'oc:{p0}:st:metro-co:20250616',
      'oc:{p0}:seen:20255',
    ]);
    const meta = JSON.parse(call!.args[0]!)[1] as unknown[][];
    // Card, indexes, counters, open entries and day bucket by number: the third effect reuses the first's.
    expect(meta.map((m) => [m[2], m[7], (m[9] as unknown[])[0], m[10], m[13]])).toEqual([
      [5, [6, 7, 8, 9, 10], 11, 12, 13],
      [14, [15, 7, 16, 9, 17], 18, 12, 19],
      [5, [6, 7, 8, 9, 10], 11, 12, 13],
    ]);
  });

  it('leave the card out of an effect that does not touch it', () => {
    const effect = rideOf(unknownCard(token(2)), tap({ cardToken: token(2), seq: 1 }));
    const [call] = commitCalls([effect], keys, TTL);
    expect(JSON.parse(call!.args[0]!)[1][0].slice(2, 5)).toEqual([0, false, '']);
    expect(call!.keys.some((k) => k.includes(':card:'))).toBe(false);
  });

  it('put the replies back in the order of the effects', () => {
    const effects = planRun(new Map([[token(1), card(1)]]), [tap({ cardToken: token(1), seq: 1 })]);
    const [call] = commitCalls(effects, keys, TTL);
    const outcomes: CommitOutcome[] = [];
    decodeCall(
      call!,
      effects,
      [ScriptResult.DUPLICATE, JSON.stringify({ ...effects[0]!.result, chargedFen: 7 })],
      outcomes,
    );
    expect(outcomes).toEqual([{ status: 'duplicate', result: { ...effects[0]!.result, chargedFen: 7 } }]);
    expect(() => decodeCall(call!, effects, [99, ''], outcomes)).toThrow(
      'Lua script commitEffects returned an unknown code: 99',
    );
  });
});
