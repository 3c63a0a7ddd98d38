// The records topic's messages (docs/decisions/0209), both ways, in one place: the relay makes
// one message per page of a partition's outbox entries (their RecordBatches one after another,
// which is a RecordBatch), each entry's bytes as they are; a consumer turns a
// message back into records, or refuses it with a reason. A message from before 0209 (one record
// as JSON, header schema: onecard.v1.LedgerRecord+json) still reads, so a topic that holds both
// across an upgrade is consumed whole.
import type { MessageHeader } from 'node-rdkafka';
import type { LedgerRecord } from '../../../core/ledger.js';
import { withSubsidy } from '../../../core/subsidy.js';
import { decodeRecordBatch, RECORD_BATCH_SCHEMA } from '../../../protos/record-codec.js';
import type { OutboxEntry } from '../store/ports/outbox.js';
import type { OutgoingMessage } from './producer.js';

export { RECORD_BATCH_SCHEMA };
export const SCHEMA_HEADER = 'schema';
/** The value's format before 0209: one record as JSON. Read, never written. */
export const RECORD_JSON_SCHEMA = 'onecard.v1.LedgerRecord+json';

/**
 * The message for one outbox entry: keyed by its outbox partition, since a card's records all go
 * through one partition in commit order, so they stay in order in one Kafka partition.
 */
export function batchMessage(partition: number, entry: OutboxEntry): OutgoingMessage {
  const { batch } = entry;
  return {
    key: String(partition),
    // A view of the same bytes: nothing copied, nothing decoded.
    value: Buffer.isBuffer(batch) ? batch : Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength),
    headers: [{ [SCHEMA_HEADER]: RECORD_BATCH_SCHEMA }],
    opaque: `outbox ${partition}/${entry.id}`,
  };
}

/** The most bytes pageMessages puts in one message (Kafka's default limit is 1 MiB). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * The messages for a page of one partition's outbox entries, in order: consecutive entries joined
 * into one message up to maxBytes (an entry larger than that is a message of its own). The
 * concatenation of RecordBatches is one RecordBatch (a repeated field's elements one after
 * another), so a message still holds whole records in commit order; the broker then handles one
 * message per relay round and partition instead of one per commit call (~57 µs of Kafka CPU each
 * on this box, 0209).
 */
export function pageMessages(
  partition: number,
  entries: readonly OutboxEntry[],
  maxBytes = MAX_MESSAGE_BYTES,
): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  let from = 0;
  while (from < entries.length) {
    let to = from + 1;
    let bytes = entries[from]!.batch.byteLength;
    while (to < entries.length && bytes + entries[to]!.batch.byteLength <= maxBytes) {
      bytes += entries[to]!.batch.byteLength;
      to++;
    }
    if (to === from + 1) out.push(batchMessage(partition, entries[from]!));
    else {
      const joined = entries.slice(from, to);
      const first = joined[0]!;
      const last = joined.at(-1)!;
      out.push(
        joinedMessage(
          String(partition),
          joined.map((e) => e.batch),
          bytes,
          `outbox ${partition}/${first.id}..${last.id}`,
        ),
      );
    }
    from = to;
  }
  return out;
}

/**
 * A message of several entries' bytes: the producer joins its parts into a buffer it reuses
 * (producer.ts, join-buffer.ts; docs/decisions/0236); `value` joins them into a Buffer of its own,
 * once, only if something reads it (a stand-in sink, a test).
 */
function joinedMessage(
  key: string,
  parts: readonly Uint8Array[],
  bytes: number,
  opaque: string,
): OutgoingMessage {
  let value: Buffer | undefined;
  return {
    key,
    parts,
    get value(): Buffer {
      value ??= Buffer.concat(parts, bytes);
      return value;
    },
    headers: [{ [SCHEMA_HEADER]: RECORD_BATCH_SCHEMA }],
    opaque,
  };
}

/** Why a message was refused: a stable code for logs and counters. */
export type RecordsRefusal = 'unknown_schema' | 'undecodable' | 'bad_record';

export type DecodedRecords =
  | { ok: true; records: LedgerRecord[] }
  | { ok: false; reason: RecordsRefusal; detail: string };

type Headers = readonly MessageHeader[] | undefined;

/** The schema header's value; undefined when the message has none. */
export function schemaOf(headers: Headers): string | undefined {
  for (const header of headers ?? []) {
    const value = header[SCHEMA_HEADER];
    if (value !== undefined) return value.toString();
  }
  return undefined;
}

/**
 * A message's records, all of them or none: one bad record refuses the whole message, so a
 * consumer never writes half of a batch. A message with no schema header is read as the JSON of
 * one record, as consumers did before the header existed.
 */
export function decodeRecordsMessage(value: Buffer | null | undefined, headers: Headers): DecodedRecords {
  const schema = schemaOf(headers);
  let records: LedgerRecord[];
  try {
    if (schema === RECORD_BATCH_SCHEMA) records = decodeRecordBatch(value ?? Buffer.alloc(0));
    else if (schema === RECORD_JSON_SCHEMA || schema === undefined) records = [jsonRecord(value)];
    else return { ok: false, reason: 'unknown_schema', detail: `schema ${schema.slice(0, 80)}` };
  } catch (err) {
    return { ok: false, reason: 'undecodable', detail: (err as Error).message.slice(0, 200) };
  }
  // The relay never publishes an empty batch: bytes that decode to none are not a batch.
  if (records.length === 0) return { ok: false, reason: 'undecodable', detail: 'no records' };
  for (const r of records) {
    const bad = badRecord(r);
    if (bad) return { ok: false, reason: 'bad_record', detail: bad };
  }
  return { ok: true, records };
}

function jsonRecord(value: Buffer | null | undefined): LedgerRecord {
  const r = JSON.parse(value?.toString('utf8') ?? '') as LedgerRecord;
  if (typeof r !== 'object' || r === null) throw new TypeError('not a JSON object');
  return withSubsidy(r);
}

const WHOLE = [
  'seq',
  'at',
  'committedAt',
  'baseFen',
  'chargedFen',
  'subsidyFen',
  'amountFen',
  'balanceAfterFen',
];

/**
 * What no committed record can be: without an id, a kind or a time, or with a number that is not
 * whole (the ledger has no fractions of a fen; past 2^53 a number is no longer exact). Kind and
 * names are not checked against a list: a consumer older than a name still writes its record.
 */
function badRecord(r: LedgerRecord): string | undefined {
  if (typeof r.id !== 'string' || r.id === '') return 'a record without an id';
  if (typeof r.kind !== 'string' || (r.kind as string) === '') return `record ${r.id}: no kind`;
  if (typeof r.at !== 'number' || r.at <= 0) return `record ${r.id}: no time`;
  const fields = r as unknown as Record<string, unknown>;
  for (const name of WHOLE) {
    const v = fields[name];
    // Absent is zero (proto3 and older JSON alike); present must be a whole number.
    if (v !== undefined && !Number.isSafeInteger(v))
      return `record ${r.id}: ${name} ${String(v)} is not whole`;
  }
  // A record from before fare lines has none (core/subsidy.ts reads it the same way).
  if (r.lines !== undefined && !Array.isArray(r.lines)) return `record ${r.id}: fare lines not a list`;
  for (const l of r.lines ?? [])
    if (!Number.isSafeInteger(l?.fen)) return `record ${r.id}: fare line ${String(l?.fen)} is not whole`;
  return undefined;
}
