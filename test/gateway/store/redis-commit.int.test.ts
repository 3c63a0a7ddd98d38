// The commit on one real Redis as ONE commitEffects call for all partitions (docs/decisions/0210),
// attacked: a resend answers the original results and charges nothing twice; a conflict in the
// middle of a call over many partitions cuts only its own card's chain; a dedupe value written
// before 0210 (JSON) still answers; a card with no open entry before or after costs no ZREM; the
// outbox gets one entry per partition and call, the applied records' frames (0209).
// Commands are watched with MONITOR, filtered to this suite's key prefix.
import { describe, expect, it } from 'vitest';
import type { CardState } from '../../../core/card.js';
import { dedupeDay } from '../../../core/dedupe-window.js';
import { planTap } from '../../../core/ledger.js';
import { PackWriter, type Unpacked, unpack } from '../../../gateway/src/store/msgpack.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { claimCall, commitCalls } from '../../../gateway/src/store/redis-commit.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { defineScripts, nativesOf, type ScriptName } from '../../../gateway/src/store/redis-scripts.js';
import { decodeRecordBatch, recordFrame } from '../../../protos/record-codec.js';
import { testEnv } from '../../support/env.js';
import { watched as watchedOn } from '../../support/redis-monitor.js';
import { redisSuite } from '../../support/redis-suite.js';
import { fare, issue, load, planRun, T0, tap, token } from './fixtures.js';

const suite = redisSuite();

/** The commands run on this suite's keys while `body` runs (test/support/redis-monitor.ts). */
const watched = (body: () => Promise<void>) => watchedOn(suite.admin, suite.prefix, body);

function open() {
  return openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix, partitions: 16 });
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

  it('claims several devices in one call as separate calls in that order would (0228)', async () => {
    const store = await open();
    const scripts = defineScripts(suite.admin);
    const keys = new RedisKeys(suite.prefix, 16);
    const a = { deviceId: 'bus-a', epoch: '', claims: [{ seq: 1, digest: 'a1', at: T0 }], now: T0 };
    const b = {
      deviceId: 'bus-b',
      epoch: 'e'.repeat(16),
      claims: [{ seq: 1, digest: 'b1', at: T0 }],
      now: T0,
    };
    // The same device and seq again in the same call: with the same content (a resend) it holds;
    // with other content it is refused, as a second call would be.
    const again = { ...a };
    const other = { ...a, claims: [{ seq: 1, digest: 'zz', at: T0 }] };
    const call = claimCall(keys, [a, b, again, other], 60);
    // The answer names the refused claims only, numbered over the call: the fourth.
    expect(await scripts.run('claimTaps', call.keys, call.args)).toEqual([4]);
    // Each device's marks moved; its claims kept under its own keys.
    expect(await store.seenBeforeWindow('bus-a', '', [1, 2])).toEqual([true, false]);
    expect(await store.seenBeforeWindow('bus-b', 'e'.repeat(16), [1])).toEqual([true]);
    expect(await suite.admin.hgetall(keys.tapClaimsIn('bus-a', '', 0))).toEqual({ 1: 'a1' });
    expect(await suite.admin.hgetall(keys.tapClaimsIn('bus-b', 'e'.repeat(16), 0))).toEqual({ 1: 'b1' });
    // Through the store: the claims of one turn's batches are one call, each answered its own.
    const answers = await Promise.all([
      store.claimTaps('bus-a', '', [{ seq: 2, digest: 'a2', at: T0 }], T0),
      store.claimTaps('bus-b', 'e'.repeat(16), [{ seq: 1, digest: 'nope', at: T0 }], T0),
      store.claimTaps(
        'bus-c',
        '',
        [
          { seq: 9, digest: 'c9', at: T0 },
          { seq: 10, digest: 'c10', at: T0 },
        ],
        T0,
      ),
    ]);
    expect(answers).toEqual([[true], [false], [true, true]]);
    await store.close();
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
    const keys = new RedisKeys(suite.prefix, 16);
    const cards = new Map<string, CardState>();
    // Cards 1 and 17 share partition 1, card 2 is alone in partition 2.
    for (const n of [1, 17, 2]) cards.set(token(n), await issue(store, n, 1_000));
    const early = planRun(cards, [tap({ cardToken: token(17), seq: 1 })]);
    await store.commit(early);
    await suite.admin.del(keys.outbox(1));
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
      const all = await suite.admin.xrangeBuffer(keys.outbox(p), '-', '+');
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

  it('answers a dedupe value written before 0210 (JSON) as it was, in a store upgraded to 0222', async () => {
    const keys0 = new RedisKeys(suite.prefix, 16);
    const first = await open();
    const card = await issue(first, 7, 1_000);
    await first.close();
    // The store is older than 0222: its first gateway of 0222 dates the upgrade (T0's day + 2).
    await suite.admin.set(keys0.tapFieldsSince(), String(dedupeDay(T0) + 2));
    const store = await open();
    const t = tap({ cardToken: token(7), seq: 1 });
    const effect = planTap(card, t, fare, T0);
    const old = { outcome: 'charged', chargedFen: 150, balanceAfterFen: 850, reason: 'OK' };
    const keys = new RedisKeys(suite.prefix, 16);
    const bucket = keys.seenOn(keys.partitionOf(token(7)), dedupeDay(t.deviceTimeMs));
    await suite.admin.hset(bucket, effect.dedupeKey, JSON.stringify(old));
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

// The malformed calls go to the Lua scripts and to the module's commands alike (docs/decisions/0232):
// one contract, refused whole by both, with the same reasons.
describe.each([
  ['the Lua script', new Set<ScriptName>()],
  ['the module (ONECARD.COMMIT, ONECARD.CLAIM)', new Set<ScriptName>(['commitEffects', 'claimTaps'])],
] as const)('Redis commit and claims calls refused whole, %s', (_, natives) => {
  it('runs on the implementation named (the test Redis loads the module)', async () => {
    expect(await nativesOf(suite.admin, ['commitEffects', 'claimTaps'])).toEqual(
      new Set(['commitEffects', 'claimTaps']),
    );
  });

  it('refuses a call with malformed effects whole (a column too long or missing, not columns, a key number as text or past KEYS, a frame length off): nothing is written', async () => {
    const store = await open();
    const keys = new RedisKeys(suite.prefix, 16);
    // Two cards in two partitions: ARGV[3] has two segments.
    const cards = [7, 8];
    expect(keys.partitionOf(token(7))).not.toBe(keys.partitionOf(token(8)));
    const planned = [];
    for (const [i, n] of cards.entries())
      planned.push(planTap(await issue(store, n, 1_000), tap({ cardToken: token(n), seq: i + 1 }), fare, T0));
    const [call] = commitCalls(planned, keys, 60, { keepRecords: false });
    const columns = unpack(call!.args[3] as Buffer)[0] as Unpacked[][];
    // Columns as the gateway writes them (0218), from rows of fields.
    const pack = (rows: Unpacked[][], width = 12) => {
      const w = new PackWriter().array(width);
      for (let c = 0; c < width; c++) {
        w.array(rows.length);
        for (const row of rows) {
          const v = row[c];
          typeof v === 'number' ? w.int(v) : Buffer.isBuffer(v) ? w.bytes(v) : w.str(String(v));
        }
      }
      return w.finish();
    };
    const rows = columns[0]!.map((_, i) => columns.map((c) => c[i]!));
    const edit = (i: number, field: number, value: Unpacked) =>
      rows.map((r, j) => (j === i ? r.map((v, f) => (f === field ? value : v)) : r));
    const frames = call!.args[2] as Buffer;
    const scripts = defineScripts(suite.admin, undefined, natives);
    const run = (packed: Buffer, frameBytes: Buffer = frames) =>
      scripts.run('commitEffects', call!.keys, [...call!.args.slice(0, 2), frameBytes, packed]);
    // The good call is as the gateway sends it.
    expect(pack(rows)).toEqual(call!.args[3]);
    // A dedupe key too many: column 1 is one longer than the others.
    const extra = new PackWriter()
      .array(12)
      .array(3)
      .str('tap:x')
      .str(String(rows[0]![0]))
      .str(String(rows[1]![0]));
    for (let c = 1; c < 12; c++) {
      extra.array(2);
      for (const row of rows)
        typeof row[c] === 'number' ? extra.int(row[c] as number) : extra.str(String(row[c]));
    }
    for (const [packed, reason] of [
      [extra.finish(), /malformed effects: column 2 is not 3 long/],
      [pack(rows, 11), /malformed effects: not one array of 12 columns/],
      [new PackWriter().str('tap:1').finish(), /malformed effects: not one array of 12 columns/],
      [Buffer.concat([pack(rows), new PackWriter().int(1).finish()]), /malformed effects: not one array/],
      // The second effect's card number as text, past KEYS; its dedupe hash and outbox past KEYS.
      [pack(edit(1, 1, '1')), /malformed effect 2/],
      [pack(edit(1, 1, 99)), /malformed effect 2/],
      [pack(edit(1, 8, -99)), /malformed effect 2/],
      [pack(edit(1, 10, 99)), /malformed effect 2/],
      // A frame length negative, fractional (as text: MessagePack ints only here), past the end.
      [pack(edit(0, 11, -1)), /malformed effect 1/],
      [pack(edit(0, 11, '1.5')), /malformed effect 1/],
      [pack(edit(1, 11, (rows[1]![11] as number) + 1)), /frame lengths add up to \d+ bytes, not \d+/],
    ] as const)
      await expect(run(packed)).rejects.toThrow(reason);
    // ARGV[3] truncated (its last byte gone), or with a byte past the frames.
    await expect(run(pack(rows), frames.subarray(0, frames.length - 1))).rejects.toThrow(
      /frame lengths add up/,
    );
    await expect(run(pack(rows), Buffer.concat([frames, Buffer.from([0])]))).rejects.toThrow(
      /frame lengths add up/,
    );
    for (const n of cards) {
      expect(await load(store, token(n))).toMatchObject({ balanceFen: 1_000, version: 1 });
      expect(await suite.admin.xlen(keys.outbox(keys.partitionOf(token(n))))).toBe(0);
    }
    expect(await suite.admin.keys(`${suite.prefix}:*seen*`)).toEqual([]);
    // The good call applies both: the reply names no effect (only those that did not apply).
    expect(await run(pack(rows))).toEqual([]);
    await store.close();
  });

  it('refuses a call whose old dedupe fields are malformed whole: an odd list, an effect number out of range, a field not a string, not a list (0222)', async () => {
    const store = await open();
    const keys = new RedisKeys(suite.prefix, 16);
    const planned = [planTap(await issue(store, 7, 1_000), tap({ cardToken: token(7), seq: 1 }), fare, T0)];
    const [call] = commitCalls(planned, keys, 60, { keepRecords: false, oldFieldsUntil: dedupeDay(T0) });
    const name = planned[0]!.dedupeKey;
    // The gateway names the tap's key for a day up to the upgrade's.
    expect(unpack(call!.args[4] as Buffer)).toEqual([[1, name]]);
    const scripts = defineScripts(suite.admin, undefined, natives);
    const run = (old: Buffer | string) =>
      scripts.run('commitEffects', call!.keys, [...call!.args.slice(0, 4), old]);
    const list = (...items: Array<number | string>) => {
      const w = new PackWriter().array(items.length);
      for (const v of items) typeof v === 'number' ? w.int(v) : w.str(v);
      return w.finish();
    };
    for (const old of [
      list(1),
      list(0, name),
      list(2, name),
      list(1, 7),
      new PackWriter().str(name).finish(),
      Buffer.from([0xc1]),
      Buffer.concat([list(1, name), list(1, name)]),
    ])
      await expect(run(old)).rejects.toThrow(/malformed old fields/);
    expect(await load(store, token(7))).toMatchObject({ balanceFen: 1_000, version: 1 });
    expect(await suite.admin.keys(`${suite.prefix}:*seen*`)).toEqual([]);
    // As sent, and with no old field at all: applied once (no effect named), then effect 1 a
    // duplicate with its original result.
    expect(await run(call!.args[4]!)).toEqual([]);
    expect(await run('')).toEqual([1, 2, expect.any(String)]);
    await store.close();
  });

  it('refuses a claims call whose sections, claims, runs or day are malformed whole: no claim and no mark written (0217, 0220, 0221, 0228)', async () => {
    const keys = new RedisKeys(suite.prefix, 16);
    // Two buckets: seq 1 in b0, seq 200 in b1; a malformed claim in the second run, or a
    // malformed second section, must not let the first be written.
    const good = claimCall(
      keys,
      [
        {
          deviceId: 'bus-9',
          epoch: '',
          claims: [
            { seq: 1, digest: 'd1', at: T0 },
            { seq: 200, digest: 'd2', at: T0 },
          ],
          now: T0,
        },
      ],
      60,
    );
    const scripts = defineScripts(suite.admin, undefined, natives);
    const ttl = good.args[0]!;
    const day = dedupeDay(T0);
    type Cell = number | string | Cell[] | { raw: number };
    /** A MessagePack value written by hand (an int where a string belongs, and so on). */
    const write = (w: PackWriter, v: Cell): PackWriter => {
      if (Array.isArray(v)) {
        w.array(v.length);
        for (const x of v) write(w, x);
      } else if (typeof v === 'number') w.int(v);
      else if (typeof v === 'string') w.str(v);
      else w.int(v.raw);
      return w;
    };
    const packed = (...values: Cell[]) => {
      const w = new PackWriter();
      for (const v of values) write(w, v);
      return w.finish();
    };
    /** A section as claimCall writes it, any part replaced. */
    const sec = (
      runKeys: Cell[],
      counts: Cell[],
      seqs: Cell[],
      digests: Cell[],
      head: Cell[] = [1, '-', day],
    ): Cell[] => [...head, runKeys, counts, seqs, digests];
    const goodSec = sec([2, 3], [1, 1], ['1', '200'], ['d1', 'd2']);
    const call = (...sections: Cell[]) => [ttl, packed(sections)];
    const refused: Array<[Array<string | Buffer>, RegExp]> = [
      // Not sections: a string, a second value after the array, a section of six, not an array.
      [[ttl, packed('tap:1')], /malformed sections: not one array/],
      [[ttl, packed([goodSec], 1)], /malformed sections: not one array/],
      [call([1, '-', day, [2], [1], ['1']]), /malformed section 1: not an array of 7/],
      [call('x'), /malformed section 1: not an array of 7/],
      // The marks key#: past KEYS, a string; the field not a string; the day not a number.
      [
        call(sec([2, 3], [1, 1], ['1', '200'], ['d1', 'd2'], [9, '-', day])),
        /malformed section 1: marks key# or field/,
      ],
      [
        call(sec([2, 3], [1, 1], ['1', '200'], ['d1', 'd2'], ['1', '-', day])),
        /malformed section 1: marks key# or field/,
      ],
      [
        call(sec([2, 3], [1, 1], ['1', '200'], ['d1', 'd2'], [1, { raw: 5 }, day])),
        /malformed section 1: marks key# or field/,
      ],
      [
        call(sec([2, 3], [1, 1], ['1', '200'], ['d1', 'd2'], [1, '-', String(day)])),
        /malformed section 1: day/,
      ],
      // A column that is not an array.
      [
        call(sec([2, 3], [1, 1], '1' as unknown as Cell[], ['d1', 'd2'])),
        /malformed section 1: column 3 is not an array/,
      ],
      // Columns of different lengths: a digest short, a count short.
      [call(sec([2, 3], [1, 1], ['1', '200'], ['d1'])), /malformed section 1: columns of different lengths/],
      [
        call(sec([2, 3], [1], ['1', '200'], ['d1', 'd2'])),
        /malformed section 1: columns of different lengths/,
      ],
      // A run's key#: the section's marks hash, past KEYS, a string; its count: 0, a string.
      [call(sec([1, 3], [1, 1], ['1', '200'], ['d1', 'd2'])), /malformed section 1: run 1/],
      [call(sec([2, 4], [1, 1], ['1', '200'], ['d1', 'd2'])), /malformed section 1: run 2/],
      [call(sec(['2', 3], [1, 1], ['1', '200'], ['d1', 'd2'])), /malformed section 1: run 1/],
      [call(sec([2, 3], [0, 2], ['1', '200'], ['d1', 'd2'])), /malformed section 1: run 1/],
      [call(sec([2, 3], ['1', 1], ['1', '200'], ['d1', 'd2'])), /malformed section 1: run 1/],
      // Counts that add up to more or fewer claims than sent.
      [
        call(sec([2, 3], [1, 2], ['1', '200'], ['d1', 'd2'])),
        /malformed section 1: 3 claims in runs, 2 sent/,
      ],
      [call(sec([2], [1], ['1', '200'], ['d1', 'd2'])), /malformed section 1: 1 claims in runs, 2 sent/],
      // In the second run: a seq that is not a number, a seq as an integer (the bucket's field
      // is the decimal string), a digest that is not a string.
      [call(sec([2, 3], [1, 1], ['1', 'x'], ['d1', 'd2'])), /malformed section 1: claim 2/],
      [call(sec([2, 3], [1, 1], ['1', { raw: 200 }], ['d1', 'd2'])), /malformed section 1: claim 2/],
      [call(sec([2, 3], [1, 1], ['1', '200'], ['d1', { raw: 7 }])), /malformed section 1: claim 2/],
      // A good section, then a malformed one: the first is not written either (0228).
      [call(goodSec, sec([2, 3], [1, 1], ['1', 'x'], ['d1', 'd2'])), /malformed section 2: claim 2/],
      [call(goodSec, [1, '-', day]), /malformed section 2: not an array of 7/],
      // The layout before 0228 (bucketTtl, field, day, columns), and a third argument.
      [
        [
          ttl,
          '-',
          String(day),
          packed([
            [2, 3],
            [1, 1],
            ['1', '200'],
            ['d1', 'd2'],
          ]),
        ],
        /malformed call: 4 arguments, not 2/,
      ],
      [[...good.args, 'x'], /malformed call: 3 arguments, not 2/],
    ];
    for (const [args, reason] of refused)
      await expect(scripts.run('claimTaps', good.keys, args)).rejects.toThrow(reason);
    // Bytes cmsgpack cannot read (a type byte MessagePack does not define, a truncated array):
    // the unpack raises, so the call is refused before it reads or writes anything.
    for (const bytes of [Buffer.from([0xc1]), Buffer.from([0x94, 0x91])])
      await expect(scripts.run('claimTaps', good.keys, [ttl, bytes])).rejects.toThrow();
    expect(await suite.admin.exists(...good.keys)).toBe(0);
    // The good call alone claims, both seqs, under their decimal strings (no claim refused).
    expect(await scripts.run('claimTaps', good.keys, good.args)).toEqual([]);
    expect(await suite.admin.hgetall(good.keys[1]!)).toEqual({ 1: 'd1' });
    expect(await suite.admin.hgetall(good.keys[2]!)).toEqual({ 200: 'd2' });
  });
});
