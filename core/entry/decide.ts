// The one decision for a tap or scan at any device kind, from data only: the gate (profile,
// rules, venue, offline limits), what the lists say about the card (CardFacts), what this
// device remembers of it (CardHistory), the time and whether the device is online. Pure, so
// the edge agent and the gateway run the same code and tests are plain tables.
//
// Order: deny list → issuing region → a presented ticket's kind and venue → exit without entry →
// anti-passback → entries per day → admission (fare, identity, reader card, reservation,
// ticket/pass/concession) → offline risk. The first refusal wins; each is a stable reason code
// (docs/reason-codes.md, 80–109). A card and an e-card QR code of the same holder get the same
// facts and so the same decision (docs/decisions/0070-qr-through-entry-rules.md).
import { type DecisionName, denyReasonReason, type ReasonName } from '../../protos/codec.js';
import { ConcessionFlag } from '../card.js';
import { type AppliedConcessionName, applyConcession, concessionFor, ridesFree } from '../concession.js';
import type { CardFacts } from '../facts.js';
import type { Profile } from '../profiles.js';
import { displayText } from '../reasons.js';
import { admit, admittedKinds } from './admission.js';
import type { CardHistory } from './history.js';
import type { EntryRules, OfflineRiskLimits } from './rules.js';

export interface Gate {
  profile: Profile;
  rules: EntryRules;
  /** The venue whose entitlements count here ('' on transit devices). */
  venueId: string;
  risk: OfflineRiskLimits;
}

export interface TapContext {
  facts: CardFacts;
  /** From core/entry/history.ts currentHistory(): counters already rolled to `now`. */
  history: CardHistory;
  now: number;
  online: boolean;
}

export interface EntryDecision {
  decision: DecisionName;
  reason: ReasonName;
  display: { zh: string; en: string };
  /** Concession applied (for the display and the record); 'none' on a refusal. */
  concession: AppliedConcessionName;
  /** The ticket, reservation or pass admitted on; '' for none. */
  entitlementId: string;
  /**
   * The last valid day (core/time.ts localDay) of the ticket or reservation admitted on, which
   * the gateway keeps its count of the entitlement's uses until (docs/decisions/0215); 0 for
   * none and for an annual pass (unlimited entries: never counted).
   */
  entitlementToDay: number;
  /** Fare estimate counted against the offline spending limit, fen (0 when online or denied). */
  estimateFen: number;
}

const MIN_MS = 60_000;

export function decideEntry(gate: Gate, tap: TapContext): EntryDecision {
  const { profile, rules } = gate;
  const { facts, history: h, now } = tap;
  const deny = facts.deny;
  // A negative transit balance refuses only where the transit account pays.
  if (deny !== undefined && (deny !== 'negative_balance' || profile.admission === 'fare'))
    return refuse(denyReasonReason[deny]);
  if (!facts.regionRecognised) return refuse('REGION_NOT_RECOGNISED');
  // A signed ticket is judged like the same entitlement on a card (below), but it is no card:
  // where the device kind does not admit on its kind it proves nothing, whatever the holder's card could do.
  const presented = facts.presented;
  if (presented !== undefined) {
    if (!admittedKinds[profile.admission].includes(presented.kind))
      return refuse('QR_TICKET_NOT_ACCEPTED_HERE');
    if (presented.venueId !== gate.venueId) return refuse('QR_WRONG_VENUE');
  }
  const entitlements = presented ? [presented] : facts.entitlements;

  const dir = profile.direction;
  let flagged: ReasonName | undefined;
  if (
    dir === 'exit' &&
    rules.exitWithoutEntry !== 'allow' &&
    (h.lastEntryMs === 0 || h.lastExitMs >= h.lastEntryMs)
  ) {
    if (rules.exitWithoutEntry === 'deny') return refuse('EXIT_WITHOUT_ENTRY');
    flagged = 'EXIT_WITHOUT_ENTRY';
  }
  if (rules.antiPassbackMin > 0) {
    const last = dir === 'exit' ? h.lastExitMs : h.lastEntryMs;
    const exitedSince = dir !== 'exit' && rules.reentryAfterExit && h.lastExitMs > h.lastEntryMs;
    // A clock that went backwards (now < last) counts as inside the window: the safe side.
    if (last > 0 && now - last < rules.antiPassbackMin * MIN_MS && !exitedSince) return refuse('PASSBACK');
  }
  if (rules.maxEntriesPerDay > 0 && h.entriesToday >= rules.maxEntriesPerDay)
    return refuse('DAILY_LIMIT_REACHED');

  let reason: ReasonName;
  let concession: AppliedConcessionName = 'none';
  let entitlementId = '';
  let entitlementToDay = 0;
  let estimateFen = 0;
  switch (profile.admission) {
    case 'fare': {
      if (dir === 'entry') {
        reason = 'ENTRY_RECORDED';
        break;
      }
      concession = concessionFor(facts.flags);
      estimateFen = applyConcession(gate.risk.fareEstimateFen, concession);
      reason = ridesFree(concession) ? 'CONCESSION_FREE' : 'OK';
      break;
    }
    case 'identity':
      reason = 'IDENTITY_VERIFIED';
      break;
    case 'reader_card':
      reason = 'READER_CARD_ACCEPTED';
      break;
    case 'reservation': {
      const a = admit(entitlements, admittedKinds.reservation, gate.venueId, rules, h, now, 'NO_RESERVATION');
      if (!a.ok) return refuse(a.reason);
      entitlementId = a.entitlement.id;
      entitlementToDay = a.entitlement.toDay;
      reason = 'RESERVATION_ADMITTED';
      break;
    }
    case 'ticket_or_pass': {
      // A free group enters free and keeps its ticket; otherwise the pass before a ticket.
      const free = facts.flags & (ConcessionFlag.SENIOR | ConcessionFlag.DISABLED);
      if (free) {
        concession = concessionFor(facts.flags);
        reason = 'CONCESSION_ENTRY';
        break;
      }
      const a = admit(entitlements, admittedKinds.ticket_or_pass, gate.venueId, rules, h, now, 'NO_TICKET');
      if (!a.ok) return refuse(a.reason);
      entitlementId = a.entitlement.id;
      const pass = a.entitlement.kind === 'annual_pass';
      entitlementToDay = pass ? 0 : a.entitlement.toDay;
      reason = pass ? 'ANNUAL_PASS_ADMITTED' : 'TICKET_ADMITTED';
      break;
    }
  }

  if (!tap.online) {
    const { maxTapsPerCardPerHour, maxUnconfirmedFen } = gate.risk;
    if (maxTapsPerCardPerHour > 0 && h.offlineTapsThisHour >= maxTapsPerCardPerHour)
      return refuse('OFFLINE_TAP_LIMIT');
    if (maxUnconfirmedFen > 0 && estimateFen > 0 && h.unconfirmedFen + estimateFen > maxUnconfirmedFen)
      return refuse('OFFLINE_SPEND_LIMIT');
  } else estimateFen = 0;

  const shown = flagged ?? reason;
  return {
    decision: 'allow',
    reason: shown,
    display: displayText[shown],
    concession,
    entitlementId,
    entitlementToDay,
    estimateFen,
  };
}

function refuse(reason: ReasonName): EntryDecision {
  return {
    decision: 'deny',
    reason,
    display: displayText[reason],
    concession: 'none',
    entitlementId: '',
    entitlementToDay: 0,
    estimateFen: 0,
  };
}
