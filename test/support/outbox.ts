// The records an outbox page holds (store/ports/outbox.ts): each entry is a RecordBatch, decoded
// here so suites can compare records rather than bytes.
import type { LedgerRecord } from '../../core/ledger.js';
import type { OutboxEntry } from '../../gateway/src/store/port.js';
import { decodeRecordBatch } from '../../protos/record-codec.js';

/** Every record of the entries, in order (entries oldest first, each in commit order). */
export function outboxRecords(entries: readonly OutboxEntry[]): LedgerRecord[] {
  return entries.flatMap((e) => decodeRecordBatch(e.batch));
}
