// What was: the records committed, queried by card, device, place, operator and time, and the
// ride counters kept with them. Written only by LedgerStore.commit (same atomic step); a
// history backend of its own (PostgreSQL, fed from the outbox) would implement this alone.
import type { LedgerRecord } from '../../../../core/ledger.js';
import type { StatSummary } from '../../stats/rides.js';

export interface RecordQuery {
  cardToken?: string;
  /** The masked number as records carry it (core/pii.ts maskCardNumber): every card shown so. */
  cardMasked?: string;
  deviceId?: string;
  routeId?: string;
  /** Metro station or venue-less gate's station (record.stationId). */
  stationId?: string;
  /** Bus stop (record.stopId). */
  stopId?: string;
  operatorId?: string;
  /** Inclusive lower bound on record.at (Unix ms). */
  from?: number;
  /** Exclusive upper bound on record.at (Unix ms). */
  to?: number;
  /** Only records of these kinds (a card holder's rides, visits or top-ups); absent: every kind. */
  kinds?: readonly LedgerRecord['kind'][];
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface RecordPage {
  /** Newest first (by record.at, then id). */
  items: LedgerRecord[];
  /** Present when there may be more. */
  nextCursor?: string;
}

export interface HistoryStore {
  queryRecords(q: RecordQuery): Promise<RecordPage>;
  /**
   * Ride counters for hours in [from, to), summed per hour, per line and per concession group
   * (stats/rides.ts summarize), from buckets commit() keeps in the same atomic step as the
   * records (statOf). operatorId undefined: every operator.
   */
  queryStats(q: { operatorId?: string; from: number; to: number }): Promise<StatSummary>;
}
