// The records' wire codec (protos/record-codec.ts): what the outbox and the records topic carry
// must come back as exactly the record the gateway committed, field for field, to the fen.

import $protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../core/ledger.js';
import type { onecard } from '../../protos/gen/onecard.js';
import { decodeRecordBatch, encodeRecordBatch, recordFrame } from '../../protos/record-codec.js';
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
  ])('refuses a record with %s rather than round it', (_, record) => {
    expect(() => recordFrame(record)).toThrow(RangeError);
  });

  it('refuses bytes that are not a RecordBatch', () => {
    expect(() => decodeRecordBatch(Buffer.from('{"id":"tap:x"}'))).toThrow();
  });
});
