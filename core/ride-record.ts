// A ride's record and the effect of a ride that moves no money, for core/ledger.ts planTap:
// split out so the ledger stays about the rules. Pure; the record id comes from the caller
// (tapRecordId), so this file needs nothing of the ledger's at run time.
import type { ReasonName } from '../protos/codec.js';
import type { CardState } from './card.js';
import type { Effect, EffectResult, LedgerRecord, TapInput } from './ledger.js';
import type { FareLine } from './tariff/lines.js';
import type { FareState } from './tariff/state.js';

/** What a ride's record says of its charge, beside the tap and the result (rideRecord). */
export interface RideCharge {
  concession: string;
  baseFen: number;
  amountFen: number;
  lines: FareLine[];
  subsidyFen: number;
}

/**
 * A ride's record as ONE object literal (docs/decisions/0205): spreading tapRecordBase and the
 * result into a new object cost ~10 µs more per tap (V8 builds such an object field by field,
 * and JSON.stringify walks it slowly), and made twice the garbage. The field order is
 * the stored record's (JSON in the store and on Kafka): tapRecordBase's, then the charge, then
 * the result, exactly as the spread made it.
 */
export function rideRecord(
  id: string,
  card: CardState,
  tap: TapInput,
  now: number,
  c: RideCharge,
  result: EffectResult,
): LedgerRecord {
  return {
    id,
    kind: 'ride',
    cardToken: tap.cardToken,
    cardMasked: card.masked,
    operatorId: tap.operatorId,
    deviceId: tap.deviceId,
    seq: tap.seq,
    routeId: tap.routeId,
    stopId: tap.stopId,
    stationId: tap.stationId,
    venueId: tap.venueId,
    direction: tap.direction,
    credential: tap.credential,
    at: tap.deviceTimeMs,
    committedAt: now,
    edgeDecision: tap.edgeDecision,
    edgeReason: tap.edgeReason,
    offline: tap.offline,
    concession: c.concession,
    baseFen: c.baseFen,
    amountFen: c.amountFen,
    lines: c.lines,
    subsidyFen: c.subsidyFen,
    outcome: result.outcome,
    chargedFen: result.chargedFen,
    balanceAfterFen: result.balanceAfterFen,
    reason: result.reason,
  };
}

/** A ride that moves no money: recorded with its reason, nothing charged. */
export function unchargedRide(
  id: string,
  card: CardState,
  tap: TapInput,
  now: number,
  reason: ReasonName,
  expectVersion: number | null,
  newFare: FareState,
): Effect {
  const result: EffectResult = {
    outcome: 'recorded',
    chargedFen: 0,
    balanceAfterFen: card.balanceFen,
    reason,
  };
  const record = rideRecord(
    id,
    card,
    tap,
    now,
    { concession: 'none', baseFen: 0, amountFen: 0, lines: [], subsidyFen: 0 },
    result,
  );
  return {
    dedupeKey: record.id,
    cardToken: tap.cardToken,
    expectVersion,
    newBalanceFen: card.balanceFen,
    newFare,
    record,
    result,
  };
}
