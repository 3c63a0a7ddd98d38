// Ride counters for the console's charts (docs/decisions/0134): what one committed ride adds
// to its (operator, hour, line, concession) bucket. Pure; both stores apply it inside the same
// atomic commit as the record, so the figures never disagree with the records.
import type { LedgerRecord } from '../../../core/ledger.js';
import { withSubsidy } from '../../../core/subsidy.js';

export const HOUR_MS = 3_600_000;

export interface StatCounts {
  rides: number;
  /** Refused at the gate (lost card, no balance, ...). */
  denied: number;
  chargedFen: number;
  /** Allowed concession rides that cost the rider nothing. */
  free: number;
  /**
   * Concession subsidy, fen: the records' subsidyFen summed (core/subsidy.ts), so a claim
   * (补贴申报) from these counters equals one from the records (docs/decisions/0162).
   */
  subsidyFen: number;
}

export interface StatKey {
  operatorId: string;
  /** Start of the UTC hour, Unix ms. */
  hour: number;
  /** Route or metro line; for gates without one, the station or venue. */
  line: string;
  concession: string;
}

export type StatRow = StatKey & StatCounts;

export const metrics = ['rides', 'denied', 'chargedFen', 'free', 'subsidyFen'] as const;

/**
 * The bucket a record counts in and what it adds; undefined for top-ups and venue records. An
 * adjustment (a missing tap-out the sweep charged, docs/decisions/0113) is no ride but its fare
 * counts, as it would have on the ride record of a later tap that revealed it.
 */
export function statOf(r: LedgerRecord): StatRow | undefined {
  if (r.kind !== 'ride' && r.kind !== 'adjustment') return undefined;
  const denied = r.edgeDecision === 'deny';
  const concession = !denied && r.concession !== 'none';
  const ride = r.kind === 'ride';
  return {
    operatorId: r.operatorId,
    hour: Math.floor(r.at / HOUR_MS) * HOUR_MS,
    line: r.routeId || r.stationId || r.venueId || '-',
    concession: r.concession,
    rides: ride ? 1 : 0,
    denied: denied ? 1 : 0,
    chargedFen: r.chargedFen,
    free: ride && concession && r.chargedFen === 0 && r.baseFen > 0 ? 1 : 0,
    // The record's own figure, never recomputed here: one definition (docs/decisions/0162).
    subsidyFen: withSubsidy(r).subsidyFen,
  };
}

export interface StatSummary {
  byHour: Array<{ hour: number } & StatCounts>;
  byLine: Array<{ line: string } & StatCounts>;
  byConcession: Array<{ concession: string } & StatCounts>;
}

export function zero(): StatCounts {
  return { rides: 0, denied: 0, chargedFen: 0, free: 0, subsidyFen: 0 };
}

function groupBy<K extends string | number>(
  rows: Iterable<StatRow>,
  key: (r: StatRow) => K,
): Map<K, StatCounts> {
  const out = new Map<K, StatCounts>();
  for (const r of rows) {
    const k = key(r);
    let c = out.get(k);
    if (!c) {
      c = zero();
      out.set(k, c);
    }
    for (const m of metrics) c[m] += r[m];
  }
  return out;
}

/** The three views the charts draw: hours in order, lines by rides, concession groups. */
export function summarize(rows: readonly StatRow[]): StatSummary {
  return {
    byHour: [...groupBy(rows, (r) => r.hour)]
      .map(([hour, c]) => ({ hour, ...c }))
      .sort((a, b) => a.hour - b.hour),
    byLine: [...groupBy(rows, (r) => r.line)]
      .map(([line, c]) => ({ line, ...c }))
      .sort((a, b) => b.rides - a.rides),
    byConcession: [...groupBy(rows, (r) => r.concession)]
      .map(([concession, c]) => ({ concession, ...c }))
      .sort((a, b) => b.rides - a.rides),
  };
}
