// The consumer side of the records topic. The relay publishes at least once: a crash between
// Kafka's acknowledgement and the outbox ack sends the same batch again, and a lease taken over
// by another gateway instance may overlap. A message is a RecordBatch (docs/decisions/0209) whose
// records each carry their id, stable across resends; a resent batch holds the same records, so
// a consumer decodes the message (records-message.ts) and applies each record once by
// remembering the ids it has seen:
//
//   const dedupe = createRecordDeduper(1_000_000);
//   for each message:
//     const m = decodeRecordsMessage(message.value, message.headers);
//     if (!m.ok) refuse(m.reason);  // counted, logged, skipped: nothing of it applied
//     else for (const r of m.records) if (!dedupe.seen(r.id)) apply(r);
//
// Resends come soon after the original (the relay re-reads its outbox within seconds), so a
// bounded window of recent ids is enough; size it above the records a consumer handles in the
// longest relay outage it must ride out. A consumer whose effects must be exactly once forever
// (settlement, the history in PostgreSQL) keeps the ids in its own database, in the same
// transaction as the effect.
import { LRUCache } from 'lru-cache';

export {
  decodeRecordsMessage,
  RECORD_BATCH_SCHEMA,
  RECORD_JSON_SCHEMA,
  SCHEMA_HEADER,
} from './records-message.js';

export interface RecordDeduper {
  /** True when this id was seen before (a resend: skip it); false the first time (remembered now). */
  seen(recordId: string): boolean;
  /** Ids currently remembered (at most maxKeys). */
  readonly size: number;
}

export function createRecordDeduper(maxKeys: number): RecordDeduper {
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`maxKeys must be a positive integer, got ${maxKeys}`);
  }
  const ids = new LRUCache<string, true>({ max: maxKeys });
  return {
    seen(recordId) {
      // get() refreshes recency, so an id that keeps coming back stays remembered.
      if (ids.get(recordId)) return true;
      ids.set(recordId, true);
      return false;
    },
    get size() {
      return ids.size;
    },
  };
}
