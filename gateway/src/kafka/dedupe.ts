// The consumer side of the records topic. The relay publishes at least once: a crash between
// Kafka's acknowledgement and the outbox ack sends the same records again, and a lease taken over
// by another gateway instance may overlap. Every message carries its record id in the 'record-id'
// header (also record.id in the value), stable across resends, so a consumer applies each record
// once by remembering the ids it has seen:
//
//   const dedupe = createRecordDeduper(1_000_000);
//   for each message: if (!dedupe.seen(recordIdOf(message))) apply(message);
//
// Resends come soon after the original (the relay re-reads its outbox within seconds), so a
// bounded window of recent ids is enough; size it above the records a consumer handles in the
// longest relay outage it must ride out. A consumer whose effects must be exactly once forever
// (settlement) keeps the ids in its own database, in the same transaction as the effect.
import { LRUCache } from 'lru-cache';
import type { MessageHeader } from 'node-rdkafka';

export const RECORD_ID_HEADER = 'record-id';
export const SCHEMA_HEADER = 'schema';
export const RECORD_SCHEMA = 'onecard.v1.LedgerRecord+json';

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

/** The record id a message carries in its 'record-id' header, or undefined when it has none. */
export function recordIdOf(headers: readonly MessageHeader[] | undefined): string | undefined {
  for (const header of headers ?? []) {
    const value = header[RECORD_ID_HEADER];
    if (value !== undefined) return value.toString();
  }
  return undefined;
}
