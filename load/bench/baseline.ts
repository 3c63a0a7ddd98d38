// The bench's baseline: the first edge decision for a card tap (deny list only), which the
// entry rules (core/entry/decide.ts) replaced on every device. Only the bench runs it now, to
// show what the entry rules cost over it, so it lives here and not in core/.

import type { Profile } from '../../core/profiles.js';
import { displayText } from '../../core/reasons.js';
import {
  type DecisionName,
  type DenyReasonName,
  denyReasonReason,
  type ReasonName,
} from '../../protos/codec.js';

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
