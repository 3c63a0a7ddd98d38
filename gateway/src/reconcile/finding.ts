// A finding about one tap, for the operator's reconciliation report: the tap's place and card
// and what was decided about it. One builder for every kind (offline refusals found after the
// fact, taps quarantined for reusing a key), so the report's rows never drift apart.
import type { CardState } from '../../../core/card.js';
import type { TapInput } from '../../../core/ledger.js';
import type { Finding } from '../store/port.js';

export function tapFinding(
  tap: TapInput,
  card: CardState | undefined,
  f: Pick<Finding, 'id' | 'kind' | 'reason' | 'action' | 'foundAt' | 'chargedFen' | 'balanceAfterFen'>,
): Finding {
  return {
    id: f.id,
    kind: f.kind,
    reason: f.reason,
    action: f.action,
    at: tap.deviceTimeMs,
    foundAt: f.foundAt,
    cardToken: tap.cardToken,
    cardMasked: card?.masked ?? '',
    operatorId: tap.operatorId,
    deviceId: tap.deviceId,
    seq: tap.seq,
    routeId: tap.routeId,
    stationId: tap.stationId,
    venueId: tap.venueId,
    entitlementId: tap.entitlementId ?? '',
    offline: tap.offline,
    chargedFen: f.chargedFen,
    balanceAfterFen: f.balanceAfterFen,
  };
}
