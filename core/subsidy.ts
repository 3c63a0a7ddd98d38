// The concession subsidy of a record (补贴申报), defined once (docs/decisions/0162): what the
// rider's concession waived beyond the ordinary card price of the same journey, i.e. the fare
// an ordinary holder of the same card (same medium, same transfers) would have paid at that
// step, minus what the concession rider paid. Records, ride statistics, the CSV export and the
// console all take it from here, so a claim built from any of them comes to the same fen.
import type { LedgerRecord } from './ledger.js';
import { type FareLine, waivedByConcession } from './tariff/lines.js';

/**
 * Transit fares only (rides and the sweep's adjustments): a venue purchase's concession line is
 * the venue's own and is no part of a transit subsidy claim. Zero for an ordinary rider, who
 * never gets a concession line, and for denied taps, which have no lines.
 */
export function subsidyOf(kind: LedgerRecord['kind'], lines: readonly FareLine[]): number {
  return kind === 'ride' || kind === 'adjustment' ? waivedByConcession(lines) : 0;
}

/** A record as stored: written before decision 0162, it has no subsidyFen; derive it from its lines. */
export function withSubsidy(r: LedgerRecord): LedgerRecord {
  return typeof r.subsidyFen === 'number' ? r : { ...r, subsidyFen: subsidyOf(r.kind, r.lines ?? []) };
}
