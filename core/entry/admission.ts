// Venue admission from entitlements: which reservation, ticket or annual pass lets the card in
// now, or the most useful reason why none does. Pure.
import type { ReasonName } from '../../protos/codec.js';
import type { Entitlement, EntitlementKind } from '../facts.js';
import type { AdmissionName } from '../profiles.js';
import { localDay, localMinute } from '../time.js';
import { type CardHistory, usesOf } from './history.js';
import type { EntryRules } from './rules.js';

export type Admission = { ok: true; entitlement: Entitlement } | { ok: false; reason: ReasonName };

/**
 * The entitlement kinds each device kind admits on, in order of preference (the pass before a
 * ticket). A presented ticket of any other kind is refused QR_TICKET_NOT_ACCEPTED_HERE.
 */
export const admittedKinds: Readonly<Record<AdmissionName, readonly EntitlementKind[]>> = {
  fare: [],
  identity: [],
  reader_card: [],
  reservation: ['reservation'],
  ticket_or_pass: ['annual_pass', 'ticket'],
};

/** How far a refusal got: the furthest one is the one the holder needs to hear. */
const refusalRank: Partial<Record<ReasonName, number>> = {
  SLOT_ENDED: 1,
  SLOT_NOT_STARTED: 2,
  ENTITLEMENT_USED_UP: 3,
};

/**
 * The first entitlement of `kinds` (in that order of preference) for this venue, valid today,
 * inside its slot (with the gate's tolerance) and not used up at this device; otherwise the
 * refusal of the candidate that came closest, or `none` when the card holds nothing for today.
 */
export function admit(
  entitlements: readonly Entitlement[],
  kinds: readonly EntitlementKind[],
  venueId: string,
  rules: EntryRules,
  history: CardHistory,
  now: number,
  none: ReasonName,
): Admission {
  const day = localDay(now);
  const minute = localMinute(now);
  let refusal: ReasonName = none;
  for (const kind of kinds) {
    for (const e of entitlements) {
      if (e.kind !== kind || e.venueId !== venueId || day < e.fromDay || day > e.toDay) continue;
      const reason = slotRefusal(e, minute, rules) ?? usedUp(e, history);
      if (reason === undefined) return { ok: true, entitlement: e };
      if ((refusalRank[reason] ?? 0) > (refusalRank[refusal] ?? 0)) refusal = reason;
    }
  }
  return { ok: false, reason: refusal };
}

function slotRefusal(e: Entitlement, minute: number, rules: EntryRules): ReasonName | undefined {
  if (e.slotStartMin <= 0 && e.slotEndMin >= 1440) return undefined; // whole-day product
  if (minute < e.slotStartMin - rules.slotToleranceBeforeMin) return 'SLOT_NOT_STARTED';
  if (minute >= e.slotEndMin + rules.slotToleranceAfterMin) return 'SLOT_ENDED';
  return undefined;
}

function usedUp(e: Entitlement, history: CardHistory): ReasonName | undefined {
  return e.maxEntries > 0 && usesOf(history, e.id) >= e.maxEntries ? 'ENTITLEMENT_USED_UP' : undefined;
}
