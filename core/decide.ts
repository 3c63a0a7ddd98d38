// The edge decision for a card tap, from data the device holds (no network). Pure: the agent
// looks the card up in its deny list and passes the answer in.
import {
  type DecisionName,
  type DenyReasonName,
  denyReasonReason,
  type ReasonName,
} from '../protos/codec.js';
import type { Profile } from './profiles.js';
import { displayText } from './reasons.js';

export interface EdgeDecision {
  decision: DecisionName;
  reason: ReasonName;
  display: { zh: string; en: string };
}

/**
 * A card on the deny list is refused; any other card passes. The fare is settled at the
 * gateway (the account lives there); a metro entry only records the entry.
 */
export function decideCardTap(profile: Profile, denied: DenyReasonName | undefined): EdgeDecision {
  if (denied !== undefined) {
    const reason = denyReasonReason[denied];
    return { decision: 'deny', reason, display: displayText[reason] };
  }
  const reason: ReasonName = profile.direction === 'entry' ? 'ENTRY_RECORDED' : 'OK';
  return { decision: 'allow', reason, display: displayText[reason] };
}
