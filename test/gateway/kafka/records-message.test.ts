// The records topic's messages both ways (gateway/src/kafka/records-message.ts): what the relay
// makes of an outbox entry, and what a consumer makes of a message, the old JSON one included,
// or why it refuses it.
import type { MessageHeader } from 'node-rdkafka';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import {
  batchMessage,
  decodeRecordsMessage,
  pageMessages,
  RECORD_BATCH_SCHEMA,
  RECORD_JSON_SCHEMA,
} from '../../../gateway/src/kafka/records-message.js';
import type { onecard } from '../../../protos/gen/onecard.js';
import { encodeRecordBatch } from '../../../protos/record-codec.js';
import { v1 } from '../../../protos/wire.js';
import { rides } from '../store/pg/records.js';

const [a, b] = rides(2, Date.UTC(2026, 11, 5, 1, 2, 3), 1000) as [LedgerRecord, LedgerRecord];
const batchHeaders = [{ schema: RECORD_BATCH_SCHEMA }];

/** A batch written with the generated encoder, so it can carry what recordFrame refuses. */
function generatedBatch(records: object[]): Buffer {
  return Buffer.from(v1.RecordBatch.encode({ records } as onecard.v1.IRecordBatch).finish());
}

describe('batchMessage', () => {
  it('carries the entry bytes as they are, keyed by the outbox partition, with the batch schema', () => {
    const batch = encodeRecordBatch([a, b]);
    const m = batchMessage(7, { id: '1700000000000-3', batch, count: 2, committedAt: 1 });
    expect(m.key).toBe('7');
    expect(m.value.buffer).toBe(batch.buffer);
    expect(m.value.byteOffset).toBe(batch.byteOffset);
    expect(m.headers).toEqual([{ schema: 'onecard.v1.RecordBatch+protobuf' }]);
    expect(m.opaque).toBe('outbox 7/1700000000000-3');
  });

  it('takes a plain Uint8Array (a store may hand one) without copying it', () => {
    const bytes = new Uint8Array(encodeRecordBatch([a]));
    const m = batchMessage(0, { id: '1', batch: bytes, count: 1, committedAt: 1 });
    expect(Buffer.isBuffer(m.value)).toBe(true);
    expect(m.value.buffer).toBe(bytes.buffer);
  });
});

describe('pageMessages', () => {
  const records = rides(12, Date.UTC(2026, 11, 5, 2), 1000);
  // Six outbox entries of two records each, as six commit calls left them in one partition.
  const entries = Array.from({ length: 6 }, (_, i) => ({
    id: `1700000000000-${i}`,
    batch: encodeRecordBatch(records.slice(2 * i, 2 * i + 2)),
    count: 2,
    committedAt: i,
  }));

  it('joins a page into one message whose batch holds every record in commit order', () => {
    const [m, ...more] = pageMessages(3, entries);
    expect(more).toEqual([]);
    expect(m!.key).toBe('3');
    expect(m!.headers).toEqual([{ schema: RECORD_BATCH_SCHEMA }]);
    expect(m!.opaque).toBe('outbox 3/1700000000000-0..1700000000000-5');
    expect(decodeRecordsMessage(m!.value, m!.headers)).toEqual({ ok: true, records });
  });

  it('starts a new message before one would pass the byte bound; an entry past it goes alone', () => {
    const size = Math.max(...entries.map((e) => e.batch.byteLength));
    // Room for two entries a message, not three: three messages, records still whole and in order.
    const messages = pageMessages(0, entries, 2 * size);
    expect(messages).toHaveLength(3);
    const back = messages.flatMap((m) => {
      const d = decodeRecordsMessage(m.value, m.headers);
      return d.ok ? d.records : [];
    });
    expect(back).toEqual(records);
    // A bound below one entry: each entry is a message of its own, its bytes as they are.
    const alone = pageMessages(0, entries, 1);
    expect(alone).toHaveLength(6);
    expect(alone[4]!.value.buffer).toBe(entries[4]!.batch.buffer);
  });

  it('makes no message of an empty page', () => {
    expect(pageMessages(0, [])).toEqual([]);
  });

  it("carries a joined message's entries as parts, the very bytes, joined only when its value is read (0236)", () => {
    const [m] = pageMessages(3, entries);
    expect(m!.parts).toHaveLength(6);
    m!.parts!.forEach((p, i) => {
      expect(p.buffer).toBe(entries[i]!.batch.buffer);
    });
    expect(m!.value).toEqual(Buffer.concat(entries.map((e) => e.batch)));
    expect(m!.value).toBe(m!.value);
  });
});

describe('decodeRecordsMessage', () => {
  it('reads every record of a batch, in order', () => {
    expect(decodeRecordsMessage(encodeRecordBatch([a, b]), batchHeaders)).toEqual({
      ok: true,
      records: [a, b],
    });
  });

  it('reads a message from before 0209: one record as JSON, with or without its schema header', () => {
    const json = Buffer.from(JSON.stringify(a));
    const old: MessageHeader[] = [
      { 'record-id': Buffer.from(a.id) },
      { schema: Buffer.from(RECORD_JSON_SCHEMA) },
    ];
    expect(decodeRecordsMessage(json, old)).toEqual({ ok: true, records: [a] });
    expect(decodeRecordsMessage(json, undefined)).toEqual({ ok: true, records: [a] });
  });

  it('gives an old JSON record without subsidyFen the subsidy of its lines, as the stores read it', () => {
    const { subsidyFen: _, ...before0162 } = a;
    const got = decodeRecordsMessage(Buffer.from(JSON.stringify(before0162)), undefined);
    expect(got).toEqual({ ok: true, records: [a] });
  });

  it('refuses a schema it does not know, whatever the value', () => {
    expect(decodeRecordsMessage(encodeRecordBatch([a]), [{ schema: 'onecard.v2.Batch+avro' }])).toEqual({
      ok: false,
      reason: 'unknown_schema',
      detail: 'schema onecard.v2.Batch+avro',
    });
  });

  it('refuses a value that is not a RecordBatch, and bytes that decode to no record', () => {
    const json = decodeRecordsMessage(Buffer.from(JSON.stringify(a)), batchHeaders);
    expect(json).toMatchObject({ ok: false, reason: 'undecodable' });
    expect(decodeRecordsMessage(Buffer.alloc(0), batchHeaders)).toEqual({
      ok: false,
      reason: 'undecodable',
      detail: 'no records',
    });
    expect(decodeRecordsMessage(null, batchHeaders)).toMatchObject({ ok: false, reason: 'undecodable' });
    // A record frame cut short.
    const cut = encodeRecordBatch([a]).subarray(0, 40);
    expect(decodeRecordsMessage(cut, batchHeaders)).toMatchObject({ ok: false, reason: 'undecodable' });
    expect(decodeRecordsMessage(Buffer.from('{"id":'), undefined)).toMatchObject({
      ok: false,
      reason: 'undecodable',
    });
  });

  it('refuses the whole batch when one record has no id, no kind or no time', () => {
    const noId = generatedBatch([{ ...b, id: '' }]);
    const bad = Buffer.concat([encodeRecordBatch([a]), noId]);
    expect(decodeRecordsMessage(bad, batchHeaders)).toEqual({
      ok: false,
      reason: 'bad_record',
      detail: 'a record without an id',
    });
    expect(decodeRecordsMessage(generatedBatch([{ ...a, kind: '' }]), batchHeaders)).toMatchObject({
      reason: 'bad_record',
    });
    expect(decodeRecordsMessage(generatedBatch([{ ...a, at: 0 }]), batchHeaders)).toMatchObject({
      reason: 'bad_record',
    });
  });

  it('refuses a batch with a number past 2^53, which no longer reads exactly', () => {
    const got = decodeRecordsMessage(generatedBatch([a, { ...b, seq: 2 ** 60 }]), batchHeaders);
    expect(got).toEqual({
      ok: false,
      reason: 'bad_record',
      detail: `record ${b.id}: seq ${2 ** 60} is not whole`,
    });
  });

  it('refuses an old JSON record whose money is not whole, or with a fare line that is not', () => {
    expect(decodeRecordsMessage(Buffer.from(JSON.stringify({ ...a, chargedFen: 150.5 })), undefined)).toEqual(
      {
        ok: false,
        reason: 'bad_record',
        detail: `record ${a.id}: chargedFen 150.5 is not whole`,
      },
    );
    const line = { ...a, lines: [{ kind: 'base', fen: 0.1, note: '' }] };
    expect(decodeRecordsMessage(Buffer.from(JSON.stringify(line)), undefined)).toMatchObject({
      reason: 'bad_record',
    });
    expect(decodeRecordsMessage(Buffer.from('[1]'), undefined)).toMatchObject({ reason: 'bad_record' });
  });
});
