import { describe, expect, it } from 'vitest';
import { unknownCard } from '../../../core/card.js';
import { dedupeDay } from '../../../core/dedupe-window.js';
import type { EffectResult } from '../../../core/ledger.js';
import { PackWriter, type Unpacked, unpack } from '../../../gateway/src/store/msgpack.js';
import type { CommitOutcome } from '../../../gateway/src/store/port.js';
import { ScriptResult } from '../../../gateway/src/store/redis-codes.js';
import {
  claimCall,
  commitCalls,
  commitCallsViewed,
  commitScratchKept,
  decodeCall,
  decodeClaims,
  MAX_KEPT_BYTES,
} from '../../../gateway/src/store/redis-commit.js';
import { partitionOf, RedisKeys, tapField } from '../../../gateway/src/store/redis-keys.js';
import { decodeResult, encodeResult, packResult } from '../../../gateway/src/store/redis-results.js';
import { subBucketOf } from '../../../gateway/src/store/redis-seen-split.js';
import { encodeCommand, Joined, SplitKeys } from '../../../gateway/src/store/resp.js';
import { outcomes } from '../../../protos/codec.js';
import { recordFrame } from '../../../protos/record-codec.js';
import { planRun, rideOf, T0, tap, token, topUpOf } from './fixtures.js';

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

/**
 * Each effect's fields as commitEffects-0.lua reads them (its header's layout): ARGV[4] holds one
 * MessagePack array of columns, each one field of every effect (0218): twelve, then with records
 * kept a thirteenth, the record's four and its index keys and counters counted by their own k and
 * m (0217). Put back here as one row per effect, in the order of the fields; as strings.
 */
function parseArgs(args: ReadonlyArray<string | Buffer>) {
  const effects: Array<{ f: string[]; indexes: string[]; stats: string[] }> = [];
  const keepRecords = args[1] === '1';
  expect(args).toHaveLength(5);
  const all = unpack(args[3] as Buffer);
  expect(all).toHaveLength(1);
  const columns = all[0] as Unpacked[][];
  expect(columns).toHaveLength(keepRecords ? 13 : 12);
  const n = columns[0]!.length;
  for (const c of columns) expect(c).toHaveLength(n);
  for (let i = 0; i < n; i++) {
    // A tap's field is bytes (0222): as latin1, one character a byte.
    const x = columns.slice(0, 12).map((c) => {
      const v = c[i];
      return Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
    });
    if (!keepRecords) {
      effects.push({ f: x, indexes: [], stats: [] });
      continue;
    }
    const tail = (columns[12]![i] as Unpacked[]).map((v) => String(v));
    x.push(...tail);
    const k = Number(x[16]);
    const m = Number(x[17 + k]);
    expect(x).toHaveLength(18 + k + m);
    effects.push({ f: x.slice(0, 16), indexes: x.slice(17, 17 + k), stats: x.slice(18 + k, 18 + k + m) });
  }
  return { head: args.slice(0, 3), effects };
}

describe('commitEffects calls', () => {
  it('make one call for all partitions on one Redis, keys passed once, effects in order (0210)', () => {
    const cards = new Map([0, 1].map((n) => [token(n), card(n)]));
    const taps = [0, 1, 0].map((n, i) => tap({ cardToken: token(n), seq: i + 1 }));
    const effects = planRun(cards, taps);
    const calls = commitCalls(effects, keys, TTL);
    expect(calls.map((c) => c.positions)).toEqual([[0, 1, 2]]);
    const [call] = calls;
    expect(call!.keys).toEqual([
      `oc:{p0}:card:${token(0)}`,
      // The open-entry index (docs/decisions/0113), kept with each card's fare state.
      'oc:{p0}:open',
      // The taps' dedupe keys, in the bucket of their UTC day (docs/decisions/0196).
      'oc:{p0}:seen:20254',
      'oc:{p0}:rec',
      'oc:{p0}:outbox',
      'oc:{p0}:ix:t',
      `oc:{p0}:ix:c:${token(0)}`,
      'oc:{p0}:ix:d:bus-1',
      'oc:{p0}:ix:r:r1',
      'oc:{p0}:ix:sp:s1',
      'oc:{p0}:ix:o:bus-co',
      // Ride counters of bus-co for the UTC day of T0 (2025-06-15), in the same hash slot.
      'oc:{p0}:st:bus-co:20250615',
      `oc:{p1}:card:${token(1)}`,
      'oc:{p1}:open',
      'oc:{p1}:seen:20254',
      'oc:{p1}:rec',
      'oc:{p1}:outbox',
      'oc:{p1}:ix:t',
      `oc:{p1}:ix:c:${token(1)}`,
      'oc:{p1}:ix:d:bus-1',
      'oc:{p1}:ix:r:r1',
      'oc:{p1}:ix:sp:s1',
      'oc:{p1}:ix:o:bus-co',
      'oc:{p1}:st:bus-co:20250615',
    ]);
    const { head, effects: parsed } = parseArgs(call!.args);
    // Records, their indexes and counters kept (docs/decisions/0204).
    // The records as the outboxes carry them, one RecordBatch element each, grouped by outbox in
    // first-use order and in effect order within it (0218): partition 0's two, then partition 1's.
    expect(head).toEqual([
      String(TTL),
      '1',
      Buffer.concat([effects[0]!, effects[2]!, effects[1]!].map((e) => recordFrame(e.record))),
    ]);
    // Both taps of card 0 fall in the hour starting 1749999600000; each adds a ride and its 200 fen.
    const stats = ['12', '1749999600000|r1|none|r', '1', '1749999600000|r1|none|c', '200'];
    expect(call!.args[4]).toBe('');
    // A tap's dedupe entry is under its 12 bytes (0222), passed as they are.
    const field = tapField(token(0), 'tap:bus-1:1');
    expect((call!.args[3] as Buffer).includes(Buffer.concat([Buffer.of(0xa0 | 12), field]))).toBe(true);
    expect(parsed[0]).toEqual({
      f: [
        field.toString('latin1'),
        // The card by number, the version it must have, and its stored head after the ride:
        // version, balance, fare state (docs/decisions/0214).
        '1',
        '3',
        '4\n800\n{}',
        // A ride leaves the card's entitlement uses as they are (docs/decisions/0203).
        '',
        '2',
        // A bus ride leaves no open entry: the card is taken off the index (if it was on it).
        '',
        token(0),
        '3',
        // The compact result: charged, reason OK (wire codes, 0210), 200 fen, 800 after (0222).
        '1015k:m8',
        '5',
        // The length of its frame in ARGV[3] (docs/decisions/0209).
        String(recordFrame(effects[0]!.record).length),
        // With records kept: its id, time, JSON body and records hash.
        'tap:bus-1:1',
        String(taps[0]!.deviceTimeMs),
        JSON.stringify(effects[0]!.record),
        '4',
      ],
      indexes: ['6', '7', '8', '9', '10', '11'],
      stats,
    });
    // The third effect (card 0 again) reuses the first's keys; the second has its partition's.
    expect(parsed[2]!.f.slice(1, 4)).toEqual(['1', '4', '5\n600\n{}']);
    expect([parsed[2]!.f[5], parsed[2]!.f[8], parsed[2]!.f[15], parsed[2]!.f[10]]).toEqual([
      '2',
      '3',
      '4',
      '5',
    ]);
    expect(parsed[2]!.indexes).toEqual(parsed[0]!.indexes);
    expect(parsed[1]!.indexes).toEqual(['18', '19', '20', '21', '22', '23']);
    expect(parsed[1]!.stats[0]).toBe('24');
  });

  it('make one call per partition on a Cluster, each with only its own keys', () => {
    const cards = new Map([0, 1].map((n) => [token(n), card(n)]));
    const taps = [0, 1, 0].map((n, i) => tap({ cardToken: token(n), seq: i + 1 }));
    const calls = commitCalls(planRun(cards, taps), keys, TTL, { perPartition: true });
    expect(calls.map((c) => c.positions)).toEqual([[0, 2], [1]]);
    expect(calls.map((c) => new Set(c.keys.map((k) => k.slice(0, 7))))).toEqual([
      new Set(['oc:{p0}']),
      new Set(['oc:{p1}']),
    ]);
    expect(parseArgs(calls[1]!.args).effects[0]!.f[1]).toBe('1');
    // Each call carries only its own effects' frames.
    const effects = planRun(cards, taps);
    expect(calls.map((c) => c.args[2])).toEqual([
      Buffer.concat([recordFrame(effects[0]!.record), recordFrame(effects[2]!.record)]),
      recordFrame(effects[1]!.record),
    ]);
  });

  it("on a Cluster, give each partition the call one Redis would get for that partition's effects alone (0234)", () => {
    // 300 seeded effects of 60 cards over 16 and 1,024 partitions: rides, a card's later taps,
    // top-ups, taps of two days (two dedupe buckets), records kept or not, old fields to read.
    let seed = 234;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const cards = new Map(Array.from({ length: 60 }, (_, n) => [token(n * 37 + 1), card(n * 37 + 1)]));
    const tokens = [...cards.keys()];
    const taps = Array.from({ length: 280 }, (_, i) =>
      tap({
        cardToken: tokens[Math.floor(next() * tokens.length)]!,
        seq: i + 1,
        deviceId: `bus-${i % 3}`,
        deviceTimeMs: T0 + (i < 140 ? 0 : 86_400_000) + i * 1000,
      }),
    );
    const effects = planRun(cards, taps);
    for (let i = 0; i < 20; i++) effects.splice(i * 15, 0, topUpOf(card(i * 37 + 1), `top-${i}`, 500 + i));
    for (const partitions of [16, 1024])
      for (const keepRecords of [true, false])
        for (const oldFieldsUntil of [-1, dedupeDay(T0)]) {
          const k = new RedisKeys('oc', partitions);
          const opts = { keepRecords, oldFieldsUntil, subBuckets: () => 4 };
          const calls = commitCalls(effects, k, TTL, { ...opts, perPartition: true });
          expect(calls.flatMap((c) => c.positions).sort((a, b) => a - b)).toEqual(effects.map((_, i) => i));
          for (const call of calls) {
            const [alone] = commitCalls(
              call.positions.map((i) => effects[i]!),
              k,
              TTL,
              opts,
            );
            // Compared as the bytes sent (a deep equality of every Buffer is slow enough to
            // time out on a loaded machine).
            const sent = encodeCommand('ONECARD.COMMIT', [String(call.keys.length)], call.keys, call.args);
            const one = encodeCommand(
              'ONECARD.COMMIT',
              [String(alone!.keys.length)],
              alone!.keys,
              alone!.args,
            );
            if (!sent.equals(one))
              expect({ partitions, keepRecords, oldFieldsUntil, call }).toEqual({ alone });
          }
        }
  });

  it("hand out arguments of their own: the next commit, on one Redis or a Cluster, leaves a commit's bytes as they were (0235)", () => {
    const cards = new Map([0, 1, 2].map((n) => [token(n), card(n)]));
    const first = planRun(
      cards,
      [0, 1, 2, 0].map((n, i) => tap({ cardToken: token(n), seq: i + 1 })),
    );
    const other = planRun(
      cards,
      [2, 1, 0, 2].map((n, i) => tap({ cardToken: token(n), seq: i + 50, routeId: 'r9' })),
    );
    for (const perPartition of [false, true]) {
      const calls = commitCalls(first, keys, TTL, { perPartition, keepRecords: false });
      const bytes = calls.map((c) => encodeCommand('ONECARD.COMMIT', [], c.keys, c.args));
      // The scratch the first commit wrote into is written over by these.
      commitCalls(other, keys, TTL, { perPartition, keepRecords: false });
      commitCalls(other, keys, TTL, { perPartition, keepRecords: true });
      expect(calls.map((c) => encodeCommand('ONECARD.COMMIT', [], c.keys, c.args))).toEqual(bytes);
    }
  });

  it('viewed, write the same command as copied ones, with no Buffer joined for the frames or the columns (0236)', () => {
    const cards = new Map([0, 1, 2, 3].map((n) => [token(n), card(n)]));
    const effects = planRun(
      cards,
      [0, 1, 2, 3, 0, 2].map((n, i) => tap({ cardToken: token(n), seq: i + 1 })),
    );
    for (const keepRecords of [false, true]) {
      const copied = commitCalls(effects, keys, TTL, { keepRecords }).map((c) =>
        encodeCommand('ONECARD.COMMIT', [String(c.keys.length)], c.keys, c.args),
      );
      const viewed = commitCallsViewed(effects, keys, TTL, { keepRecords });
      expect(viewed).toHaveLength(1);
      expect(viewed[0]!.args[2]).toBeInstanceOf(Joined);
      expect(viewed[0]!.args[3]).toBeInstanceOf(Joined);
      // Its keys split, each card's as its partition's head and its token (0244).
      const split = viewed[0]!.keys as SplitKeys;
      expect(split).toBeInstanceOf(SplitKeys);
      expect(split.tails.filter((t) => t !== '').sort()).toEqual([0, 1, 2, 3].map(token).sort());
      const written = viewed.map((c) =>
        encodeCommand('ONECARD.COMMIT', [String(c.keys.length)], c.keys, c.args),
      );
      expect(written).toEqual(copied);
    }
  });

  it("viewed, refuse to be written once the next commit is built: a reused buffer never sends another commit's bytes (0236)", () => {
    const cards = new Map([0, 1].map((n) => [token(n), card(n)]));
    const [call] = commitCallsViewed(planRun(cards, [tap({ cardToken: token(0), seq: 1 })]), keys, TTL);
    commitCalls(planRun(cards, [tap({ cardToken: token(1), seq: 9 })]), keys, TTL);
    expect(() => encodeCommand('ONECARD.COMMIT', [], call!.keys, call!.args)).toThrow(
      'an argument read after its buffers were reused',
    );
    expect(() => (call!.args[2] as Joined).toBuffer()).toThrow('reused');
  });

  it('viewed on a Cluster, are Buffers of their own as commitCalls makes them (its calls go as scripts)', () => {
    const cards = new Map([0, 1, 2].map((n) => [token(n), card(n)]));
    const effects = planRun(
      cards,
      [0, 1, 2].map((n, i) => tap({ cardToken: token(n), seq: i + 1 })),
    );
    const viewed = commitCallsViewed(effects, keys, TTL, { perPartition: true });
    for (const c of viewed) {
      expect(Array.isArray(c.keys)).toBe(true);
      expect(Buffer.isBuffer(c.args[2])).toBe(true);
      expect(Buffer.isBuffer(c.args[3])).toBe(true);
    }
  });

  it('keep no scratch buffer past its bound once a commit larger than it is built (0235)', () => {
    // One partition, 300 rides of ~4 KB (long location ids): ~1.2 MB of frames in one writer,
    // past the 1 MB it may keep.
    const one = new RedisKeys('oc', 1);
    const cards = new Map([[token(0), { ...card(0), balanceFen: 1e9 }]]);
    const long = { routeId: 'r'.repeat(2_000), stopId: 's'.repeat(2_000) };
    const effects = planRun(
      cards,
      Array.from({ length: 300 }, (_, i) => tap({ cardToken: token(0), seq: i + 1, ...long })),
    );
    const [call] = commitCalls(effects, one, TTL, { keepRecords: false });
    expect((call!.args[2] as Buffer).length).toBeGreaterThan(MAX_KEPT_BYTES);
    expect(commitScratchKept().largest).toBeLessThanOrEqual(MAX_KEPT_BYTES);
    // And what it built is whole: every frame, in order.
    expect((call!.args[2] as Buffer).equals(Buffer.concat(effects.map((e) => recordFrame(e.record))))).toBe(
      true,
    );
  });

  it('pass no record JSON, index key or counter when the history lives elsewhere, and still the frame (0204)', () => {
    const effects = planRun(new Map([[token(0), card(0)]]), [tap({ cardToken: token(0), seq: 1 })]);
    const [call] = commitCalls(effects, keys, TTL, { keepRecords: false });
    expect(call!.keys).toEqual([
      `oc:{p0}:card:${token(0)}`,
      'oc:{p0}:open',
      'oc:{p0}:seen:20254',
      'oc:{p0}:outbox',
    ]);
    const { head, effects: parsed } = parseArgs(call!.args);
    expect(head).toEqual([String(TTL), '0', recordFrame(effects[0]!.record)]);
    expect(parsed).toEqual([{ f: expect.any(Array), indexes: [], stats: [] }]);
    // No record id, time, JSON body or records hash (nothing keeps them); the frame for the outbox.
    expect(parsed[0]!.f.slice(10)).toEqual(['4', String(recordFrame(effects[0]!.record).length)]);
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
    expect(call!.keys.slice(12)).toEqual([
      `oc:{p0}:card:${token(16)}`,
      'oc:{p0}:seen:20255',
      `oc:{p0}:ix:c:${token(16)}`,
      'oc:{p0}:ix:r:m1',
      'oc:{p0}:ix:o:metro-co',
      'oc:{p0}:st:metro-co:20250616',
    ]);
    const parsed = parseArgs(call!.args).effects;
    // Card, open entries, day bucket, records, outbox, indexes and counters by number.
    expect(parsed.map((e) => [e.f[1], e.f[5], e.f[8], e.f[15], e.f[10], e.indexes, e.stats[0]])).toEqual([
      ['1', '2', '3', '4', '5', ['6', '7', '8', '9', '10', '11'], '12'],
      ['13', '2', '14', '4', '5', ['6', '15', '8', '16', '10', '17'], '18'],
      ['1', '2', '3', '4', '5', ['6', '7', '8', '9', '10', '11'], '12'],
    ]);
  });

  it('name the old dedupe key of a tap dated up to the upgrade (0222), per call, and of no other', () => {
    const DAY = 86_400_000;
    const cards = new Map([0, 1].map((n) => [token(n), card(n)]));
    const taps = [
      tap({ cardToken: token(0), seq: 1 }),
      tap({ cardToken: token(1), seq: 2 }),
      tap({ cardToken: token(0), seq: 3, deviceTimeMs: T0 + DAY }),
    ];
    const effects = planRun(cards, taps);
    const topUp = topUpOf(card(1), 'r1', 100);
    const until = dedupeDay(T0);
    const [one] = commitCalls([...effects, topUp], keys, TTL, { oldFieldsUntil: until });
    // Effect numbers are 1-based in the call; the tap of the next day and the top-up have none.
    expect(unpack(one!.args[4] as Buffer)).toEqual([[1, 'tap:bus-1:1', 2, 'tap:bus-1:2']]);
    const perPartition = commitCalls(effects, keys, TTL, { oldFieldsUntil: until, perPartition: true });
    expect(perPartition.map((c) => c.args[4]).map((a) => (a === '' ? '' : unpack(a as Buffer)))).toEqual([
      [[1, 'tap:bus-1:1']],
      [[1, 'tap:bus-1:2']],
    ]);
    expect(commitCalls(effects, keys, TTL, { oldFieldsUntil: until - 1 })[0]!.args[4]).toBe('');
    expect(commitCalls(effects, keys, TTL)[0]!.args[4]).toBe('');
  });

  it('put each tap in the sub-bucket of its device key and block of seqs, taps of devices and blocks interleaved (0222, 0233)', () => {
    // Two devices' runs crossing a block boundary, interleaved, over two days, and a seq that is
    // not 15 digits: each tap's bucket key is the one subBucketOf names for it alone.
    const seqs = [126, 127, 128, 129, 1_000_000_000_000_000, 5, 6];
    const effects = seqs.flatMap((seq, i) =>
      ['bus-a', 'bus-b'].map((deviceId, d) => {
        const [e] = planRun(new Map([[token(1 + d), card(1 + d)]]), [
          tap({ cardToken: token(1 + d), deviceId, seq, deviceTimeMs: T0 + (i >= 5 ? 86_400_000 : 0) }),
        ]);
        return e!;
      }),
    );
    const count = 7;
    const [call] = commitCalls(effects, keys, TTL, { keepRecords: false, subBuckets: () => count });
    const { effects: rows } = parseArgs(call!.args);
    rows.forEach((row, i) => {
      const e = effects[i]!;
      const p = keys.partitionOf(e.cardToken);
      const want = keys.seenOn(p, dedupeDay(e.record.at), subBucketOf(e.dedupeKey, count));
      expect(call!.keys[Number(row.f[8]) - 1]).toBe(want);
    });
  });

  it('leave the card out of an effect that does not touch it', () => {
    const effect = rideOf(unknownCard(token(2)), tap({ cardToken: token(2), seq: 1 }));
    const [call] = commitCalls([effect], keys, TTL);
    expect(parseArgs(call!.args).effects[0]!.f.slice(1, 8)).toEqual(['0', '', '', '', '0', '', '']);
    expect(call!.keys.some((k) => k.includes(':card:'))).toBe(false);
  });

  it('carry every id byte for byte: a field is length-prefixed, so no character in one can shift the next', () => {
    const [effect] = planRun(new Map([[token(1), card(1)]]), [tap({ cardToken: token(1), seq: 1 })]);
    const odd = 'topup:a\tb\nc\u0000d票';
    const forged = { ...effect!, dedupeKey: odd, record: { ...effect!.record, id: odd } };
    const [call] = commitCalls([forged], keys, TTL);
    const { effects: parsed } = parseArgs(call!.args);
    expect(parsed[0]!.f[0]).toBe(odd);
    expect(parsed[0]!.f[12]).toBe(odd);
  });

  it('put the replies back in the order of the effects, old JSON results and compact ones alike', () => {
    const effects = planRun(new Map([[token(1), card(1)]]), [tap({ cardToken: token(1), seq: 1 })]);
    const [call] = commitCalls(effects, keys, TTL);
    const outcomes: CommitOutcome[] = [];
    const result = { ...effects[0]!.result, chargedFen: 7 };
    decodeCall(call!, effects, [1, ScriptResult.DUPLICATE, JSON.stringify(result)], outcomes);
    expect(outcomes).toEqual([{ status: 'duplicate', result }]);
    decodeCall(call!, effects, [1, ScriptResult.DUPLICATE, encodeResult(result)], outcomes);
    expect(outcomes).toEqual([{ status: 'duplicate', result }]);
    expect(() => decodeCall(call!, effects, [1, 99, ''], outcomes)).toThrow(
      'Lua script commitEffects returned an unknown code: 99',
    );
  });

  it('read a reply that names only the effects that did not apply: every other one applied (commitEffects-0.lua)', () => {
    const effects = planRun(
      new Map([
        [token(1), card(1)],
        [token(2), card(2)],
        [token(3), card(3)],
      ]),
      [1, 2, 3].map((n) => tap({ cardToken: token(n), seq: n })),
    );
    const [call] = commitCalls(effects, keys, TTL);
    const outcomes: CommitOutcome[] = [];
    decodeCall(call!, effects, [], outcomes);
    expect(outcomes).toEqual(effects.map((e) => ({ status: 'applied', result: e.result })));
    decodeCall(call!, effects, [2, ScriptResult.CONFLICT, ''], outcomes);
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'conflict', 'applied']);
    decodeCall(
      call!,
      effects,
      [1, ScriptResult.CONFLICT, '', 3, ScriptResult.DUPLICATE, encodeResult(effects[2]!.result)],
      outcomes,
    );
    expect(outcomes.map((o) => o.status)).toEqual(['conflict', 'applied', 'duplicate']);
  });

  it('refuse a reply that is not whole triples, names an effect twice, out of order or past the call, or says OK', () => {
    const effects = planRun(
      new Map([
        [token(1), card(1)],
        [token(2), card(2)],
      ]),
      [1, 2].map((n) => tap({ cardToken: token(n), seq: n })),
    );
    const [call] = commitCalls(effects, keys, TTL);
    const C = ScriptResult.CONFLICT;
    for (const [reply, reason] of [
      [[1, C], /answered \[1,3\] for 2 effects/],
      ['OK', /answered "OK" for 2 effects/],
      [[1, C, '', 2, C, '', 1, C, ''], /for 2 effects/],
      [[2, C, '', 1, C, ''], /effect 1 after 2 of 2/],
      [[1, C, '', 1, C, ''], /effect 1 after 1 of 2/],
      [[3, C, ''], /effect 3 after 0 of 2/],
      [[0, C, ''], /effect 0 after 0 of 2/],
      [['1', C, ''], /effect 1 after 0 of 2/],
      [[1.5, C, ''], /effect 1.5 after 0 of 2/],
      [[1, ScriptResult.OK, ''], /answered code 1/],
    ] as const)
      expect(() => decodeCall(call!, effects, reply, [])).toThrow(reason);
  });
});

describe('claimTaps calls', () => {
  it('carry the claims in their order as runs of one bucket of seqs, whatever day each claims, in one MessagePack argument: key#s, counts, seqs, digests (0217, 0218, 0220, 0221)', () => {
    const DAY = 86_400_000;
    const claims = [
      { seq: 1, digest: 'd1', at: T0 },
      { seq: 2, digest: 'd2', at: T0 + DAY },
      { seq: 128, digest: 'd3', at: T0 + 1000 },
      { seq: 127, digest: 'd4', at: T0 + 2000 },
      { seq: 2 ** 53 - 1, digest: 'd5', at: T0 },
    ];
    const call = claimCall(keys, [{ deviceId: 'bus-1', epoch: 'e'.repeat(16), claims, now: T0 }], TTL);
    expect(call.keys).toEqual([
      'oc:{d:bus-1}:hwm',
      `oc:{d:bus-1}:claims:${'e'.repeat(16)}:b0`,
      `oc:{d:bus-1}:claims:${'e'.repeat(16)}:b1`,
      `oc:{d:bus-1}:claims:${'e'.repeat(16)}:b${Math.floor((2 ** 53 - 1) / 128)}`,
    ]);
    expect(call.args).toEqual([String(TTL), expect.any(Buffer)]);
    // One section: the marks key#, the epoch's field, the day, then the four columns; the seqs as
    // the decimal strings the buckets store them under (a number past 2^31 too).
    expect(unpack(call.args[1] as Buffer)).toEqual([
      [
        [
          1,
          'e'.repeat(16),
          dedupeDay(T0),
          [2, 3, 2, 4],
          [2, 1, 1, 1],
          ['1', '2', '128', '127', String(2 ** 53 - 1)],
          ['d1', 'd2', 'd3', 'd4', 'd5'],
        ],
      ],
    ]);
    const none = claimCall(keys, [{ deviceId: 'bus-1', epoch: '', claims: [], now: T0 }], TTL);
    expect(unpack(none.args[1] as Buffer)).toEqual([[[1, '-', dedupeDay(T0), [], [], [], []]]]);
  });

  it('put several devices in one call, a section each in order, each key once (0228)', () => {
    const a = [{ seq: 1, digest: 'a1', at: T0 }];
    const b = [
      { seq: 5, digest: 'b5', at: T0 },
      { seq: 6, digest: 'b6', at: T0 },
    ];
    const DAY = 86_400_000;
    const call = claimCall(
      keys,
      [
        { deviceId: 'bus-1', epoch: '', claims: a, now: T0 },
        { deviceId: 'bus-2', epoch: 'f'.repeat(16), claims: b, now: T0 + DAY },
        // The same device again (a resend in the same turn): its keys are not repeated.
        { deviceId: 'bus-1', epoch: '', claims: a, now: T0 },
      ],
      TTL,
    );
    expect(call.keys).toEqual([
      'oc:{d:bus-1}:hwm',
      'oc:{d:bus-1}:claims:-:b0',
      'oc:{d:bus-2}:hwm',
      `oc:{d:bus-2}:claims:${'f'.repeat(16)}:b0`,
    ]);
    expect(unpack(call.args[1] as Buffer)).toEqual([
      [
        [1, '-', dedupeDay(T0), [2], [1], ['1'], ['a1']],
        [3, 'f'.repeat(16), dedupeDay(T0) + 1, [4], [2], ['5', '6'], ['b5', 'b6']],
        [1, '-', dedupeDay(T0), [2], [1], ['1'], ['a1']],
      ],
    ]);
    expect(
      decodeClaims(
        [
          { deviceId: 'bus-1', epoch: '', claims: a, now: T0 },
          { deviceId: 'bus-2', epoch: '', claims: b, now: T0 },
        ],
        [2],
      ),
    ).toEqual([[true], [false, true]]);
    expect(() => decodeClaims([{ deviceId: 'bus-1', epoch: '', claims: a, now: T0 }], [1, 1])).toThrow(
      /for 1 claims/,
    );
  });

  it('read a claims reply that names only the refused claims, numbered over every section (0230)', () => {
    const req = (n: number) => ({
      deviceId: `bus-${n}`,
      epoch: '',
      claims: Array.from({ length: n }, (_, i) => ({ seq: i + 1, digest: `d${i}`, at: T0 })),
      now: T0,
    });
    const three = [req(2), req(1), req(3)];
    expect(decodeClaims(three, [])).toEqual([[true, true], [true], [true, true, true]]);
    expect(decodeClaims(three, [1, 3, 6])).toEqual([[false, true], [false], [true, true, false]]);
    expect(decodeClaims(three, [2, 4])).toEqual([[true, false], [true], [false, true, true]]);
    for (const [reply, reason] of [
      [[7], /claim 7 after 0 of 6/],
      [[0], /claim 0 after 0 of 6/],
      [[3, 2], /claim 2 after 3 of 6/],
      [[2, 2], /claim 2 after 2 of 6/],
      [['1'], /claim 1 after 0 of 6/],
      [[1.5], /claim 1.5 after 0 of 6/],
      [[1, 2, 3, 4, 5, 6, 6], /for 6 claims/],
      ['OK', /answered "OK" for 6 claims/],
    ] as const)
      expect(() => decodeClaims(three, reply)).toThrow(reason);
  });

  it('make a run of each block a batch of 300 seqs crosses', () => {
    const claims = Array.from({ length: 300 }, (_, i) => ({ seq: 100 + i, digest: `d${i}`, at: T0 }));
    const call = claimCall(keys, [{ deviceId: 'bus-1', epoch: '', claims, now: T0 }], TTL);
    expect(call.keys).toHaveLength(5);
    const [, , , runKeys, runCounts, seqs] = (
      unpack(call.args[1] as Buffer)[0] as Unpacked[][]
    )[0] as Unpacked[][];
    expect(runKeys).toEqual([2, 3, 4, 5]);
    expect(runCounts).toEqual([28, 128, 128, 16]);
    expect(seqs).toEqual(claims.map((c) => String(c.seq)));
  });
});

describe('stored results', () => {
  it('round-trip every outcome and reason through the compact form, and read the JSON of before', () => {
    for (const outcome of outcomes.names)
      for (const reason of ['OK', 'UNSPECIFIED', 'CARD_LOST', 'CHARGED_INTO_NEGATIVE'] as const) {
        const r = { outcome, chargedFen: -150, balanceAfterFen: 12_345, reason };
        expect(decodeResult(encodeResult(r))).toEqual(r);
        expect(decodeResult(JSON.stringify(r))).toEqual(r);
      }
    const unknown = {
      outcome: 'recorded',
      chargedFen: 0,
      balanceAfterFen: 5,
      reason: 'UNKNOWN_CARD',
    } as const;
    expect(encodeResult(unknown)).toBe('20k0:5');
    // The decimal form of 0210 to 0222, still in the window after an upgrade.
    expect(decodeResult('2,0,5,20')).toEqual(unknown);
    // A city card's result fits 12 characters (a 16-byte Redis string): 9,999 fen charged, 9,999,999 left.
    expect(encodeResult({ ...unknown, chargedFen: 9_999, balanceAfterFen: 9_999_999 })).toHaveLength(12);
    // Amounts that are not safe integers keep the JSON.
    expect(encodeResult({ ...unknown, chargedFen: 0.5 })).toBe(
      JSON.stringify({ ...unknown, chargedFen: 0.5 }),
    );
  });

  it('are packed as the same bytes as the str of their text, compact or JSON, one after another (0240)', () => {
    const w = new PackWriter(16);
    const joined = new PackWriter(16);
    for (const outcome of outcomes.names)
      for (const reason of ['OK', 'UNSPECIFIED', 'CARD_LOST', 'CHARGED_INTO_NEGATIVE'] as const)
        for (const chargedFen of [0, 200, -150, 0.5])
          for (const balanceAfterFen of [0, 5, -1, 9_999_999, -(2 ** 40), 2 ** 53, Number.NaN]) {
            const r = { outcome, chargedFen, balanceAfterFen, reason };
            packResult(w, r);
            joined.str(encodeResult(r));
          }
    expect(w.finish().equals(joined.finish())).toBe(true);
  });

  it('write each result whole, whatever the one before it shared with it (the kept head, 0233)', () => {
    // Runs that share outcome, reason and amount, then change one of them at a time, and back.
    const base: EffectResult = { outcome: 'charged', chargedFen: 200, balanceAfterFen: 4_800, reason: 'OK' };
    const run: EffectResult[] = [
      base,
      { ...base, balanceAfterFen: 4_600 },
      { ...base, chargedFen: 300, balanceAfterFen: 4_300 },
      { ...base, reason: 'CHARGED_INTO_NEGATIVE', balanceAfterFen: -100 },
      { ...base, outcome: 'recorded', chargedFen: 0 },
      { ...base, chargedFen: 0.5 },
      base,
      { ...base, balanceAfterFen: 4_600 },
    ];
    for (const r of run) expect(decodeResult(encodeResult(r))).toEqual(r);
    expect(encodeResult(run[0]!)).toBe(encodeResult(run[6]!));
    expect(encodeResult(run[7]!)).not.toBe(encodeResult(run[0]!));
  });

  it('refuse a value that is neither', () => {
    expect(() => decodeResult('9,0,0,1')).toThrow("not a stored effect result: '9,0,0,1'");
    expect(() => decodeResult('1,0,0')).toThrow("not a stored effect result: '1,0,0'");
    expect(() => decodeResult('1015k:')).toThrow("not a stored effect result: '1015k:'");
    expect(() => decodeResult('z015k:m8')).toThrow("not a stored effect result: 'z015k:m8'");
    expect(() => decodeResult('10_5k:m8')).toThrow("not a stored effect result: '10_5k:m8'");
  });
});
