// The edge decision for a card tap, from data the device holds (no network). Pure: the agent
// looks the card up in its deny list and passes the answer in.
import type { Profile } from './profiles.js';
import { displayText, type ReasonName } from './reasons.js';

export type DenyReasonName = 'lost' | 'frozen' | 'negative_balance';

export interface EdgeDecision {
  decision: 'allow' | 'deny';
  reason: ReasonName;
  display: { zh: string; en: string };
}

const denyReasonToReason: Record<DenyReasonName, ReasonName> = {
  lost: 'CARD_LOST',
  frozen: 'CARD_FROZEN',
  negative_balance: 'BALANCE_NEGATIVE',
};

/**
 * A card on the deny list is refused; any other card passes. The fare is settled at the
 * gateway (the account lives there); a metro entry only records the entry.
 */
export function decideCardTap(profile: Profile, denied: DenyReasonName | undefined): EdgeDecision {
  if (denied !== undefined) {
    const reason = denyReasonToReason[denied];
    return { decision: 'deny', reason, display: displayText[reason] };
  }
  const reason: ReasonName = profile.direction === 'entry' ? 'ENTRY_RECORDED' : 'OK';
  return { decision: 'allow', reason, display: displayText[reason] };
}
