// The gateway's pure commit planning: (card state, tap or top-up, fare function, now) → the
// effect to commit atomically: the card's new balance (compare-and-set on its version), the
// record for operators and Kafka, and the result for the device's ack. No I/O here: the store
// applies effects, the ingest decides when.
import type {
  CredentialName,
  DecisionName,
  DirectionName,
  OutcomeName,
  ReasonName,
} from '../protos/codec.js';
import type { CardState } from './card.js';
import type { Pricer } from './pricing.js';
import { rideRecord, unchargedRide } from './ride-record.js';
import { subsidyOf } from './subsidy.js';
import type { TapFields } from './tap.js';
import type { FareLine } from './tariff/lines.js';
import type { FareState } from './tariff/state.js';
import type { EntitlementUse } from './uses.js';

/** A tap as the gateway accepted it from a validated TapBatch (gateway/src/ingest/validate.ts). */
export interface TapInput extends TapFields {
  operatorId: string;
  deviceId: string;
  /**
   * The device journal's epoch (core/epoch.ts): 16 lowercase hex characters; absent for a
   * legacy batch without one. With deviceId and seq the exactly-once key (docs/decisions/0175).
   */
  epoch?: string;
  seq: number;
  edgeDecision: DecisionName;
  edgeReason: ReasonName;
  /** What the device records the tap as: from the device's profile (core/profiles.ts); default ride. */
  record?: 'ride' | 'visit';
  /**
   * Set by the gateway before planning when the tap reports a location its device is not
   * registered for (core/location.ts): the tap is refused, never priced (core/location.ts planRefusal).
   */
  refusal?: 'LOCATION_NOT_ALLOWED';
}

/** What a device (ack) and a card holder (top-up answer) are told. */
export interface EffectResult {
  outcome: OutcomeName;
  chargedFen: number;
  balanceAfterFen: number;
  reason: ReasonName;
}

/** One committed fact: a ride/entry or a top-up. Never holds a card number or an ID number. */
export interface LedgerRecord {
  /**
   * Unique and stable: "tap:<device>:<epoch>:<seq>" ("tap:<device>:<seq>" for a legacy tap
   * without a journal epoch; tapRecordId), "topup:<requestId>" or "sweep:<token>:<entry time>".
   * Kafka consumers dedupe on it.
   */
  id: string;
  /**
   * 'purchase': a venue ticket, pass or reservation paid or refunded (core/venue/payment.ts).
   * 'adjustment': a fare charged with no tap of its own, e.g. a missing tap-out closed by the
   * sweep (core/overdue.ts): no device, no sequence number, dated when the charge fell due.
   */
  kind: 'ride' | 'topup' | 'visit' | 'purchase' | 'adjustment';
  cardToken: string;
  cardMasked: string;
  operatorId: string;
  deviceId: string;
  seq: number;
  routeId: string;
  stopId: string;
  stationId: string;
  venueId: string;
  direction: DirectionName | '';
  credential: CredentialName | '';
  /** When it happened: device time for taps, gateway time for top-ups (Unix ms). */
  at: number;
  committedAt: number;
  edgeDecision: DecisionName | '';
  edgeReason: ReasonName | '';
  offline: boolean;
  /** Rider category applied ('none', 'senior_free', a tariff's category id). */
  concession: string;
  baseFen: number;
  /**
   * Fare deducted, fen (0 for top-ups, free rides and denied taps; negative when a late exit
   * gives back more of an earlier maximum fare than the real journey costs).
   */
  chargedFen: number;
  /** Why the charge is what it is: the lines sum to chargedFen (empty for top-ups and 0 charges). */
  lines: FareLine[];
  /**
   * Concession subsidy, fen: what the concession waived beyond the ordinary card price
   * (core/subsidy.ts, docs/decisions/0162); 0 for ordinary riders and anything but fares.
   */
  subsidyFen: number;
  /** Signed change of the balance: negative for a fare, positive for a top-up. */
  amountFen: number;
  balanceAfterFen: number;
  outcome: OutcomeName;
  reason: ReasonName;
  /** Visits: the ticket, reservation or pass admitted on, when any. */
  entitlementId?: string;
}

export interface Effect {
  /** Exactly-once key; equal to record.id. A second commit with the same key changes nothing. */
  dedupeKey: string;
  cardToken: string;
  /** Compare-and-set: the card version the plan was computed from; null leaves the card untouched. */
  expectVersion: number | null;
  newBalanceFen: number;
  /** The card's fare state after the effect, written with the balance under the same compare-and-set. */
  newFare: FareState;
  /** The card's entitlement uses after the effect (core/uses.ts), same compare-and-set; absent: unchanged. */
  newUses?: readonly EntitlementUse[];
  record: LedgerRecord;
  result: EffectResult;
}

/**
 * A tap's record id and exactly-once key (docs/decisions/0175): "tap:<device>:<epoch>:<seq>",
 * e.g. "tap:bus-7:9f3a1c0de4b27a51:12"; a legacy tap (no epoch) keeps "tap:<device>:<seq>", the
 * id its records had before epochs. Device ids hold no ':' (core/topics.ts ID_PATTERN), so the
 * two forms never meet.
 */
export function tapRecordId(tap: Pick<TapInput, 'deviceId' | 'epoch' | 'seq'>): string {
  if (tap.deviceId !== idDevice || tap.epoch !== idEpoch) {
    idDevice = tap.deviceId;
    idEpoch = tap.epoch;
    idPrefix = tap.epoch ? `tap:${tap.deviceId}:${tap.epoch}:` : `tap:${tap.deviceId}:`;
  }
  return idPrefix + tap.seq;
}

// The last id's device, epoch and the prefix they make (docs/decisions/0240): a batch's taps
// share their device and epoch, so the prefix is joined once a batch and a tap's id is one
// concatenation, not five (each a string of its own until the id is flattened). The same ids.
let idDevice: string | undefined;
let idEpoch: string | undefined = '';
let idPrefix = '';

export function topUpRecordId(requestId: string): string {
  return `topup:${requestId}`;
}

/** What every tap record says of the tap itself, whatever the gateway then makes of it. */
export function tapRecordBase<K extends LedgerRecord['kind']>(
  card: CardState,
  tap: TapInput,
  kind: K,
  now: number,
) {
  return {
    id: tapRecordId(tap),
    kind,
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
  };
}

/** A record with no tap behind it: a top-up, a venue purchase or a fare adjustment. */
export interface RecordWithoutTap<K extends LedgerRecord['kind']> {
  id: string;
  kind: K;
  card: CardState;
  /** Whose record it is: the top-up channel, the venue's operator, the network's operator. */
  operatorId: string;
  /** When it happened (a sweep's charge is dated when it fell due). */
  at: number;
  now: number;
}

/**
 * What every record without a tap says of itself: no device, sequence number, place, direction
 * or device decision (blank, not absent, so every record has the same fields). Callers spread it
 * and set what they know: a purchase its venue, an adjustment the station its journey began at.
 */
export function recordWithoutTap<K extends Exclude<LedgerRecord['kind'], 'ride' | 'visit'>>(
  r: RecordWithoutTap<K>,
) {
  return {
    id: r.id,
    kind: r.kind,
    cardToken: r.card.token,
    cardMasked: r.card.masked,
    operatorId: r.operatorId,
    deviceId: '',
    seq: 0,
    routeId: '',
    stopId: '',
    stationId: '',
    venueId: '',
    direction: '' as const,
    credential: '' as const,
    at: r.at,
    committedAt: r.now,
    edgeDecision: '' as const,
    edgeReason: '' as const,
    offline: false,
  };
}

/**
 * Plans one tap. Rules, in order:
 * 1. A tap the device denied is recorded, never charged (the rider did not pass).
 * 2. A token this gateway never issued is recorded, never charged.
 * 3. Otherwise the ride happened (the device let the rider through, maybe offline), so the
 *    fare is due even when the card was reported lost meanwhile or the balance runs below
 *    zero; the reason says so, for reconciliation.
 */
export function planTap(card: CardState, tap: TapInput, price: Pricer, now: number): Effect {
  if (tap.edgeDecision === 'deny' || !card.known) {
    const reason: ReasonName = tap.edgeDecision === 'deny' ? tap.edgeReason : 'UNKNOWN_CARD';
    return unchargedRide(tapRecordId(tap), card, tap, now, reason, null, card.fare);
  }
  const quote = price(card, tap);
  if (quote.reason === 'TARIFF_NO_FARE_RULE' && quote.chargeFen === 0) {
    // Nothing priced this tap (a route or station the tariff does not know, a leg no rule
    // covers): never a silent free ride (docs/decisions/0161). The tap did happen at the
    // device's own place, so the journey state moves on (an exit still closes its entry) and
    // nothing is charged; the reason makes it a finding for the operator to fix the tariff.
    return unchargedRide(tapRecordId(tap), card, tap, now, 'LOCATION_NOT_PRICED', card.version, quote.fare);
  }
  const balanceAfterFen = card.balanceFen - quote.chargeFen;
  const reason: ReasonName =
    card.status === 'lost'
      ? 'LOST_AFTER_THE_FACT'
      : balanceAfterFen < 0 && quote.chargeFen > 0
        ? 'CHARGED_INTO_NEGATIVE'
        : quote.reason;
  const result: EffectResult = { outcome: 'charged', chargedFen: quote.chargeFen, balanceAfterFen, reason };
  const record = rideRecord(
    tapRecordId(tap),
    card,
    tap,
    now,
    {
      concession: quote.concession,
      baseFen: quote.baseFen,
      amountFen: 0 - quote.chargeFen, // not -chargeFen: a free ride must be +0, not -0, in JSON and in tests
      lines: quote.lines,
      subsidyFen: subsidyOf('ride', quote.lines),
    },
    result,
  );
  return {
    dedupeKey: record.id,
    cardToken: tap.cardToken,
    expectVersion: card.version,
    newBalanceFen: balanceAfterFen,
    newFare: quote.fare,
    record,
    result,
  };
}

export interface TopUpInput {
  requestId: string;
  amountFen: number;
  /** Who topped up: an outlet, a counter or the holder's app (operator id for the record). */
  channel: string;
}

/** Plans a top-up (社保卡充值). The caller has checked the card is known and the amount positive. */
export function planTopUp(card: CardState, topUp: TopUpInput, now: number): Effect {
  const balanceAfterFen = card.balanceFen + topUp.amountFen;
  const result: EffectResult = { outcome: 'charged', chargedFen: 0, balanceAfterFen, reason: 'OK' };
  const id = topUpRecordId(topUp.requestId);
  return {
    dedupeKey: id,
    cardToken: card.token,
    expectVersion: card.version,
    newBalanceFen: balanceAfterFen,
    newFare: card.fare,
    record: {
      ...recordWithoutTap({ id, kind: 'topup', card, operatorId: topUp.channel, at: now, now }),
      concession: 'none',
      baseFen: 0,
      chargedFen: 0,
      lines: [],
      subsidyFen: 0,
      amountFen: topUp.amountFen,
      balanceAfterFen,
      outcome: 'charged',
      reason: 'OK',
    },
    result,
  };
}

/**
 * Plans a run of effects on the same card in order, each from the state the previous one left:
 * the expected versions chain (v, v+1, ...) so the whole run commits or conflicts together.
 */
export function chain(
  card: CardState,
  plan: (state: CardState) => Effect,
): { effect: Effect; next: CardState } {
  const effect = plan(card);
  return { effect, next: nextState(card, effect) };
}

/** The card's state once `effect`, planned from `card`, is committed (chain's next). */
export function nextState(card: CardState, effect: Effect): CardState {
  if (effect.expectVersion === null) return card;
  // One literal, not a spread of the card: planned for every tap (docs/decisions/0205).
  const next: CardState = {
    token: card.token,
    known: card.known,
    version: card.version + 1,
    balanceFen: effect.newBalanceFen,
    status: card.status,
    flags: card.flags,
    masked: card.masked,
    region: card.region,
    fare: effect.newFare,
  };
  // Set only when present, as the card had it: most cards hold no entitlement uses (0203).
  const uses = effect.newUses ?? card.uses;
  if (uses) next.uses = uses;
  return next;
}
