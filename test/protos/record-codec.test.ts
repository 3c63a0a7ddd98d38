// The records' wire codec (protos/record-codec.ts): what the outbox and the records topic carry
// must come back as exactly the record the gateway committed, field for field, to the fen.

import $protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../core/ledger.js';
import type { onecard } from '../../protos/gen/onecard.js';
import {
  decodeRecordBatch,
  encodeRecordBatch,
  RecordFrames,
  recordFrame,
} from '../../protos/record-codec.js';
import { v1 } from '../../protos/wire.js';
import { rides } from '../gateway/store/pg/records.js';

const ride: LedgerRecord = rides(1, Date.UTC(2026, 11, 5, 1, 2, 3), 1000)[0]!;

const cases: Array<[string, LedgerRecord]> = [
  ['a ride planned by the core', ride],
  [
    'a metro exit with fare lines, a negative reversal and a concession',
    {
      ...ride,
      kind: 'ride',
      direction: 'exit',
      stationId: 'bj-m-xizhimen',
      routeId: '',
      concession: 'student',
      baseFen: 600,
      chargedFen: -200,
      lines: [
        { kind: 'base', fen: 600, note: '6 yuan band' },
        { kind: 'reversal', fen: -800, note: 'gives back the maximum fare' },
      ],
      subsidyFen: 300,
      amountFen: 200,
      balanceAfterFen: 0,
      offline: true,
      edgeDecision: 'allow',
      edgeReason: 'OK',
    },
  ],
  [
    'a top-up: no device, seq 0, empty names',
    {
      ...ride,
      id: 'topup:req-1',
      kind: 'topup',
      deviceId: '',
      seq: 0,
      routeId: '',
      direction: '',
      credential: '',
      edgeDecision: '',
      edgeReason: '',
      chargedFen: 0,
      lines: [],
      amountFen: 5_000,
      balanceAfterFen: 2 ** 40,
    },
  ],
  ['a visit admitted on a pass', { ...ride, kind: 'visit', venueId: 'museum-1', entitlementId: 'pass-7' }],
  ['a visit whose entitlement id is empty (kept as set)', { ...ride, kind: 'visit', entitlementId: '' }],
  [
    'free text past one length byte, in Chinese, and a record past the scratch buffer',
    {
      ...ride,
      concession: '老年人'.repeat(50),
      lines: [
        { kind: 'base', fen: 300, note: '票价 3 元'.repeat(40) },
        { kind: 'base', fen: 1, note: 'x'.repeat(20_000) },
      ],
    },
  ],
  [
    'an ASCII string of exactly 127 and 128 bytes',
    { ...ride, stopId: 's'.repeat(127), routeId: 'r'.repeat(128) },
  ],
  ['a time before 1970 goes the generated way', { ...ride, at: -1, committedAt: -86_400_000 }],
  [
    'the largest numbers a record carries',
    { ...ride, seq: Number.MAX_SAFE_INTEGER, at: 253_402_300_799_000, balanceAfterFen: -(2 ** 50) },
  ],
];

/** The generated encoder's frame of a record: what the hand-written ones are held to. */
function generatedFrame(record: LedgerRecord): Buffer {
  const w = $protobuf.Writer.create();
  v1.LedgerRecord.encode(record as onecard.v1.ILedgerRecord, w.uint32(10).fork()).ldelim();
  return w.finish() as Buffer;
}

/** A seeded generator (mulberry32): the same records on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Records of every size around the length prefix's steps (a body under 128 bytes, 128 to 16,383,
 * past the hand writer's limit), ASCII and not, empty and set fields, every number width.
 */
function randomRecord(next: () => number, i: number): LedgerRecord {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const text = () => {
    const n = pick([0, 0, 1, 5, 30, 127, 128, 300]);
    const alphabet = pick(['abc-123', '票价元老', 'aé\u{1f68c}']);
    const chars = [...alphabet];
    let s = '';
    for (let k = 0; k < n; k++) s += pick(chars);
    return s;
  };
  const int = () =>
    pick([
      ...[0, 1, 127, 128, 16_383, 16_384, 2 ** 28 - 1, 2 ** 28, 2 ** 28 + 1, 2 ** 31, 2 ** 35 - 1],
      ...[2 ** 35, 2 ** 40, 1_765_000_000_123, 2 ** 52 - 1, Number.MAX_SAFE_INTEGER],
    ]);
  const fen = () =>
    pick([0, 1, -1, 63, -64, 64, 8_191, -8_192, 2 ** 40, -(2 ** 40), 2 ** 51, -(2 ** 52) + 1]);
  const small = next() < 0.3;
  const r: LedgerRecord = {
    ...ride,
    id: small ? `t${i}` : `tap:${text()}:${i}`,
    cardToken: small ? '' : ride.cardToken,
    cardMasked: small ? '' : text(),
    operatorId: small ? '' : text(),
    deviceId: text(),
    seq: int(),
    routeId: text(),
    stopId: small ? '' : text(),
    stationId: text(),
    venueId: next() < 0.2 ? text() : '',
    at: next() < 0.05 ? -1 : int(),
    committedAt: int(),
    offline: next() < 0.5,
    concession: text(),
    baseFen: fen(),
    chargedFen: fen(),
    lines: Array.from({ length: pick([0, 1, 3]) }, () => ({
      kind: pick(['base', 'reversal'] as const),
      fen: fen(),
      note: next() < 0.02 ? 'n'.repeat(17_000) : text(),
    })),
    subsidyFen: fen(),
    amountFen: fen(),
    balanceAfterFen: fen(),
  };
  if (next() < 0.3) r.entitlementId = text();
  return r;
}

describe('records wire codec', () => {
  it.each(cases)('%s comes back field for field', (_, record) => {
    const [back] = decodeRecordBatch(recordFrame(record));
    expect(back).toStrictEqual(record);
  });

  it.each(cases)('%s: the same bytes as the generated encoder', (_, record) => {
    const w = $protobuf.Writer.create();
    v1.LedgerRecord.encode(record as onecard.v1.ILedgerRecord, w.uint32(10).fork()).ldelim();
    expect(recordFrame(record).equals(w.finish() as Buffer)).toBe(true);
  });

  it('a frame is its own copy: the next record does not overwrite it', () => {
    const a = recordFrame(ride);
    const copy = Buffer.from(a);
    recordFrame({ ...ride, id: 'tap:other:9', cardToken: 'f'.repeat(32) });
    expect(a.equals(copy)).toBe(true);
  });

  it('a batch is its records’ frames one after another, in order', () => {
    const records = cases.map(([, r], i) => ({ ...r, id: `${r.id}-${i}` }));
    const concatenated = Buffer.concat(records.map(recordFrame));
    expect(encodeRecordBatch(records).equals(concatenated)).toBe(true);
    expect(decodeRecordBatch(concatenated)).toStrictEqual(records);
    // The generated decoder agrees: any protobuf consumer reads the concatenation as a RecordBatch.
    expect(v1.RecordBatch.decode(concatenated).records.map((r) => r.id)).toEqual(records.map((r) => r.id));
  });

  it('a ride decodes with its keys in the order the gateway builds them, so its JSON is the same', () => {
    const [back] = decodeRecordBatch(recordFrame(ride));
    expect(JSON.stringify(back)).toBe(JSON.stringify(ride));
  });

  describe('RecordFrames: the frames written straight into one buffer (0219)', () => {
    it("gives the generated encoder's frames one after another, and each frame's length", () => {
      const records = cases.map(([, r], i) => ({ ...r, id: `${r.id}-${i}` }));
      // 64 bytes to start with: the buffer grows several times, once past a 20,000-byte record.
      const frames = new RecordFrames(64);
      const lengths = records.map((r) => frames.append(r));
      const expected = records.map(generatedFrame);
      expect(lengths).toEqual(expected.map((f) => f.length));
      expect(frames.finish().equals(Buffer.concat(expected))).toBe(true);
    });

    it("1,000 seeded records of every size and width: the generated encoder's bytes", () => {
      const next = seeded(219);
      const records = Array.from({ length: 1_000 }, (_, i) => randomRecord(next, i));
      // Bodies on both sides of the length prefix's steps are among them.
      const sizes = records.map((r) => generatedFrame(r).length);
      expect(sizes.some((n) => n < 128)).toBe(true);
      expect(sizes.some((n) => n > 16_384)).toBe(true);
      const frames = new RecordFrames();
      const lengths = records.map((r) => frames.append(r));
      expect(lengths).toEqual(sizes);
      expect(frames.finish().equals(Buffer.concat(records.map(generatedFrame)))).toBe(true);
      for (const r of records) expect(recordFrame(r).equals(generatedFrame(r))).toBe(true);
      expect(decodeRecordBatch(encodeRecordBatch(records))).toStrictEqual(records);
    });

    it("300 seeded batches whose records share fields, as a batch's rides do: the generated encoder's bytes (0221)", () => {
      // Each record takes every field a batch's rides share (who, where, the device's decision,
      // the outcome) from the one before, or now and then a new value: one field changed alone,
      // the same value as another string object, non-ASCII values, offline turned on and off; two
      // writers filled in turn. (0221 tried copying such runs of fields as bytes encoded once a
      // batch: it held to this test and was no faster, so it was not kept.)
      const next = seeded(221);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
      const values = ['', 'r1', 's-09', 'bench-plan', '票价元老', 'x'.repeat(100), 'y'.repeat(300)];
      const shared = [
        'operatorId',
        'deviceId',
        'routeId',
        'stopId',
        'stationId',
        'venueId',
        'direction',
        'credential',
        'edgeDecision',
        'edgeReason',
        'concession',
        'outcome',
        'reason',
      ] as const;
      for (let b = 0; b < 300; b++) {
        const frames = [new RecordFrames(64), new RecordFrames(64)];
        const written: LedgerRecord[][] = [[], []];
        let prev = randomRecord(next, b * 1000);
        const taps = 1 + Math.floor(next() * 40);
        for (let i = 0; i < taps; i++) {
          const r: LedgerRecord = { ...randomRecord(next, b * 1000 + i + 1) };
          const fields = r as unknown as Record<string, string | boolean>;
          const before = prev as unknown as Record<string, string | boolean>;
          for (const f of shared) {
            const roll = next();
            if (roll < 0.85) fields[f] = before[f] as string;
            else if (roll < 0.9) fields[f] = [...(before[f] as string)].join('');
            else if (roll < 0.95) fields[f] = pick(values);
          }
          if (next() < 0.9) r.offline = prev.offline;
          const w = next() < 0.5 ? 0 : 1;
          expect(frames[w]!.append(r)).toBe(generatedFrame(r).length);
          written[w]!.push(r);
          prev = r;
        }
        for (const w of [0, 1])
          expect(frames[w]!.finish().equals(Buffer.concat(written[w]!.map(generatedFrame)))).toBe(true);
      }
    });

    it('two writers filled in turn (one per commit call) keep their own records', () => {
      const a = new RecordFrames(64);
      const b = new RecordFrames(64);
      const records = cases.map(([, r], i) => ({ ...r, id: `${r.id}-${i}` }));
      for (const [i, r] of records.entries()) (i % 2 === 0 ? a : b).append(r);
      expect(decodeRecordBatch(a.finish())).toStrictEqual(records.filter((_, i) => i % 2 === 0));
      expect(decodeRecordBatch(b.finish())).toStrictEqual(records.filter((_, i) => i % 2 === 1));
    });

    it('refuses a record with a fraction and writes nothing of it', () => {
      const frames = new RecordFrames(64);
      frames.append(ride);
      expect(() => frames.append({ ...ride, amountFen: 0.5 })).toThrow(RangeError);
      expect(() => frames.append({ ...ride, lines: [{ kind: 'base', fen: Number.NaN, note: '' }] })).toThrow(
        RangeError,
      );
      expect(frames.finish().equals(generatedFrame(ride))).toBe(true);
    });
  });

  it('an empty batch has no records', () => {
    expect(decodeRecordBatch(new Uint8Array(0))).toEqual([]);
  });

  it('is smaller than the JSON it replaces', () => {
    expect(recordFrame(ride).length).toBeLessThan(Buffer.byteLength(JSON.stringify(ride)) / 2);
  });

  it.each([
    ['a fraction of a fen', { ...ride, chargedFen: 0.5 }],
    ['a fare line of Infinity fen', { ...ride, lines: [{ kind: 'base' as const, fen: Infinity, note: '' }] }],
    ['a NaN time', { ...ride, at: Number.NaN }],
    ['a seq past 2^53', { ...ride, seq: 2 ** 60 }],
    // Every number field (0235: recordBound alone decides which records are checked there).
    ['a commit time of Infinity', { ...ride, committedAt: Infinity }],
    ['a base fare of -Infinity', { ...ride, baseFen: -Infinity }],
    ['a subsidy of half a fen', { ...ride, subsidyFen: 0.5 }],
    ['an amount of -0.25 fen', { ...ride, amountFen: -0.25 }],
    ['a NaN balance', { ...ride, balanceAfterFen: Number.NaN }],
  ])('refuses a record with %s rather than round it', (_, record) => {
    expect(() => recordFrame(record)).toThrow(RangeError);
  });

  it('refuses bytes that are not a RecordBatch', () => {
    expect(() => decodeRecordBatch(Buffer.from('{"id":"tap:x"}'))).toThrow();
  });
});
