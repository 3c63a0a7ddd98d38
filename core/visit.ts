// The gateway's pure planning of a visit (入馆/入园记录, station ID checks): a tap at a device
// whose profile records visits (core/profiles.ts record: 'visit'). No money moves; the visit
// is recorded exactly once like a ride, and reconciled: a visit the device allowed offline that
// would have been refused online is kept and marked, never dropped.
import type { ReasonName } from '../protos/codec.js';
import type { CardState } from './card.js';
import { concessionFor } from './concession.js';
import { type Effect, type EffectResult, type TapInput, tapRecordBase, tapRecordId } from './ledger.js';
import { noUses, usesOf, withUse } from './uses.js';

/**
 * Entries an entitlement allows, as the gateway knows it. Until the venue products land (the
 * tariff work), tickets and reservations are single-use and annual passes unlimited (0).
 */
export function entitlementLimit(tap: TapInput): number {
  return tap.edgeReason === 'TICKET_ADMITTED' || tap.edgeReason === 'RESERVATION_ADMITTED' ? 1 : 0;
}

/** Key of a card's uses of one entitlement: '' when the tap used none. */
export function useKey(tap: Pick<TapInput, 'cardToken' | 'entitlementId'>): string {
  return tap.entitlementId ? `${tap.cardToken}:${tap.entitlementId}` : '';
}

/**
 * Plans one visit. `priorUses`: committed allowed visits of the same card on the same
 * entitlement (0 when the tap used none). Rules, in order:
 * 1. Denied by the device: recorded with the device's reason.
 * 2. A card this gateway never issued (another city's card at a library, 同城待遇): the visit
 *    happened, recorded with the device's reason; nothing to check it against.
 * 3. Reported lost before the visit reached us: LOST_AFTER_THE_FACT.
 * 4. A limited entitlement already used up (two gates admitted it while offline): the record
 *    is kept, marked ENTITLEMENT_REUSED_OFFLINE.
 * 5. Otherwise the device's reason stands.
 * A visit on an entitlement moves the card's version, so two visits of one card committed at
 * once are serialised (compare-and-set) and priorUses stays exact (planVisitCounting).
 */
export function planVisit(card: CardState, tap: TapInput, priorUses: number, now: number): Effect {
  const allowed = tap.edgeDecision === 'allow';
  const limit = entitlementLimit(tap);
  const reason: ReasonName =
    !allowed || !card.known
      ? tap.edgeReason
      : card.status === 'lost'
        ? 'LOST_AFTER_THE_FACT'
        : limit > 0 && priorUses >= limit
          ? 'ENTITLEMENT_REUSED_OFFLINE'
          : tap.edgeReason;
  const result: EffectResult = {
    outcome: 'recorded',
    chargedFen: 0,
    balanceAfterFen: card.balanceFen,
    reason,
  };
  const id = tapRecordId(tap);
  return {
    dedupeKey: id,
    cardToken: tap.cardToken,
    expectVersion: allowed && card.known && useKey(tap) !== '' ? card.version : null,
    newBalanceFen: card.balanceFen,
    // A visit charges nothing: the tariff's fare state goes through unchanged.
    newFare: card.fare,
    record: {
      ...tapRecordBase(card, tap, 'visit', now),
      concession: allowed && tap.edgeReason === 'CONCESSION_ENTRY' ? concessionFor(card.flags) : 'none',
      baseFen: 0,
      lines: [],
      subsidyFen: 0,
      amountFen: 0,
      ...result,
      ...(tap.entitlementId ? { entitlementId: tap.entitlementId } : {}),
    },
    result,
  };
}

/**
 * Plans a visit from the card's committed uses (core/uses.ts) and counts it there: a visit that
 * uses an entitlement moves the card's version (planVisit), and its count goes with that
 * compare-and-set, so two taps of one card on one ticket, in one batch or in two, are counted
 * exactly (docs/decisions/0203), and kept until the entitlement's last day (0215).
 */
export function planVisitCounting(card: CardState, tap: TapInput, now: number): Effect {
  const id = tap.entitlementId ?? '';
  const uses = card.uses ?? noUses;
  const effect = planVisit(card, tap, id === '' ? 0 : usesOf(uses, id, tap.deviceTimeMs), now);
  if (effect.expectVersion === null) return effect;
  // The count lives until the entitlement's last day when the tap says it (docs/decisions/0215);
  // an uncounted entitlement (an annual pass) keeps the short default whatever it says.
  const toDay = entitlementLimit(tap) > 0 ? (tap.entitlementToDay ?? 0) : 0;
  return { ...effect, newUses: withUse(uses, id, tap.deviceTimeMs, now, toDay) };
}
