// What a verified QR code tells the decision rules, in the shared contract (core/facts.ts):
// a dynamic code proves a card (its token, concession flags); a ticket proves an entitlement.
// The deny list still has the last word on the card (a lost card's credential is not revoked).
import type { DenyReasonName } from '../decide.js';
import type { CardFacts } from '../facts.js';
import type { QrVerdict } from './verify.js';

export type VerifiedQr = Extract<QrVerdict, { ok: true; kind: 'dynamic' | 'ticket' }>;

export function qrFacts(
  verdict: VerifiedQr,
  lists: { deny: DenyReasonName | undefined; regionRecognised: boolean },
): CardFacts {
  if (verdict.kind === 'dynamic')
    return {
      deny: lists.deny,
      flags: verdict.flags,
      regionRecognised: lists.regionRecognised,
      entitlements: [],
    };
  return {
    deny: lists.deny,
    flags: 0,
    regionRecognised: lists.regionRecognised,
    entitlements: [verdict.entitlement],
  };
}
